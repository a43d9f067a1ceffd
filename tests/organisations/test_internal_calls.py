"""Internal calls between affiliated accounts with a real /pbx/v1/authorize, through the
gateway and on routing_policy's direct PBX server, and the PBX's /pbx/v1/directory."""

from __future__ import annotations

from typing import Any

import requests

from tests.support import wait_until

from .conftest import ok


def _both(platform, token: str, path: str, **params: str) -> list[requests.Response]:
    headers = {"Authorization": f"Bearer {token}"}
    return [requests.get(f"{base}/{path}", params=params, headers=headers, timeout=10)
            for base in (f"{platform.base_url}/pbx/v1", platform.pbx_url)]


def _answers(platform, token: str, customer: str, dialed: str) -> list[dict[str, Any]] | None:
    got = _both(platform, token, "authorize", customer=customer, dialed=dialed)
    if any(r.status_code != 200 for r in got):
        return None
    return [r.json() for r in got]


def _until(platform, token, customer, dialed, check, message):
    def ready():
        answers = _answers(platform, token, customer, dialed)
        return answers if answers and all(check(a) for a in answers) else None
    return wait_until(ready, timeout=20, interval=0.2, message=message)


def test_members_call_each_other_internally_past_a_deny_international_rule(
        platform, reseller_api, pbx_token, affiliated):
    a, b = affiliated.a["id"], affiliated.b["id"]
    ok(reseller_api.post(f"/api/v1/customers/{a}/call-restrictions",
                         json={"action": "deny", "match": "category",
                               "value": "international"}), 201)
    # an international call from the same caller is denied by the rule
    denied = _until(platform, pbx_token, a, "+1 438 555 0142",
                    lambda d: not d["allow"] and d["level"] == "customer",
                    "the international call denied")
    assert all(d["rule_id"] for d in denied)
    # the fellow member's extension: internal, with who it reaches
    by_extension = _until(platform, pbx_token, a, "202",
                          lambda d: d["level"] == "internal", "the extension internal")
    for answer in by_extension:
        assert answer["allow"] is True and answer["destination"] == "202"
        assert answer["callee"]["customer_id"] == b
        assert answer["callee"]["user_id"] == affiliated.b_user["id"]
        assert answer["callee"]["extension"] == "202"
    # the fellow member's (Canadian, so international from France) number: internal too
    by_number = _until(platform, pbx_token, a, affiliated.b_number,
                       lambda d: d["level"] == "internal", "the number internal")
    for answer in by_number:
        assert answer["allow"] is True and answer["destination"] == affiliated.b_number
        assert answer["callee"]["customer_id"] == b
        assert answer["callee"]["number"] == affiliated.b_number
    # and the other way round, within B's own account (no rule of B's)
    _until(platform, pbx_token, b, "202", lambda d: d["level"] == "internal",
           "the account's own extension internal")

    # once B leaves, A's call to 202 is no longer internal (and B's number is a rule matter)
    ok(reseller_api.delete(affiliated.members_path(b)))

    def not_internal():
        got = _both(platform, pbx_token, "authorize", customer=a, dialed="202")
        answers = [r.json() for r in got]
        return answers if all(r.get("level") != "internal" for r in answers) else None
    after = wait_until(not_internal, timeout=20, interval=0.2, message="unlinked")
    assert all(not a.get("allow") for a in after)
    number_after = _until(platform, pbx_token, a, affiliated.b_number,
                          lambda d: d["level"] != "internal", "the number external again")
    assert all(not d["allow"] and d["level"] == "customer" for d in number_after)


def test_the_pbx_gets_the_shared_directory(platform, pbx_token, affiliated):
    a, b = affiliated.a["id"], affiliated.b["id"]

    def listed():
        got = _both(platform, pbx_token, "directory", customer=a)
        if any(r.status_code != 200 for r in got):
            return None
        bodies = [r.json() for r in got]
        extensions = [{e["extension"] for e in body["entries"]} for body in bodies]
        return bodies if all({"201", "202"} <= x for x in extensions) else None
    gateway, direct = wait_until(listed, timeout=20, interval=0.2, message="directory")
    assert gateway == direct
    assert gateway["organisation_id"] == affiliated.organisation["id"]
    assert set(gateway["members"]) == {a, b}
    numbers = {n for e in gateway["entries"] for n in e["numbers"]}
    assert affiliated.b_number in numbers
    names = {e["name"] for e in gateway["entries"]}
    assert affiliated.a_user["display_name"] in names


def test_directory_needs_a_token_and_a_known_customer(platform, pbx_token):
    for resp in _both(platform, "not-a-token", "directory", customer="x" * 36):
        assert resp.status_code == 401
    for resp in _both(platform, pbx_token, "directory", customer="0" * 36):
        assert resp.status_code == 404
        assert set(resp.json()) >= {"error", "message"}
    for resp in _both(platform, pbx_token, "directory"):
        assert resp.status_code in (400, 422)
