"""routing_policy stops answering: the PBX gets 503 with Retry-After within the PBX time
limit, with the reseller's fail-open or fail-closed decision; emergency numbers pass."""

from __future__ import annotations

import time

import requests

from tests.chaos.conftest import authorize, eventually


def test_the_pbx_gets_the_resellers_fallback_while_call_restrictions_are_away(
        platform, reseller_api, pbx_token):
    closed_side = reseller_api.create_customer(country="CA", start="production")
    assert reseller_api.put("/api/v1/call-restrictions/default",
                            json={"action": "allow", "when_unavailable": "deny"}
                            ).status_code == 200
    listed = reseller_api.get("/api/v1/call-restrictions").json()
    assert (listed["default"], listed["when_unavailable"]) == ("allow", "deny")
    assert eventually(lambda: authorize(platform, pbx_token, closed_side["id"]
                                        ).status_code == 200)
    before = authorize(platform, pbx_token, closed_side["id"]).json()
    assert (before["allow"], before["when_unavailable"], before["country"]) == (
        True, "deny", "CA")

    service = next(p for p in platform.processes if p.name == "routing_policy")
    service.stop()
    try:
        started = time.monotonic()
        answer = authorize(platform, pbx_token, closed_side["id"])
        waited = time.monotonic() - started
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"].isdigit()
        body = answer.json()
        assert (body["allow"], body["level"]) == (False, "unavailable")
        assert "unavailable" in body["reason"]
        emergency = authorize(platform, pbx_token, closed_side["id"], dialed="911")
        assert emergency.status_code == 503 and emergency.json()["allow"] is True
        print(f"\nPBX answer with routing_policy away: 503 in {waited:.1f} s")
        assert waited < 8  # the PBX time limit (2 s), far below the API's 10 s
    finally:
        service.start()
        assert eventually(lambda: requests.get(f"{platform.base_url}/health",
                                               timeout=5).status_code == 200, timeout=60)
    assert eventually(lambda: authorize(platform, pbx_token, closed_side["id"]
                                        ).status_code == 200, timeout=20)
