"""The catalogue's money arithmetic: one rounding rule, statements that add up to the unit in
currencies with 0, 2 and 3 decimals, promotions and the free trial, taxes per line type."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.catalogue.domain import money, pricing
from services.catalogue.domain.promotions import add_months

TODAY = date(2026, 11, 27)
CURRENCIES = sorted(money.DECIMALS)


def line(kind: str = "plan", qty: int = 1, unit: int = 2999, item: str = "i1",
         recurrence: str | None = None) -> pricing.Line:
    rec = recurrence or ("once" if kind == "device" else "monthly")
    return pricing.Line(item, kind, rec, f"{item} fr", f"{item} en", qty, unit)


GST = pricing.Tax("GST", 5000)
QST = pricing.Tax("QST", 9975)


# -- rounding and rates ---------------------------------------------------------------------
def test_half_to_even_is_the_rule():
    assert money.round_half_even(Fraction(5, 2)) == 2
    assert money.round_half_even(Fraction(7, 2)) == 4
    assert money.percent_of(10, 5000) == 0  # 0.5 → 0
    assert money.percent_of(30, 5000) == 2  # 1.5 → 2
    assert money.percent_of(1000, 9975) == 100  # 99.75 → 100


def test_rates_parse_and_print_exactly():
    assert money.parse_rate("9.975") == 9975
    assert money.parse_rate("5") == 5000
    assert money.format_rate(9975) == "9.975"
    assert money.format_rate(5000) == "5"
    assert money.format_rate(12500) == "12.5"
    for bad in ("", "abc", "1.2345", "101", "-5"):
        with pytest.raises(ValueError):
            money.parse_rate(bad)


@pytest.mark.parametrize(("currency", "text", "amount"), [
    ("CAD", "19.99", 1999), ("JPY", "500", 500), ("BHD", "1.250", 1250), ("EUR", "3,5", 350)])
def test_amounts_typed_in_the_portal(currency, text, amount):
    assert money.parse_amount(text, currency) == amount
    assert money.parse_amount(money.to_text(amount, currency), currency) == amount


def test_more_decimals_than_the_currency_is_refused_not_rounded():
    with pytest.raises(ValueError, match="0 decimal"):
        money.parse_amount("1.5", "JPY")
    with pytest.raises(ValueError, match="unsupported"):
        money.decimals("XYZ")


@given(st.sampled_from(CURRENCIES), st.integers(0, 10**12))
def test_text_round_trips_in_every_currency(currency, amount):
    assert money.parse_amount(money.to_text(amount, currency), currency) == amount


# -- the statement ----------------------------------------------------------------------------
def test_plan_options_and_quebec_taxes():
    got = pricing.statement([line("plan", 3, 2500, "plan"), line("option", 2, 499, "rec")],
                            [], [GST, QST], TODAY)
    monthly = got["monthly"]
    assert monthly["subtotal"] == 7500 + 998
    # per line type: plan base 7500, option base 998
    taxes = {(t["name"], t["kind"]): t["amount"] for t in monthly["taxes"]}
    assert taxes == {("GST", "plan"): 375, ("GST", "option"): 50,  # 49.9 → 50
                     ("QST", "plan"): 748,  # 748.125 → 748
                     ("QST", "option"): 100}  # 99.5505 → 100
    assert monthly["total"] == 8498 + 375 + 50 + 748 + 100


def test_twenty_percent_for_six_months_then_full_price():
    promo = pricing.Promotion("p", "20 %", "20 %", frozenset({"plan", "option"}), percent=20000,
                              months=6, starts_on=TODAY, ends_on=add_months(TODAY, 6))
    got = pricing.statement([line("plan", 1, 3333)], [promo], [GST], TODAY)
    assert got["lines"][0]["discount"] == 667  # 666.6 → 667
    assert got["lines"][0]["promotion"]["ends_on"] == "2027-05-27"
    assert got["monthly"]["net"] == 2666
    assert got["monthly_after_promotions"]["net"] == 3333
    assert got["monthly_after_promotions"]["full_price_from"] == "2027-05-27"
    later = pricing.statement([line("plan", 1, 3333)], [promo], [GST], date(2027, 5, 27))
    assert later["lines"][0]["discount"] == 0 and later["lines"][0]["promotion"] is None


def test_free_trial_is_a_full_discount_until_it_ends():
    ends = TODAY + timedelta(days=30)
    got = pricing.statement([line("plan", 2, 2000), line("device", 1, 9900, "dev")], [],
                            [GST], TODAY, trial_ends_on=ends)
    assert got["monthly"]["total"] == 0
    assert got["lines"][0]["promotion"]["promotion_id"] == "trial"
    assert got["one_time"]["total"] == 9900 + 495  # a device is bought, trial or not
    assert got["monthly_after_promotions"]["total"] == 4000 + 200


def test_amount_off_a_one_time_fee_never_goes_below_zero():
    promo = pricing.Promotion("a", "Activation", "Activation", frozenset({"fee"}),
                              amount_off=5000)
    got = pricing.statement([line("plan"), line("fee", 1, 3000, "act", "once")], [promo], [],
                            TODAY)
    fee = next(x for x in got["lines"] if x["kind"] == "fee")
    assert fee["discount"] == 3000 and fee["net"] == 0
    assert got["monthly"]["discounts"] == 0  # a one-time promotion leaves monthly lines alone


def test_promotions_do_not_stack_the_largest_wins():
    small = pricing.Promotion("s", "s", "s", frozenset({"plan"}), percent=10000, months=3,
                              starts_on=TODAY, ends_on=add_months(TODAY, 3))
    big = pricing.Promotion("b", "b", "b", frozenset({"plan"}), percent=100000, months=1,
                            starts_on=TODAY, ends_on=add_months(TODAY, 1))
    got = pricing.statement([line("plan", 1, 1000)], [small, big], [], TODAY)
    assert got["lines"][0]["promotion"]["promotion_id"] == "b"
    assert got["monthly"]["total"] == 0


def test_month_arithmetic_keeps_the_day_or_the_months_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 27), 6) == date(2027, 5, 27)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


# -- properties: everything adds up, in every currency -----------------------------------------
KINDS = st.sampled_from(pricing.KINDS)
LINES = st.lists(st.builds(
    lambda kind, qty, unit, n, once: line(kind, qty, unit, f"item{n}",
                                          "once" if kind == "device" or (kind == "fee" and once)
                                          else "monthly"),
    KINDS, st.integers(1, 500), st.integers(0, 10**7), st.integers(0, 10**6), st.booleans()),
    max_size=12)
RATES = st.integers(1, 100_000)
TAXES = st.lists(st.builds(lambda name, rate, kinds: pricing.Tax(name, rate, frozenset(kinds)),
                           st.sampled_from(["GST", "QST", "HST", "VAT"]), st.integers(0, 30_000),
                           st.sets(KINDS, min_size=1)), max_size=3)
PROMOS = st.lists(st.one_of(
    st.builds(lambda p, m, kinds: pricing.Promotion(
        f"pct{p}{m}", "p", "p", frozenset(kinds), percent=p, months=m,
        starts_on=TODAY, ends_on=add_months(TODAY, m)), RATES, st.integers(1, 24),
        st.sets(KINDS, min_size=1)),
    st.builds(lambda a, kinds: pricing.Promotion(
        f"amt{a}", "a", "a", frozenset(kinds), amount_off=a), st.integers(1, 10**6),
        st.sets(KINDS, min_size=1))), max_size=3)


@settings(max_examples=300, deadline=None)
@given(LINES, PROMOS, TAXES, st.sampled_from(CURRENCIES),
       st.one_of(st.none(), st.integers(-5, 40)))
def test_a_statement_adds_up_exactly(lines, promos, taxes, currency, trial_days):
    trial = None if trial_days is None else TODAY + timedelta(days=trial_days)
    got = pricing.statement(lines, promos, taxes, TODAY, trial)
    for priced in got["lines"]:
        assert priced["amount"] == priced["quantity"] * priced["unit_price"]
        assert 0 <= priced["discount"] <= priced["amount"]
        assert priced["net"] == priced["amount"] - priced["discount"]
        if priced["promotion"] is None:
            assert priced["discount"] == 0
    for name in ("monthly", "monthly_after_promotions", "one_time"):
        section = got[name]
        kinds = [x for x in got["lines"]
                 if x["recurrence"] == ("once" if name == "one_time" else "monthly")]
        if name == "monthly_after_promotions":
            kinds = [{**x, "discount": 0, "net": x["amount"]} for x in kinds]
        assert section["subtotal"] == sum(x["amount"] for x in kinds)
        assert section["discounts"] == sum(x["discount"] for x in kinds)
        assert section["net"] == sum(x["net"] for x in kinds)
        for tax in section["taxes"]:
            assert tax["base"] == sum(x["net"] for x in kinds if x["kind"] == tax["kind"])
            exact = Fraction(tax["base"] * money.parse_rate(tax["rate"]), money.RATE_SCALE)
            assert abs(tax["amount"] - exact) <= Fraction(1, 2)
            if abs(tax["amount"] - exact) == Fraction(1, 2):
                assert tax["amount"] % 2 == 0  # a tie goes to the even unit
        assert section["tax_total"] == sum(t["amount"] for t in section["taxes"])
        assert section["total"] == section["net"] + section["tax_total"]
        # the amounts print and read back in the currency's minor unit, to the unit
        assert money.parse_amount(money.to_text(section["total"], currency),
                                  currency) == section["total"]
    assert got["monthly_after_promotions"]["total"] >= got["monthly"]["total"]


@given(st.integers(0, 10**12), RATES)
def test_a_percentage_is_within_half_a_unit_and_ties_go_even(amount, rate):
    off = money.percent_of(amount, rate)
    exact = Fraction(amount * rate, money.RATE_SCALE)
    assert abs(off - exact) <= Fraction(1, 2)
    assert abs(off - exact) < Fraction(1, 2) or off % 2 == 0
