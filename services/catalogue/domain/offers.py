"""A reseller's offer: of what the administrator made available to it, what it sells and at
what retail price. A reseller never sees an item that was not made available to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sbcommon.contracts.catalogue import OfferUpdate
from sbcommon.errors import Invalid, NotFound

from ..models import Availability, Item, Offer
from .items import pricing_of


def _available(reseller_id: str) -> Any:
    """Items available to the reseller and not retired, with its offer (if any)."""
    return (select(Item, Availability, Offer)
            .join(Availability, (Availability.item_id == Item.id)
                  & (Availability.reseller_id == reseller_id))
            .outerjoin(Offer, (Offer.item_id == Item.id) & (Offer.reseller_id == reseller_id))
            .where(Availability.available.is_(True), Item.retired_at.is_(None)))


def _offer_item(item: Item, av: Availability, offer: Offer | None, currency: str
                ) -> dict[str, Any]:
    offered = bool(offer and offer.offered)
    retail = offer.retail_price if offer else None
    return {"item_id": item.id, "kind": item.kind, "name_fr": item.name_fr,
            "name_en": item.name_en, "recurrence": item.recurrence,
            "quantity_rule": item.quantity_rule, "device_model": item.device_model,
            "currency": currency, "wholesale_price": av.wholesale_price, "offered": offered,
            "retail_price": retail,
            "below_wholesale": retail is not None and retail < av.wholesale_price}


def list_offer(session: Session, reseller_id: str) -> dict[str, Any]:
    pricing = pricing_of(session, reseller_id)
    rows = session.execute(_available(reseller_id).order_by(Item.kind, Item.name_en,
                                                            Item.id)).all()
    return {"currency": pricing["currency"], "decimals": pricing["decimals"],
            "items": [_offer_item(i, a, o, pricing["currency"]) for i, a, o in rows]}


def set_offer(session: Session, reseller_id: str, item_id: Any, data: OfferUpdate, by: str,
              now: datetime) -> dict[str, Any]:
    found = session.execute(_available(reseller_id).where(Item.id == item_id)).first() \
        if isinstance(item_id, str) and len(item_id) <= 36 else None
    if found is None:  # not made available to this reseller: as if it did not exist
        raise NotFound("no such catalogue item")
    item, av, offer = found
    if data.offered and data.retail_price is None and offer is None:
        raise Invalid("give the retail price of an item you offer",
                      [{"field": "retail_price", "message": "required"}])
    if offer is None:
        offer = Offer(reseller_id=reseller_id, item_id=item.id)
        session.add(offer)
    offer.offered = data.offered
    if data.retail_price is not None:
        offer.retail_price = data.retail_price
    offer.updated_by, offer.updated_at = by, now
    session.flush()
    return _offer_item(item, av, offer, pricing_of(session, reseller_id)["currency"])


def offered_items(session: Session, reseller_id: str) -> dict[str, tuple[Item, int]]:
    """What the reseller sells today: item id → (item, retail price)."""
    rows = session.execute(_available(reseller_id).where(Offer.offered.is_(True))).all()
    return {i.id: (i, o.retail_price) for i, _a, o in rows}


def choices(session: Session, reseller_id: str) -> list[dict[str, Any]]:
    """The offer as a customer sees it: retail prices only."""
    return [{"item_id": i.id, "kind": i.kind, "name_fr": i.name_fr, "name_en": i.name_en,
             "recurrence": i.recurrence, "quantity_rule": i.quantity_rule,
             "unit_price": price}
            for i, price in sorted(offered_items(session, reseller_id).values(),
                                   key=lambda p: (p[0].kind, p[0].name_en, p[0].id))]


def public_offer(session: Session, reseller_id: Any) -> dict[str, Any]:
    """The plans a visitor may sign up for, at retail prices, and the enabled promotions."""
    if not isinstance(reseller_id, str) or len(reseller_id) > 36:
        raise NotFound("no such reseller")
    from .promotions import list_enabled

    pricing = pricing_of(session, reseller_id)
    plans = [c for c in choices(session, reseller_id) if c["kind"] == "plan"]
    return {"currency": pricing["currency"], "decimals": pricing["decimals"], "plans": plans,
            "promotions": list_enabled(session, reseller_id)["items"]}
