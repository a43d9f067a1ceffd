"""Call-restriction domain: normalisation, emergency numbers, categories, precedence and
the compiled tables (no broker, no database)."""

from __future__ import annotations

import pytest

from sbcommon.errors import Invalid
from services.routing_policy.domain.numbers import classify, clean, rule_value, to_e164
from services.routing_policy.domain.policy import (
    EMPTY,
    CompiledRule,
    CustomerContext,
    LevelTable,
    decide,
)

CA = CustomerContext("c-ca", "r1", "CA", "production")
FR = CustomerContext("c-fr", "r1", "FR", "production")


def rule(n: int, action: str, match: str, value: str, level: str = "reseller") -> CompiledRule:
    return CompiledRule(f"{level}-{n}", action, match, rule_value(match, value), level)


def run(ctx, dialed, customer=(), reseller=(), default="allow", kind="direct"):
    return decide(ctx, dialed, kind, LevelTable.compile(customer), LevelTable.compile(reseller),
                  default)


# -- normalisation ---------------------------------------------------------------------------
@pytest.mark.parametrize("dialed, country, e164", [
    ("514 555 0199", "CA", "+15145550199"),
    ("(514) 555-0199", "CA", "+15145550199"),
    ("1-514-555-0199", "CA", "+15145550199"),
    ("011 44 20 7946 0018", "CA", "+442079460018"),
    ("00 44 20 7946 0018", "CA", "+442079460018"),  # 00 from Canada: still London
    ("+44 20 7946 0018", "CA", "+442079460018"),
    ("01 42 68 53 00", "FR", "+33142685300"),
    ("0033 1 42 68 53 00", "FR", "+33142685300"),
])
def test_dialled_strings_become_e164(dialed, country, e164):
    assert to_e164(clean(dialed), country) == e164


@pytest.mark.parametrize("dialed, words", [
    ("1-800-FLOWERS", "'F'"), ("1' OR '1'='1", "\"'\""), ("5" * 200, "200 characters"),
    ("12", "not a possible"), ("+", "not a possible"), ("  ", "empty"),
    ("5145550199; DROP TABLE rules", "';'"),
])
def test_garbage_is_refused_with_a_reason(dialed, words):
    with pytest.raises(Invalid) as exc:
        to_e164(clean(dialed), "CA")
    assert words in exc.value.message


def test_categories():
    assert classify("+442079460018", "CA").categories == {"international"}
    assert classify("+15145550199", "CA").categories == set()
    assert classify("+12025550123", "CA").categories == {"international"}  # US from Canada
    assert "premium_rate" in classify("+19005550123", "US").categories
    assert "toll_free" in classify("+18005550199", "CA").categories
    assert classify("+881631234567", "FR").categories >= {"satellite", "international"}


@pytest.mark.parametrize("match, value", [
    ("country", "XX"), ("country", "GBR"), ("prefix", "1514"), ("prefix", "+0"),
    ("prefix", "+999"), ("prefix", "+1 514 abc"), ("destination", "+1514"),
    ("category", "premium"), ("prefix", "+1234567890123456"),
])
def test_bad_rule_values(match, value):
    with pytest.raises(Invalid):
        rule_value(match, value)


def test_rule_values_are_canonical():
    assert rule_value("prefix", "+53 7") == "+537"
    assert rule_value("country", "gb") == "GB"
    assert rule_value("destination", "+1 (514) 555-0199") == "+15145550199"


# -- precedence ------------------------------------------------------------------------------
RESELLER = [rule(1, "allow", "category", "international"), rule(2, "deny", "country", "CU"),
            rule(3, "deny", "country", "KP")]
ONE_CUSTOMER = [rule(4, "allow", "prefix", "+537", level="customer")]


def test_the_example_of_the_issue():
    # allow international, deny CU and KP, allow +53 7 only for one customer
    assert run(CA, "011 53 7 123 4567", ONE_CUSTOMER, RESELLER).allow is True
    assert run(CA, "011 53 7 123 4567", ONE_CUSTOMER, RESELLER).level == "customer"
    other = run(FR, "+53 7 123 4567", (), RESELLER)
    assert (other.allow, other.level, other.rule_id) == (False, "reseller", "reseller-2")
    assert "country CU" in other.reason
    assert run(CA, "+53 5 123 4567", ONE_CUSTOMER, RESELLER).allow is False  # CU mobile
    assert run(CA, "+850 2 381 2345", ONE_CUSTOMER, RESELLER).allow is False
    assert run(CA, "+44 20 7946 0018", ONE_CUSTOMER, RESELLER).allow is True


def test_customer_level_beats_reseller_level_even_when_less_specific():
    reseller = [rule(1, "allow", "destination", "+442079460018")]
    customer = [rule(2, "deny", "category", "international", level="customer")]
    verdict = run(CA, "+442079460018", customer, reseller)
    assert (verdict.allow, verdict.level) == (False, "customer")


def test_most_specific_wins_within_a_level():
    rules = [rule(1, "deny", "country", "GB"), rule(2, "allow", "prefix", "+44"),
             rule(3, "deny", "prefix", "+4420"), rule(4, "allow", "destination",
                                                       "+442079460018")]
    assert run(CA, "+442079460018", (), rules).rule_id == "reseller-4"
    assert run(CA, "+442079460019", (), rules).rule_id == "reseller-3"
    assert run(CA, "+441632960123", (), rules).rule_id == "reseller-2"  # prefix > country
    assert run(CA, "+442079460019", (), rules[:1]).rule_id == "reseller-1"


def test_deny_wins_at_equal_specificity():
    rules = [rule(1, "allow", "category", "international"),
             rule(2, "deny", "category", "premium_rate")]
    verdict = run(CA, "+19005550123", (), rules)  # US premium from Canada: both match
    assert (verdict.allow, verdict.rule_id) == (False, "reseller-2")


def test_default_applies_when_nothing_matches():
    assert run(CA, "5145550199", default="deny").level == "default"
    assert run(CA, "5145550199", default="deny").allow is False
    assert run(CA, "5145550199").allow is True


@pytest.mark.parametrize("ctx, dialed", [(CA, "911"), (FR, "15"), (FR, "17"), (FR, "18"),
                                         (FR, "112"), (CustomerContext("g", "r", "GB", "x"),
                                                       "999")])
def test_emergency_numbers_are_always_allowed(ctx, dialed):
    deny_all = [rule(1, "deny", "prefix", "+1"), rule(2, "deny", "prefix", "+33")]
    verdict = run(ctx, dialed, deny_all, deny_all, default="deny")
    assert (verdict.allow, verdict.level, verdict.rule_id) == (True, "emergency", None)


def test_forward_and_transfer_are_checked_like_direct_calls():
    rules = [rule(1, "deny", "country", "CU")]
    for kind in ("forward", "transfer"):
        verdict = run(CA, "+5371234567", (), rules, kind=kind)
        assert verdict.allow is False and verdict.kind == kind and kind in verdict.reason


def test_closed_customer_can_only_call_emergency():
    closed = CustomerContext("c", "r", "CA", "closed")
    assert run(closed, "5145550199").allow is False
    assert run(closed, "911").allow is True


def test_a_big_table_finds_the_longest_prefix():
    # How fast a lookup is beside a 10-rule table is bench_routing_policy.py's (a).
    big = LevelTable.compile(CompiledRule(str(i), "deny", "prefix", f"+1{i:07d}", "reseller")
                             for i in range(10_000))
    longer = LevelTable.compile([*(CompiledRule(str(i), "deny", "prefix", f"+1{i:07d}",
                                                "reseller") for i in range(10_000)),
                                 CompiledRule("long", "allow", "prefix", "+100001234",
                                              "reseller")])
    assert big.size == 10_000 and EMPTY.match(classify("+15145550199", "CA")) is None
    found = big.match(classify("+10000123456", "CA"))
    assert found is not None and found.id == "123"
    assert longer.match(classify("+10000123456", "CA")).id == "long"
    assert big.match(classify("+33142685300", "FR")) is None
