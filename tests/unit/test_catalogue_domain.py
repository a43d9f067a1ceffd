"""The catalogue's domain against real PostgreSQL: items kept with their history when
retired, availability and offers per reseller, subscriptions (checks, history, the event
through the outbox), promotions only when a subscription starts, pricing terms."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sbcommon.actor import Actor, Role
from sbcommon.contracts.catalogue import (
    AvailabilityUpdate,
    ItemCreate,
    ItemUpdate,
    OfferUpdate,
    PricingUpdate,
    PromotionCreate,
    PromotionEnable,
    SubscriptionUpdate,
)
from sbcommon.errors import Conflict, Forbidden, Invalid, NotFound
from sbcommon.outbox import EventRecorder
from services.catalogue.domain import items, offers, promotions, subscriptions
from services.catalogue.models import KnownCustomer, outbox

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


@pytest.fixture
def db(databases):
    return databases["catalogue"]


def _id() -> str:
    return str(uuid.uuid4())


def _reseller(session, country: str = "CA") -> str:
    rid = _id()
    items.remember_reseller(session, rid, f"R {rid[:6]}", country, NOW)
    return rid


def _item(session, kind: str = "plan", price: int = 1000, **extra) -> dict:
    return items.create_item(session, ItemCreate.model_validate({
        "kind": kind, "name_fr": f"{kind} fr", "name_en": f"{kind} en", "currency": "CAD",
        "price": price, **extra}), "admin", NOW)


def _sell(session, rid: str, item: dict, retail: int) -> None:
    items.set_availability(session, rid, item["id"],
                           AvailabilityUpdate(wholesale_price=item["price"]), NOW)
    offers.set_offer(session, rid, item["id"], OfferUpdate(retail_price=retail), "r", NOW)


def _customer(session, rid: str, status: str = "production") -> KnownCustomer:
    row = KnownCustomer(id=_id(), reseller_id=rid, status=status, name="C", country="CA",
                        version=1)
    session.add(row)
    session.flush()
    return row


def test_a_retired_item_keeps_its_history_and_leaves_the_offer(db):
    with db.begin() as s:
        rid = _reseller(s)
        plan = _item(s)
        _sell(s, rid, plan, 1500)
        items.update_item(s, plan["id"], ItemUpdate(price=1200), "admin", NOW)
        retired = items.update_item(s, plan["id"], ItemUpdate(retired=True), "admin", NOW)
        assert retired["retired"] and retired["retired_at"] == NOW
        history = items.item_history(s, plan["id"])["items"]
        assert [list(h["changes"]) for h in history] == [["retired"], ["price"], ["created"]]
        assert history[1]["changes"]["price"] == [1000, 1200]
        assert offers.list_offer(s, rid)["items"] == []
        with pytest.raises(Conflict):
            items.set_availability(s, rid, plan["id"], AvailabilityUpdate(wholesale_price=1),
                                   NOW)
        with pytest.raises(Conflict):
            items.update_item(s, plan["id"], ItemUpdate(retired=False), "admin", NOW)


def test_offers_are_per_reseller_and_warn_under_wholesale(db):
    with db.begin() as s:
        mine, other = _reseller(s), _reseller(s)
        plan = _item(s, price=2000)
        items.set_availability(s, other, plan["id"], AvailabilityUpdate(wholesale_price=2000),
                               NOW)
        with pytest.raises(NotFound):
            offers.set_offer(s, mine, plan["id"], OfferUpdate(retail_price=1), "r", NOW)
        saved = offers.set_offer(s, other, plan["id"], OfferUpdate(retail_price=1999), "r",
                                 NOW)
        assert saved["below_wholesale"] and saved["currency"] == "CAD"
        with pytest.raises(Invalid):  # offered with no price ever given
            offers.set_offer(s, other, _item_available(s, other)["id"],
                             OfferUpdate(offered=True), "r", NOW)


def _item_available(s, rid: str) -> dict:
    item = _item(s, "option", 100)
    items.set_availability(s, rid, item["id"], AvailabilityUpdate(wholesale_price=100), NOW)
    return item


def test_default_currency_follows_the_country_and_is_fixed_once_priced(db):
    with db.begin() as s:
        japan = _reseller(s, "JP")
        assert items.pricing_of(s, japan)["currency"] == "JPY"
        assert items.pricing_of(s, japan)["decimals"] == 0
        items.set_pricing(s, japan, PricingUpdate(currency="BHD"), "admin", NOW)  # no prices
        _item_available(s, japan)
        with pytest.raises(Conflict):
            items.set_pricing(s, japan, PricingUpdate(currency="JPY"), "admin", NOW)
        with pytest.raises(NotFound):
            items.set_pricing(s, _id(), PricingUpdate(currency="CAD"), "admin", NOW)


def test_subscription_history_event_and_promotion_only_at_the_start(db):
    recorder = EventRecorder(outbox)
    with db.begin() as s:
        rid = _reseller(s)
        reseller_actor = Actor(user_id=_id(), role=Role.RESELLER, reseller_id=rid)
        plan, option = _item(s, "plan", 2000, quantity_rule="user"), _item(s, "option", 200)
        _sell(s, rid, plan, 2999)
        _sell(s, rid, option, 499)
        promo = promotions.create(s, PromotionCreate.model_validate({
            "name_fr": "Premier mois", "name_en": "First month", "percent": "100",
            "months": 1, "kinds": ["plan"]}), NOW)
        customer = _customer(s, rid)
        body = SubscriptionUpdate.model_validate({
            "lines": [{"item_id": plan["id"], "quantity": 4}], "promotion_id": promo["id"]})
        with pytest.raises(Invalid, match="promotion"):  # not enabled for this reseller
            subscriptions.set_subscription(s, recorder, reseller_actor, customer, body, NOW)
        promotions.set_enabled(s, rid, promo["id"], PromotionEnable(), NOW)
        subscriber = Actor(user_id=_id(), role=Role.CUSTOMER, reseller_id=rid,
                           customer_id=customer.id)
        with pytest.raises(Forbidden):
            subscriptions.set_subscription(s, recorder, subscriber, customer, body, NOW)
        view = subscriptions.set_subscription(s, recorder, reseller_actor, customer, body, NOW)
        assert view["statement"]["monthly"]["total"] == 0  # first month free
        assert view["promotions"][0]["ends_on"].isoformat() == "2026-12-27"
        with pytest.raises(Conflict):
            subscriptions.set_subscription(s, recorder, reseller_actor, customer, body, NOW)
        more = SubscriptionUpdate.model_validate({"lines": [
            {"item_id": plan["id"], "quantity": 4}, {"item_id": option["id"]}]})
        view = subscriptions.set_subscription(s, recorder, subscriber, customer, more, NOW)
        assert view["version"] == 2
        history = subscriptions.history(s, customer.id)["items"]
        assert [h["role"] for h in history] == ["customer", "reseller"]
        assert history[0]["old"]["lines"] == [{"item_id": plan["id"], "name_en": "plan en",
                                               "name_fr": "plan fr", "quantity": 4,
                                               "unit_price": 2999}]
        events = s.execute(select(outbox.c.event_type, outbox.c.payload)
                           .where(outbox.c.event_type == "subscription_changed")).all()
        mine = [p for _t, p in events if p["customer_id"] == customer.id]
        assert [p["version"] for p in mine] == [1, 2]
        assert mine[1]["role"] == "customer" and len(mine[1]["lines"]) == 2


def test_a_closed_account_keeps_its_subscription(db):
    with db.begin() as s:
        rid = _reseller(s)
        plan = _item(s)
        _sell(s, rid, plan, 1000)
        closed = _customer(s, rid, status="closed")
        actor = Actor(user_id=_id(), role=Role.RESELLER, reseller_id=rid)
        with pytest.raises(Conflict):
            subscriptions.set_subscription(
                s, EventRecorder(outbox), actor, closed,
                SubscriptionUpdate.model_validate({"lines": [{"item_id": plan["id"]}]}), NOW)
