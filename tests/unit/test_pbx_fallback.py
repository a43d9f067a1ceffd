"""The PBX's answer while call restrictions are unavailable (gateway.pbx_fallback)."""

from __future__ import annotations

from gateway.areas.call_restrictions.pbx_fallback import PbxFallbacks

ANSWER = {"allow": True, "country": "FR", "when_unavailable": "allow"}


def test_fail_open_reseller_allows_and_emergency_always_passes():
    memory = PbxFallbacks(size=10, default_country="CA")
    memory.remember("tok", "c1", None, ANSWER)
    assert memory.decide("tok", "c1", None, "0145678901")["allow"] is True
    emergency = memory.decide("tok", "c1", None, "112")
    assert emergency["allow"] is True and "emergency number in FR" in emergency["reason"]
    assert emergency["level"] == "unavailable"


def test_fail_closed_reseller_denies_all_but_emergency_numbers():
    memory = PbxFallbacks(size=10, default_country="CA")
    memory.remember("tok", "c1", None, {**ANSWER, "when_unavailable": "deny"})
    denied = memory.decide("tok", "c1", None, "+33 1 45 67 89 01")
    assert denied["allow"] is False and "unavailable" in denied["reason"]
    assert memory.decide("tok", "c1", None, "15")["allow"] is True  # SAMU in France
    assert memory.decide("tok", "c1", None, "911")["allow"] is False  # not in France


def test_unknown_customer_or_other_token_is_fail_closed_in_the_default_country():
    memory = PbxFallbacks(size=10, default_country="CA")
    memory.remember("tok", "c1", None, ANSWER)
    # Another reseller's token learns nothing about this customer.
    assert memory.decide("other", "c1", None, "0145678901")["allow"] is False
    assert memory.decide("other", "c1", None, "911")["allow"] is True
    assert memory.decide("tok", "c2", None, "5145550100")["allow"] is False


def test_callers_are_remembered_and_memory_is_bounded():
    memory = PbxFallbacks(size=2, default_country="CA")
    memory.remember("tok", None, "+33 1 45 67 89 01", ANSWER)
    assert memory.decide("tok", None, "+33145678901", "0145678901")["allow"] is True
    memory.remember("tok", "a", None, ANSWER)
    memory.remember("tok", "b", None, ANSWER)
    assert memory.decide("tok", None, "+33145678901", "0145678901")["allow"] is False
