"""The system administrator's catalogue: items, their history, what each reseller may sell
(availability and wholesale price) and each reseller's pricing terms (currency, taxes)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from sbcommon.contracts.catalogue import (
    AvailabilityUpdate,
    ItemCreate,
    ItemUpdate,
    PricingUpdate,
)
from sbcommon.errors import Conflict, Invalid, NotFound

from ..models import Availability, Item, ItemChange, KnownReseller, Pricing, Subscription
from . import money

# A reseller's currency until the administrator sets its pricing terms.
CURRENCY_BY_COUNTRY = {
    "CA": "CAD", "US": "USD", "GB": "GBP", "CH": "CHF", "JP": "JPY", "MA": "MAD",
    "TN": "TND", "BH": "BHD", "KW": "KWD", "SN": "XOF", "CI": "XOF", "ML": "XOF",
    **{c: "EUR" for c in ("FR", "BE", "LU", "MC", "DE", "ES", "IT", "NL", "PT", "IE", "AT")},
}
DEFAULT_CURRENCY = "CAD"


def item_dict(item: Item) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "name_fr": item.name_fr,
            "name_en": item.name_en, "currency": item.currency, "price": item.price,
            "recurrence": item.recurrence, "quantity_rule": item.quantity_rule,
            "device_model": item.device_model, "retired": item.retired_at is not None,
            "retired_at": item.retired_at, "created_at": item.created_at,
            "updated_at": item.updated_at}


def _check_currency(currency: str, field: str) -> None:
    try:
        money.decimals(currency)
    except ValueError as exc:
        raise Invalid(str(exc), [{"field": field, "message": "unsupported currency"}]) from None


def get_item(session: Session, item_id: Any, lock: bool = False) -> Item:
    item = session.get(Item, item_id, with_for_update=lock) if isinstance(item_id, str) \
        and len(item_id) <= 36 else None
    if item is None:
        raise NotFound("no such catalogue item")
    return item


def list_items(session: Session) -> dict[str, Any]:
    rows = session.scalars(select(Item).order_by(Item.kind, Item.name_en, Item.id))
    return {"items": [item_dict(i) for i in rows]}


def create_item(session: Session, data: ItemCreate, by: str, now: datetime,
                device_models: set[str] | None = None) -> dict[str, Any]:
    _check_currency(data.currency, "currency")
    if data.device_model is not None and device_models is not None \
            and data.device_model not in device_models:
        raise Invalid(f"unknown device model {data.device_model!r} (see GET "
                      "/api/v1/device-models)",
                      [{"field": "device_model", "message": "unknown model"}])
    item = Item(id=str(uuid.uuid4()), kind=data.kind, name_fr=data.name_fr,
                name_en=data.name_en, currency=data.currency, price=data.price,
                recurrence=data.recurrence, quantity_rule=data.quantity_rule,
                device_model=data.device_model, created_at=now, updated_at=now)
    session.add(item)
    session.flush()
    session.add(ItemChange(item_id=item.id, changed_by=by, changed_at=now,
                           changes={"created": [None, item_dict(item) | {
                               "created_at": now.isoformat(), "updated_at": now.isoformat(),
                               "retired_at": None}]}))
    return item_dict(item)


def update_item(session: Session, item_id: str, data: ItemUpdate, by: str, now: datetime
                ) -> dict[str, Any]:
    item = get_item(session, item_id, lock=True)
    changes: dict[str, list[Any]] = {}
    for field in ("name_fr", "name_en", "price", "quantity_rule"):
        new = getattr(data, field)
        if new is not None and new != getattr(item, field):
            changes[field] = [getattr(item, field), new]
            setattr(item, field, new)
    if data.retired is not None and data.retired != (item.retired_at is not None):
        if not data.retired:
            raise Conflict("a retired item stays retired; create a new one",
                           [{"field": "retired", "message": "cannot be undone"}])
        changes["retired"] = [False, True]
        item.retired_at = now
    if changes:
        item.updated_at = now
        session.add(ItemChange(item_id=item.id, changed_by=by, changed_at=now,
                               changes=changes))
    return item_dict(item)


def item_history(session: Session, item_id: str) -> dict[str, Any]:
    get_item(session, item_id)
    rows = session.scalars(select(ItemChange).where(ItemChange.item_id == item_id)
                           .order_by(ItemChange.id.desc()))
    return {"items": [{"changed_at": r.changed_at, "changed_by": r.changed_by,
                       "changes": r.changes} for r in rows]}


# -- resellers ---------------------------------------------------------------------------
def remember_reseller(session: Session, reseller_id: str, name: str, country: str,
                      now: datetime) -> None:
    if session.get(KnownReseller, reseller_id) is None:
        session.add(KnownReseller(id=reseller_id, name=name[:200],
                                  country=(country or "").upper()[:2], created_at=now))


def get_reseller(session: Session, reseller_id: Any) -> KnownReseller:
    row = session.get(KnownReseller, reseller_id) if isinstance(reseller_id, str) \
        and len(reseller_id) <= 36 else None
    if row is None:
        raise NotFound("no such reseller")
    return row


def list_resellers(session: Session) -> dict[str, Any]:
    rows = session.scalars(select(KnownReseller).order_by(KnownReseller.name))
    return {"items": [{"id": r.id, "name": r.name, "country": r.country} for r in rows]}


# -- pricing terms ------------------------------------------------------------------------
def pricing_of(session: Session, reseller_id: str) -> dict[str, Any]:
    """The reseller's terms; its country's currency and no tax until they are set."""
    row = session.get(Pricing, reseller_id)
    if row is not None:
        return {"reseller_id": reseller_id, "currency": row.currency,
                "decimals": money.decimals(row.currency), "taxes": row.taxes, "set": True}
    reseller = session.get(KnownReseller, reseller_id)
    currency = CURRENCY_BY_COUNTRY.get(reseller.country if reseller else "", DEFAULT_CURRENCY)
    return {"reseller_id": reseller_id, "currency": currency,
            "decimals": money.decimals(currency), "taxes": [], "set": False}


def set_pricing(session: Session, reseller_id: str, data: PricingUpdate, by: str,
                now: datetime) -> dict[str, Any]:
    get_reseller(session, reseller_id)
    _check_currency(data.currency, "currency")
    for index, tax in enumerate(data.taxes):
        try:
            money.parse_rate(tax.rate)
        except ValueError as exc:
            raise Invalid(str(exc), [{"field": f"taxes.{index}.rate",
                                      "message": str(exc)}]) from None
    current = pricing_of(session, reseller_id)
    if data.currency != current["currency"] and _has_prices(session, reseller_id):
        raise Conflict(f"this reseller already has prices in {current['currency']}; its "
                       "currency can no longer change",
                       [{"field": "currency", "message": "prices exist in another currency"}])
    row = session.get(Pricing, reseller_id, with_for_update=True)
    taxes = [t.model_dump() for t in data.taxes]
    if row is None:
        session.add(Pricing(reseller_id=reseller_id, currency=data.currency, taxes=taxes,
                            updated_by=by, updated_at=now))
    else:
        row.currency, row.taxes, row.updated_by, row.updated_at = (data.currency, taxes, by,
                                                                   now)
    session.flush()
    return pricing_of(session, reseller_id)


def _has_prices(session: Session, reseller_id: str) -> bool:
    return bool(session.scalar(select(
        exists().where(Availability.reseller_id == reseller_id)
        | exists().where(Subscription.reseller_id == reseller_id))))


# -- availability --------------------------------------------------------------------------
def set_availability(session: Session, reseller_id: str, item_id: str,
                     data: AvailabilityUpdate, now: datetime) -> dict[str, Any]:
    get_reseller(session, reseller_id)
    item = get_item(session, item_id)
    if item.retired_at is not None and data.available:
        raise Conflict("this item is retired", [{"field": "available",
                                                 "message": "the item is retired"}])
    row = session.get(Availability, (reseller_id, item_id), with_for_update=True)
    if row is None:
        row = Availability(reseller_id=reseller_id, item_id=item_id)
        session.add(row)
    row.available, row.wholesale_price, row.updated_at = (data.available,
                                                          data.wholesale_price, now)
    session.flush()
    return {"reseller_id": reseller_id, "item_id": item_id, "available": row.available,
            "wholesale_price": row.wholesale_price,
            "currency": pricing_of(session, reseller_id)["currency"]}


def list_availability(session: Session, reseller_id: str) -> dict[str, Any]:
    get_reseller(session, reseller_id)
    currency = pricing_of(session, reseller_id)["currency"]
    rows = session.execute(
        select(Item, Availability)
        .outerjoin(Availability, (Availability.item_id == Item.id)
                   & (Availability.reseller_id == reseller_id))
        .order_by(Item.kind, Item.name_en, Item.id)).all()
    return {"reseller_id": reseller_id, "currency": currency, "items": [
        {**item_dict(item), "available": bool(av and av.available),
         "wholesale_price": av.wholesale_price if av else None,
         "reseller_currency": currency} for item, av in rows]}
