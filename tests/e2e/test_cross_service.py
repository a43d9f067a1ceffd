"""Services working together through their real events: a number ordered in numbering
lets the PBX find its caller in routing_policy; closing the account undoes both."""

from __future__ import annotations

import time

from tests.e2e.test_call_restrictions import authorize
from tests.numbering.conftest import fresh_numbers, import_text


def _until(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    return check()


def test_ordered_number_identifies_the_caller_until_the_account_closes(platform, reseller_api,
                                                                      pbx_token):  # noqa: F811
    customer = reseller_api.create_customer(country="CA")
    number = fresh_numbers(1, "819")[0]
    import_text(reseller_api, [number])
    ordered = reseller_api.post(f"/api/v1/customers/{customer['id']}/numbers",
                                json={"count": 1, "area_code": "819"})
    assert ordered.status_code == 201, ordered.text
    assert ordered.json()["numbers"][0]["number"] == number

    def decision():
        resp = authorize(platform, pbx_token, dialed="+15145550100", caller=number)
        return resp if resp.status_code == 200 else None

    found = _until(decision)
    assert found is not None, "routing_policy never learned the number from numbering"
    assert found.json()["customer_id"] == customer["id"] and found.json()["allow"] is True

    reseller_api.delete(f"/api/v1/customers/{customer['id']}")

    def released():
        listed = reseller_api.get("/api/v1/numbers", params={"prefix": number}).json()
        return listed["items"] and listed["items"][0]["state"] == "available"

    assert _until(released)
    gone = _until(lambda: authorize(platform, pbx_token, dialed="+15145550100",
                                    caller=number).status_code == 404)
    assert gone, "the released number still identifies the old customer"
