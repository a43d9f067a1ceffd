"""Subscriptions: a customer's plan, options, devices and fees, changed by its reseller or by
the subscriber, effective at once, with a kept history (who, when, old → new) and a
``subscription_changed`` event; and the priced statement of a subscription."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.catalogue import SubscriptionUpdate
from sbcommon.errors import Conflict, Forbidden, Invalid

from ..models import (
    AppliedPromotion,
    Item,
    PromotionRow,
    Subscription,
    SubscriptionChange,
    SubscriptionLine,
)
from . import money, pricing
from . import promotions as promos
from .items import pricing_of
from .offers import choices, offered_items

SUBSCRIPTION_CHANGED = "subscription_changed"


def _lines(session: Session, customer_id: str) -> list[tuple[SubscriptionLine, Item]]:
    return list(session.execute(
        select(SubscriptionLine, Item).join(Item, Item.id == SubscriptionLine.item_id)
        .where(SubscriptionLine.customer_id == customer_id)
        .order_by(Item.kind, Item.name_en, Item.id)).tuples())


def _applied(session: Session, customer_id: str
             ) -> list[tuple[AppliedPromotion, PromotionRow]]:
    return list(session.execute(
        select(AppliedPromotion, PromotionRow)
        .join(PromotionRow, PromotionRow.id == AppliedPromotion.promotion_id)
        .where(AppliedPromotion.customer_id == customer_id)
        .order_by(AppliedPromotion.starts_on, PromotionRow.id)).tuples())


def _snapshot(session: Session, customer_id: str) -> dict[str, Any]:
    return {"lines": [{"item_id": line.item_id, "name_en": item.name_en,
                       "name_fr": item.name_fr, "quantity": line.quantity,
                       "unit_price": line.unit_price}
                      for line, item in _lines(session, customer_id)],
            "promotions": [p.promotion_id for p, _row in _applied(session, customer_id)]}


def _check_lines(data: SubscriptionUpdate, offer: dict[str, tuple[Item, int]]
                 ) -> list[tuple[Item, int, int]]:
    """(item, quantity, unit price) per line, or a 422 naming the line at fault."""
    seen: set[str] = set()
    out = []
    for index, line in enumerate(data.lines):
        field = f"lines.{index}.item_id"
        if line.item_id not in offer:
            raise Invalid(f"item {line.item_id!r} is not in the reseller's offer",
                          [{"field": field, "message": "not offered"}])
        if line.item_id in seen:
            raise Invalid("an item appears twice; give it once with its quantity",
                          [{"field": field, "message": "duplicate"}])
        seen.add(line.item_id)
        item, price = offer[line.item_id]
        if item.quantity_rule == "account" and line.quantity != 1:
            raise Invalid(f"{item.name_en} is per account: its quantity is 1",
                          [{"field": f"lines.{index}.quantity", "message": "must be 1"}])
        out.append((item, line.quantity, price))
    plans = [item for item, _q, _p in out if item.kind == "plan"]
    if len(plans) != 1:
        raise Invalid("a subscription has exactly one plan",
                      [{"field": "lines", "message": f"{len(plans)} plans given"}])
    return out


def _promotion(session: Session, who: Actor, reseller_id: str, promotion_id: str,
               currency: str, existing: Subscription | None) -> PromotionRow:
    if who.role == Role.CUSTOMER:
        raise Forbidden("promotions are applied by your reseller")
    if existing is not None:
        raise Conflict("a promotion applies only when a subscription starts (new "
                       "subscribers); this customer already has one",
                       [{"field": "promotion_id", "message": "not a new subscriber"}])
    row = promos.enabled_for(session, reseller_id, promotion_id)
    if row is None:
        raise Invalid("no such promotion enabled for this reseller",
                      [{"field": "promotion_id", "message": "not enabled"}])
    if row.currency is not None and row.currency != currency:
        raise Invalid(f"this promotion is in {row.currency}; the reseller sells in {currency}",
                      [{"field": "promotion_id", "message": "another currency"}])
    return row


def set_subscription(session: Session, outbox: Any, who: Actor, customer: Any,
                     data: SubscriptionUpdate, now: datetime) -> dict[str, Any]:
    """Replace the customer's subscription (``customer``: its scoped copy, locked)."""
    if who.is_plain_user:
        raise Forbidden("your account's administrators change its subscription")
    if customer.status == "closed":
        raise Conflict("this account is closed")
    reseller_id = customer.reseller_id
    existing = session.get(Subscription, customer.id, with_for_update=True)
    currency = existing.currency if existing else pricing_of(session, reseller_id)["currency"]
    checked = _check_lines(data, offered_items(session, reseller_id))
    promotion = None
    if data.promotion_id is not None:
        promotion = _promotion(session, who, reseller_id, data.promotion_id, currency, existing)
    today = now.date()
    old = _snapshot(session, customer.id) if existing else None
    if existing is None:
        existing = Subscription(customer_id=customer.id, reseller_id=reseller_id,
                                currency=currency, started_on=today, version=0)
        session.add(existing)
    existing.version += 1
    existing.updated_at = now
    session.flush()
    session.execute(delete(SubscriptionLine).where(SubscriptionLine.customer_id == customer.id))
    for item, quantity, price in checked:
        session.add(SubscriptionLine(customer_id=customer.id, item_id=item.id,
                                     quantity=quantity, unit_price=price))
    if promotion is not None:
        session.add(AppliedPromotion(
            customer_id=customer.id, promotion_id=promotion.id, starts_on=today,
            ends_on=promos.add_months(today, promotion.months) if promotion.months else None,
            applied_by=who.user_id))
    session.flush()
    new = _snapshot(session, customer.id)
    session.add(SubscriptionChange(customer_id=customer.id, reseller_id=reseller_id,
                                   changed_by=who.user_id, role=who.role.value,
                                   changed_at=now, old=old, new=new))
    outbox.record(session, SUBSCRIPTION_CHANGED, {
        "reseller_id": reseller_id, "customer_id": customer.id, "version": existing.version,
        "currency": currency, "lines": [{k: line[k] for k in ("item_id", "quantity",
                                                               "unit_price")}
                                        for line in new["lines"]],
        "promotions": new["promotions"], "changed_by": who.user_id, "role": who.role.value})
    return view(session, customer, today)


def statement(session: Session, customer: Any, today: date,
              trial_ends_on: date | None = None) -> dict[str, Any]:
    """The priced statement of ``customer``'s subscription on ``today``."""
    sub = session.get(Subscription, customer.id)
    pricing_terms = pricing_of(session, customer.reseller_id)
    currency = sub.currency if sub else pricing_terms["currency"]
    lines = [pricing.Line(item.id, item.kind, item.recurrence, item.name_fr, item.name_en,
                          line.quantity, line.unit_price)
             for line, item in _lines(session, customer.id)]
    applied = _applied(session, customer.id)
    promotions = [pricing.Promotion(
        row.id, row.name_fr, row.name_en, frozenset(row.kinds), percent=row.percent,
        amount_off=row.amount_off, months=row.months, starts_on=ap.starts_on,
        ends_on=ap.ends_on, item_id=row.item_id) for ap, row in applied]
    taxes = [pricing.Tax(t["name"], money.parse_rate(t["rate"]), frozenset(t["kinds"]))
             for t in pricing_terms["taxes"]]
    priced = pricing.statement(lines, promotions, taxes, today, trial_ends_on)
    return {"customer_id": customer.id, "currency": currency,
            "decimals": money.decimals(currency), "on": today, **priced,
            "promotions": [{"promotion_id": row.id, "name_fr": row.name_fr,
                            "name_en": row.name_en, "starts_on": ap.starts_on,
                            "ends_on": ap.ends_on} for ap, row in applied]}


def view(session: Session, customer: Any, today: date) -> dict[str, Any]:
    sub = session.get(Subscription, customer.id)
    priced = statement(session, customer, today)
    return {"customer_id": customer.id, "reseller_id": customer.reseller_id,
            "currency": priced["currency"], "started_on": sub.started_on if sub else None,
            "version": sub.version if sub else 0, "lines": priced["lines"],
            "promotions": priced["promotions"], "statement": priced,
            "choices": choices(session, customer.reseller_id),
            "new_subscriber": sub is None, "updated_at": sub.updated_at if sub else None}


def history(session: Session, customer_id: str) -> dict[str, Any]:
    rows = session.scalars(select(SubscriptionChange)
                           .where(SubscriptionChange.customer_id == customer_id)
                           .order_by(SubscriptionChange.id.desc()).limit(200))
    return {"items": [{"changed_at": r.changed_at, "changed_by": r.changed_by,
                       "role": r.role, "old": r.old, "new": r.new} for r in rows]}
