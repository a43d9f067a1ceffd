"""catalogue service: items, what each reseller may sell and sells, pricing terms,
promotions, subscriptions and their priced statements.

Thin entrypoints over ``domain/``. Tenant scope is checked here on every call: the
administrator owns the catalogue and promotions; a reseller sees only what was made
available to it and its own customers; a subscriber sees only its own account (customers
are an event-carried copy, ``sbcommon.replica``).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, date, datetime
from typing import Any

import eventlet
from sqlalchemy.orm import Session

from sbcommon import replica
from sbcommon.actor import Actor, Role
from sbcommon.consumer import handles
from sbcommon.contracts.catalogue import (
    AvailabilityUpdate,
    ItemCreate,
    ItemUpdate,
    OfferUpdate,
    PricingUpdate,
    PromotionCreate,
    PromotionEnable,
    StatementQuery,
    SubscriptionUpdate,
)
from sbcommon.contracts.events import (
    CustomerClosed,
    CustomerCreated,
    CustomerEvent,
    CustomerStatusChanged,
    CustomerUpdated,
    ResellerCreated,
    SignupCompleted,
)
from sbcommon.contracts.rpc import AccountsRpc, ProvisioningRpc, rpc_proxy
from sbcommon.db import Database, health_report
from sbcommon.errors import Invalid, Unavailable
from sbcommon.housekeeping import Housekeeping
from sbcommon.idempotency import Idempotency
from sbcommon.outbox import Outbox
from sbcommon.replica import CustomerReplica
from sbcommon.rpc import rpc
from sbcommon.telemetry import Telemetry
from sbcommon.validation import parse

from .domain import items, offers, promotions, subscriptions
from .models import KnownCustomer, idempotency, outbox
from .settings import CatalogueSettings

log = logging.getLogger(__name__)
SETTINGS = CatalogueSettings()
SERVICE = "catalogue"


def utcnow() -> datetime:
    return datetime.now(UTC)


def _reseller_of(who: Actor) -> str:
    """The reseller whose offer is addressed: a reseller's own (others have none)."""
    who.require(Role.RESELLER)
    assert who.reseller_id is not None
    return who.reseller_id


class CatalogueService:
    name = SERVICE

    db = Database(SERVICE)
    telemetry = Telemetry()
    housekeeping = Housekeeping()
    outbox = Outbox(outbox)
    accounts: AccountsRpc = rpc_proxy("accounts")
    provisioning: ProvisioningRpc = rpc_proxy("provisioning")
    customers = CustomerReplica(KnownCustomer)
    once = Idempotency(idempotency)

    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, self.db, pid=os.getpid())

    # -- the administrator's catalogue ----------------------------------------------------
    @rpc
    def list_items(self, actor: dict[str, Any]) -> dict[str, Any]:
        Actor.parse(actor).require(Role.ADMIN)
        with self.db() as session:
            return items.list_items(session)

    def _device_models(self) -> set[str]:
        try:
            with eventlet.Timeout(SETTINGS.models_timeout_seconds):
                listing = self.provisioning.list_models()
        except eventlet.Timeout:
            raise Unavailable("the provisioning service did not answer; try again shortly",
                              {"retry_after": 5}) from None
        return {m["key"] for m in listing["items"]}

    @rpc
    def create_item(self, actor: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        who.require(Role.ADMIN)
        data = parse(ItemCreate, payload)
        prepare = self._device_models if data.kind == "device" else (lambda: None)
        return self.once(who, lambda session, models: items.create_item(
            session, data, who.user_id, utcnow(), models), prepare)

    @rpc
    def update_item(self, actor: dict[str, Any], item_id: str, payload: dict[str, Any]
                    ) -> dict[str, Any]:
        who = Actor.parse(actor)
        who.require(Role.ADMIN)
        data = parse(ItemUpdate, payload)
        return self.once(who, lambda session: items.update_item(
            session, item_id, data, who.user_id, utcnow()))

    @rpc
    def item_history(self, actor: dict[str, Any], item_id: str) -> dict[str, Any]:
        Actor.parse(actor).require(Role.ADMIN)
        with self.db() as session:
            return items.item_history(session, item_id)

    @rpc
    def list_resellers(self, actor: dict[str, Any]) -> dict[str, Any]:
        Actor.parse(actor).require(Role.ADMIN)
        with self.db() as session:
            return items.list_resellers(session)

    @rpc
    def list_availability(self, actor: dict[str, Any], reseller_id: str) -> dict[str, Any]:
        Actor.parse(actor).require(Role.ADMIN)
        with self.db() as session:
            return items.list_availability(session, reseller_id)

    @rpc
    def set_availability(self, actor: dict[str, Any], reseller_id: str, item_id: str,
                         payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        who.require(Role.ADMIN)
        data = parse(AvailabilityUpdate, payload)
        return self.once(who, lambda session: items.set_availability(
            session, reseller_id, item_id, data, utcnow()))

    @rpc
    def get_pricing(self, actor: dict[str, Any], reseller_id: str | None = None
                    ) -> dict[str, Any]:
        """The administrator asks for a named reseller; a reseller for its own terms (it
        names none: a reseller id is the administrator's word)."""
        who = Actor.parse(actor)
        if reseller_id is not None:
            who.require(Role.ADMIN)
        else:
            reseller_id = _reseller_of(who)
        with self.db() as session:
            if who.is_admin:
                items.get_reseller(session, reseller_id)
            return items.pricing_of(session, str(reseller_id))

    @rpc
    def set_pricing(self, actor: dict[str, Any], reseller_id: str, payload: dict[str, Any]
                    ) -> dict[str, Any]:
        who = Actor.parse(actor)
        who.require(Role.ADMIN)
        data = parse(PricingUpdate, payload)
        return self.once(who, lambda session: items.set_pricing(
            session, reseller_id, data, who.user_id, utcnow()))

    # -- the reseller's offer -----------------------------------------------------------------
    @rpc
    def get_offer(self, actor: dict[str, Any]) -> dict[str, Any]:
        reseller_id = _reseller_of(Actor.parse(actor))
        with self.db() as session:
            return offers.list_offer(session, reseller_id)

    @rpc
    def set_offer(self, actor: dict[str, Any], item_id: str, payload: dict[str, Any]
                  ) -> dict[str, Any]:
        who = Actor.parse(actor)
        reseller_id = _reseller_of(who)
        data = parse(OfferUpdate, payload)
        return self.once(who, lambda session: offers.set_offer(
            session, reseller_id, item_id, data, who.user_id, utcnow()))

    # -- promotions ----------------------------------------------------------------------
    @rpc
    def list_promotions(self, actor: dict[str, Any]) -> dict[str, Any]:
        """Every promotion for the administrator; those enabled for it for a reseller."""
        who = Actor.parse(actor)
        with self.db() as session:
            if who.is_admin:
                return promotions.list_all(session)
            return promotions.list_enabled(session, _reseller_of(who))

    @rpc
    def all_promotions(self, actor: dict[str, Any]) -> dict[str, Any]:
        Actor.parse(actor).require(Role.ADMIN)
        with self.db() as session:
            return promotions.list_all(session)

    @rpc
    def list_enabled_promotions(self, actor: dict[str, Any], reseller_id: str
                                ) -> dict[str, Any]:
        """The administrator's view of what a reseller may apply."""
        Actor.parse(actor).require(Role.ADMIN)
        with self.db() as session:
            items.get_reseller(session, reseller_id)
            return promotions.list_enabled(session, reseller_id)

    @rpc
    def create_promotion(self, actor: dict[str, Any], payload: dict[str, Any]
                         ) -> dict[str, Any]:
        who = Actor.parse(actor)
        who.require(Role.ADMIN)
        data = parse(PromotionCreate, payload)
        return self.once(who, lambda session: promotions.create(session, data, utcnow()))

    @rpc
    def set_promotion(self, actor: dict[str, Any], reseller_id: str, promotion_id: str,
                      payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        who.require(Role.ADMIN)
        data = parse(PromotionEnable, payload)
        return self.once(who, lambda session: promotions.set_enabled(
            session, reseller_id, promotion_id, data, utcnow()))

    @rpc
    def public_offer(self, reseller_id: str) -> dict[str, Any]:
        """What a visitor signing up may choose: the reseller's plans at retail prices
        (public: they are on its website) and the promotions enabled for it."""
        with self.db() as session:
            return offers.public_offer(session, reseller_id)

    # -- subscriptions ---------------------------------------------------------------------
    @rpc
    def get_subscription(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        self.customers.ensure(who, customer_id)
        with self.db() as session:
            customer = replica.scoped(session, KnownCustomer, who, customer_id)
            return subscriptions.view(session, customer, utcnow().date())

    @rpc
    def set_subscription(self, actor: dict[str, Any], customer_id: str,
                         payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(SubscriptionUpdate, payload)
        self.customers.ensure(who, customer_id)

        def change(session: Session) -> dict[str, Any]:
            customer = replica.scoped(session, KnownCustomer, who, customer_id, lock=True)
            return subscriptions.set_subscription(session, self.outbox, who, customer, data,
                                                  utcnow())
        return self.once(who, change)

    @rpc
    def subscription_history(self, actor: dict[str, Any], customer_id: str
                             ) -> dict[str, Any]:
        who = Actor.parse(actor)
        self.customers.ensure(who, customer_id)
        with self.db() as session:
            replica.scoped(session, KnownCustomer, who, customer_id)
            return subscriptions.history(session, customer_id)

    @rpc
    def statement(self, actor: dict[str, Any], customer_id: str,
                  query: dict[str, Any] | None = None, trial_ends_on: str | None = None
                  ) -> dict[str, Any]:
        """The priced statement (notifications renders it); ``trial_ends_on`` is the end of
        the customer's free trial as accounts gave it to the caller (a 100 % promotion)."""
        who = Actor.parse(actor)
        data = parse(StatementQuery, query or {}, "query")
        trial = _day(trial_ends_on, "trial_ends_on")
        self.customers.ensure(who, customer_id)
        with self.db() as session:
            customer = replica.scoped(session, KnownCustomer, who, customer_id)
            return subscriptions.statement(session, customer, data.on or utcnow().date(),
                                           trial)

    # -- what accounts tells us ----------------------------------------------------------
    @handles("accounts", "reseller_created", ResellerCreated)
    def on_reseller_created(self, session: Session, event: ResellerCreated) -> None:
        items.remember_reseller(session, event.reseller_id, event.name, event.country,
                                utcnow())

    @handles("accounts", "customer_created", CustomerCreated)
    def on_customer_created(self, session: Session, event: CustomerCreated) -> None:
        self._customer_changed(session, event)

    @handles("accounts", "customer_updated", CustomerUpdated)
    def on_customer_updated(self, session: Session, event: CustomerUpdated) -> None:
        self._customer_changed(session, event)

    @handles("accounts", "customer_status_changed", CustomerStatusChanged)
    def on_customer_status_changed(self, session: Session, event: CustomerStatusChanged
                                   ) -> None:
        self._customer_changed(session, event)

    @handles("accounts", "customer_closed", CustomerClosed)
    def on_customer_closed(self, session: Session, event: CustomerClosed) -> None:
        self._customer_changed(session, event)

    @handles("accounts", "signup_completed", SignupCompleted)
    def on_signup_completed(self, session: Session, event: SignupCompleted) -> None:
        """A verified sign-up's subscription, started once (the event is applied once and a
        customer with a subscription keeps it)."""
        self._customer_changed(session, event)
        customer = session.get(KnownCustomer, event.customer_id)
        subscriptions.start_signed_up(session, self.outbox, customer, event.user_id,
                                      event.plan_id, event.promotion_id, utcnow())

    def _customer_changed(self, session: Session, event: CustomerEvent) -> None:
        replica.apply(session, KnownCustomer, event, utcnow())


def _day(value: Any, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Invalid(f"{field} must be a date (YYYY-MM-DD)",
                      [{"field": field, "message": "not a date"}]) from None
