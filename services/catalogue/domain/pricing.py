"""A subscription's priced statement: lines, promotions, taxes and totals (pure arithmetic).

Rules, in the order they are applied (see ``money`` for the rounding rule):

- a line's amount is quantity × unit price (exact);
- a line gets at most one promotion, the one that takes most off it (promotions do not
  stack); a percentage is rounded half to even on the line, an amount off never takes a
  line below 0;
- a promotion with a length in months discounts the monthly lines it applies to from the
  day the subscription started until its end date (excluded); a promotion without a length
  discounts the one-time lines it applies to (e.g. an activation fee); the free trial counts
  as a 100 % promotion of every monthly line until the trial ends;
- each tax is computed per line type (plan, option, device, fee) on the sum of that type's
  net amounts, rounded half to even once: regulators want the tax shown per line type;
- every total is the exact sum of amounts already rounded.

The monthly total is given twice: today, and once every promotion has ended (the same lines
at full price), so a subscriber sees what they will pay when "the first 6 months" are over.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .money import RATE_SCALE, format_rate, percent_of

KINDS = ("plan", "option", "device", "fee")
MONTHLY = "monthly"
ONCE = "once"


@dataclass(frozen=True)
class Line:
    item_id: str
    kind: str
    recurrence: str  # MONTHLY or ONCE
    name_fr: str
    name_en: str
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class Promotion:
    promotion_id: str
    name_fr: str
    name_en: str
    kinds: frozenset[str]
    percent: int | None = None  # thousandths of a percent (20 % == 20000)
    amount_off: int | None = None  # minor units, per line
    months: int | None = None  # None: a one-time discount
    starts_on: date | None = None
    ends_on: date | None = None  # excluded; None for a one-time discount
    item_id: str | None = None  # only this item, when set

    def applies(self, line: Line, today: date) -> bool:
        if line.kind not in self.kinds or (self.item_id and self.item_id != line.item_id):
            return False
        if self.months is None:
            return line.recurrence == ONCE
        if line.recurrence != MONTHLY:
            return False
        started = self.starts_on is None or self.starts_on <= today
        return started and (self.ends_on is None or today < self.ends_on)

    def discount(self, gross: int) -> int:
        if self.percent is not None:
            return min(gross, percent_of(gross, self.percent))
        return min(gross, max(0, self.amount_off or 0))


@dataclass(frozen=True)
class Tax:
    name: str
    rate: int  # thousandths of a percent (GST 5 % == 5000, QST 9.975 % == 9975)
    kinds: frozenset[str] = field(default_factory=lambda: frozenset(KINDS))


def trial_promotion(ends_on: date) -> Promotion:
    return Promotion("trial", "Essai gratuit", "Free trial", frozenset(KINDS),
                     percent=RATE_SCALE, months=0, ends_on=ends_on)


def _priced_line(line: Line, promotions: Sequence[Promotion], today: date) -> dict[str, Any]:
    gross = line.quantity * line.unit_price
    best: Promotion | None = None
    discount = 0
    for promo in promotions:
        if promo.applies(line, today):
            off = promo.discount(gross)
            if off > discount:
                best, discount = promo, off
    return {
        "item_id": line.item_id, "kind": line.kind, "recurrence": line.recurrence,
        "name_fr": line.name_fr, "name_en": line.name_en, "quantity": line.quantity,
        "unit_price": line.unit_price, "amount": gross, "discount": discount,
        "net": gross - discount,
        "promotion": None if best is None else {
            "promotion_id": best.promotion_id, "name_fr": best.name_fr,
            "name_en": best.name_en,
            "ends_on": best.ends_on.isoformat() if best.ends_on else None},
    }


def _taxes(lines: Iterable[dict[str, Any]], taxes: Sequence[Tax]) -> list[dict[str, Any]]:
    base_by_kind: dict[str, int] = {}
    for line in lines:
        base_by_kind[line["kind"]] = base_by_kind.get(line["kind"], 0) + line["net"]
    out = []
    for tax in taxes:
        for kind in KINDS:
            base = base_by_kind.get(kind, 0)
            if kind in tax.kinds and base:
                out.append({"name": tax.name, "rate": format_rate(tax.rate), "kind": kind,
                            "base": base, "amount": percent_of(base, tax.rate)})
    return out


def _section(lines: list[dict[str, Any]], taxes: Sequence[Tax]) -> dict[str, Any]:
    tax_lines = _taxes(lines, taxes)
    subtotal = sum(line["amount"] for line in lines)
    discounts = sum(line["discount"] for line in lines)
    tax_total = sum(t["amount"] for t in tax_lines)
    return {"subtotal": subtotal, "discounts": discounts, "net": subtotal - discounts,
            "taxes": tax_lines, "tax_total": tax_total,
            "total": subtotal - discounts + tax_total}


def statement(lines: Sequence[Line], promotions: Sequence[Promotion], taxes: Sequence[Tax],
              today: date, trial_ends_on: date | None = None) -> dict[str, Any]:
    """The priced statement of ``lines`` on ``today`` (see the module's rules)."""
    promos = list(promotions)
    if trial_ends_on is not None and today < trial_ends_on:
        promos.append(trial_promotion(trial_ends_on))
    priced = [_priced_line(line, promos, today) for line in lines]
    monthly = [p for p in priced if p["recurrence"] == MONTHLY]
    once = [p for p in priced if p["recurrence"] == ONCE]
    full = [{**p, "discount": 0, "net": p["amount"], "promotion": None} for p in monthly]
    ends = [p["promotion"]["ends_on"] for p in monthly
            if p["promotion"] and p["promotion"]["ends_on"]]
    return {
        "lines": priced,
        "monthly": _section(monthly, taxes),
        "monthly_after_promotions": {**_section(full, taxes),
                                     "full_price_from": max(ends) if ends else None},
        "one_time": _section(once, taxes),
    }
