"""A subscriber changes only what is its own to change: not the country its reseller's
call restrictions are judged against (toll fraud), not its e-mail, status or kind."""

from __future__ import annotations

import pytest

from tests.e2e.test_call_restrictions import authorize, wait_known
from tests.numbering.test_numbers_api import pool_of
from tests.support import sign_in_subscriber, wait_until


@pytest.fixture
def subscriber(platform, reseller_api, accounts_events):
    customer = reseller_api.create_customer(country="CA")
    wait_known(reseller_api, customer["id"])
    return customer, sign_in_subscriber(platform.base_url, accounts_events, customer)


def test_a_subscriber_cannot_move_its_country_out_of_deny_international(
        platform, reseller_api, subscriber, pbx_token):
    customer, me = subscriber
    deny = reseller_api.post("/api/v1/call-restrictions", json={
        "action": "deny", "match": "category", "value": "international"})
    assert deny.status_code == 201, deny.text
    cuba = "+53 7 123 4567"
    wait_until(lambda: authorize(platform, pbx_token, dialed=cuba,
                                 customer=customer["id"]).json()["allow"] is False,
               timeout=10, message="the rule reached every routing_policy replica")

    moved = me.patch(f"/api/v1/customers/{customer['id']}", json={"country": "CU"})

    assert moved.status_code == 403, moved.text
    assert moved.json()["details"] == [{"field": "country", "message": "set by your reseller"}]
    assert me.get(f"/api/v1/customers/{customer['id']}").json()["country"] == "CA"
    after = authorize(platform, pbx_token, dialed=cuba, customer=customer["id"]).json()
    assert (after["allow"], after["level"]) == (False, "reseller"), after


def test_a_subscriber_changes_its_contact_details_but_not_its_email_or_status(subscriber):
    customer, me = subscriber
    path = f"/api/v1/customers/{customer['id']}"
    for field, value in (("email", "thief@evil.example"), ("status", "production")):
        refused = me.patch(path, json={field: value})
        assert refused.status_code == 403, (field, refused.text)
        assert field in refused.json()["message"]
    ok = me.patch(path, json={"contact_name": "Marie Tremblay", "phone": "+1 514 555 0199",
                              "language": "en", "country": "CA"})  # unchanged country: fine
    assert ok.status_code == 200, ok.text
    assert ok.json()["contact_name"] == "Marie Tremblay"


def test_the_reseller_still_sets_its_customers_country(reseller_api, subscriber):
    customer, _ = subscriber
    moved = reseller_api.patch(f"/api/v1/customers/{customer['id']}", json={"country": "FR"})
    assert moved.status_code == 200 and moved.json()["country"] == "FR"


def test_a_subscriber_orders_numbers_only_up_to_its_quota(reseller_api, subscriber):
    """A subscriber ordering numbers itself drew on its reseller's pool without limit."""
    customer, me = subscriber
    area = "819"
    pool_of(reseller_api, 8, area)
    orders = f"/api/v1/customers/{customer['id']}/numbers"
    quota = f"/api/v1/customers/{customer['id']}/number-quota"
    assert me.get(quota).json() == {"customer_id": customer["id"], "max_numbers": 5,
                                    "default": True, "held": 0}
    for _ in range(5):
        assert me.post(orders, json={"count": 1, "area_code": area}).status_code == 201
    over = me.post(orders, json={"count": 1, "area_code": area})
    assert over.status_code == 409, over.text
    assert over.json()["details"] == {"max_numbers": 5, "held": 5, "asked": 1}
    # the subscriber cannot raise its own quota; its reseller can
    assert me.put(quota, json={"max_numbers": 100}).status_code in (403, 404)
    raised = reseller_api.put(quota, json={"max_numbers": 7})
    assert raised.status_code == 200 and raised.json()["max_numbers"] == 7
    assert me.post(orders, json={"count": 2, "area_code": area}).status_code == 201
    assert me.post(orders, json={"count": 1, "area_code": area}).status_code == 409
