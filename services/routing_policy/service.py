"""routing_policy service: call-restriction rules and the PBX's call-authorisation decision.

Thin entrypoints over ``domain/``. Decisions are answered from the in-memory ``PolicyCache``
(no database, no other service on the call path); every change is written to the database
with an outbox event, and every replica reloads what changed when the event comes back to it
as a broadcast.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from typing import Any

from nameko.events import BROADCAST, event_handler
from nameko.extensions import DependencyProvider
from nameko.timer import timer
from sqlalchemy.orm import Session

from sbcommon import replica
from sbcommon.actor import Actor, Role
from sbcommon.consumer import handles
from sbcommon.contracts.events import (
    CustomerClosed,
    CustomerCreated,
    CustomerEvent,
    CustomerStatusChanged,
    CustomerUpdated,
    NumberAssigned,
    NumberReleased,
)
from sbcommon.contracts.routing_policy import (
    AuthorizeQuery,
    DefaultUpdate,
    NumberTestQuery,
    PbxTokenCreate,
    RuleCreate,
)
from sbcommon.contracts.rpc import AccountsRpc, rpc_proxy
from sbcommon.db import Database, health_report
from sbcommon.errors import Invalid, NotFound
from sbcommon.housekeeping import Housekeeping
from sbcommon.idempotency import Idempotency
from sbcommon.outbox import Outbox
from sbcommon.replica import CustomerReplica
from sbcommon.rpc import rpc
from sbcommon.validation import parse

from .domain import directory, rules, scope, tokens
from .domain.cache import PolicyCache, TokenInfo
from .domain.numbers import clean
from .domain.policy import CustomerContext, Verdict
from .models import KnownCustomer, idempotency, outbox
from .settings import RoutingPolicySettings

log = logging.getLogger(__name__)
SETTINGS = RoutingPolicySettings()
SERVICE = "routing_policy"
# Which process answered: RPC answers carry it so a test can see every replica answer.
REPLICA = f"{socket.gethostname()}:{os.getpid()}"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Cache(DependencyProvider):
    """One PolicyCache per container, warmed from the database before entrypoints start."""

    def setup(self) -> None:
        self.cache = PolicyCache()
        self.database = next(d for d in self.container.dependencies if d.attr_name == "db")

    def start(self) -> None:
        with self.database.sessions() as session:
            self.cache.load_all(session)

    def get_dependency(self, worker_ctx: Any) -> PolicyCache:
        return self.cache


def _log_verdict(verdict: Verdict, dialed: str) -> None:
    if not verdict.allow:  # the PBX operator will ask why a call was barred
        log.info("call denied: customer=%s kind=%s dialed=%r destination=%s level=%s "
                 "rule=%s reason=%s", verdict.customer_id, verdict.kind, dialed[:64],
                 verdict.destination, verdict.level, verdict.rule_id, verdict.reason)


class RoutingPolicyService:
    name = SERVICE

    db = Database(SERVICE)
    housekeeping = Housekeeping()
    outbox = Outbox(outbox)
    cache = Cache()
    accounts: AccountsRpc = rpc_proxy("accounts")
    customers = CustomerReplica(KnownCustomer)
    # A PBX token is shown once and stored hashed: its repeat answer is kept encrypted.
    once = Idempotency(idempotency, secret_fields=("token",), unique={
        "value": "a rule for this match and value was just created; reload"})

    # -- health and diagnostics -----------------------------------------------------------
    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, self.db, customers=len(self.cache.customers),
                             replica=REPLICA)

    @rpc
    def echo(self, payload: Any = None, token: str | None = None) -> Any:
        """Does nothing but check the PBX token, when given (401 when unknown): the baseline
        the benchmark compares ``authorize`` with, and the PBX's connectivity check."""
        if token is not None:
            self.cache.check_token(token)
        return payload

    # -- decisions ------------------------------------------------------------------------
    @rpc
    def authorize(self, token: str | None, query: dict[str, Any]) -> dict[str, Any]:
        """The PBX's question, authenticated by a PBX token (401 when unknown)."""
        holder = self.cache.check_token(token)
        data = parse(AuthorizeQuery, query, "query")
        if (data.customer is None) == (data.caller is None):
            raise Invalid("give either customer=<id> or caller=<E.164 number>, not both",
                          [{"field": "customer", "message": "customer or caller"}])
        caller = None
        if data.caller is not None:
            caller = clean(data.caller)
            if not caller.startswith("+"):
                raise Invalid("caller must be an E.164 number such as +15145550100",
                              [{"field": "caller", "message": "not E.164"}])
        context = self._context(data.customer, caller, holder)
        verdict = self.cache.decide(context, data.dialed, data.kind)
        _log_verdict(verdict, data.dialed)
        # The country and the reseller's fail-open choice let the gateway answer the same
        # customer while this service is unreachable.
        return {**verdict.as_dict(), "country": context.country,
                "when_unavailable": self.cache.unavailable_action(context.reseller_id),
                "replica": REPLICA}

    @rpc
    def test_number(self, actor: dict[str, Any], customer_id: str,
                    query: dict[str, Any]) -> dict[str, Any]:
        """The portal's "test a number" box: the same decision, for a signed-in user."""
        who = Actor.parse(actor)
        data = parse(NumberTestQuery, query, "query")
        self.customers.ensure(who, customer_id)
        with self.db() as session:
            scope.customer_for(session, who, customer_id)
            if customer_id not in self.cache.customers:  # known a moment ago, through accounts
                self.cache.load_customer(session, customer_id)
        context = self.cache.customer_context(customer_id, None)
        return self.cache.decide(context, data.dialed, data.kind).as_dict()

    def _context(self, customer_id: str | None, caller: str | None, holder: TokenInfo
                 ) -> CustomerContext:
        """From memory; a customer id not heard of yet is asked of accounts, in the scope of
        the token's reseller (the same way every service asks), then kept."""
        try:
            return self.cache.customer_context(customer_id, caller, holder.reseller_id)
        except NotFound:
            if customer_id is None or customer_id in self.cache.customers:
                raise
        as_token = Actor(user_id=f"pbx-token:{holder.id}",
                         role=Role.RESELLER if holder.reseller_id else Role.ADMIN,
                         reseller_id=holder.reseller_id)
        self.customers.ensure(as_token, customer_id)
        with self.db() as session:
            self.cache.load_customer(session, customer_id)
        return self.cache.customer_context(customer_id, None, holder.reseller_id)

    # -- rules ----------------------------------------------------------------------------
    @rpc
    def list_rules(self, actor: dict[str, Any], customer_id: str | None = None
                   ) -> dict[str, Any]:
        who = Actor.parse(actor)
        self._known(who, customer_id)
        with self.db() as session:
            reseller_id = self._level(session, who, customer_id, write=False)
            return rules.list_rules(session, reseller_id, customer_id)

    @rpc
    def create_rule(self, actor: dict[str, Any], payload: dict[str, Any],
                    customer_id: str | None = None) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(RuleCreate, payload)
        self._known(who, customer_id)
        created = self.once(who, lambda session: rules.create(
            session, self.outbox, self._level(session, who, customer_id, write=True),
            customer_id, data, who.user_id, utcnow()))
        self._refresh_level(created["reseller_id"], customer_id)
        return created

    @rpc
    def delete_rule(self, actor: dict[str, Any], rule_id: str,
                    customer_id: str | None = None) -> None:
        who = Actor.parse(actor)
        self._known(who, customer_id)

        def delete(session: Any) -> str:
            reseller_id = self._level(session, who, customer_id, write=True)
            rules.delete(session, self.outbox, reseller_id, customer_id, rule_id)
            return reseller_id
        self._refresh_level(self.once(who, delete), customer_id)

    @rpc
    def set_default(self, actor: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(DefaultUpdate, payload)
        reseller_id = scope.reseller_of(who)
        result = self.once(who, lambda session: rules.set_default(
            session, self.outbox, reseller_id, data.action, utcnow(), data.when_unavailable))
        self._refresh_level(reseller_id, None)
        return result

    def _level(self, session: Any, who: Actor, customer_id: str | None, write: bool) -> str:
        """The reseller whose rules are addressed; scope is checked here, in the service."""
        if write:
            scope.require_manager(who)
        if customer_id is None:
            return scope.reseller_of(who)
        return scope.customer_for(session, who, customer_id).reseller_id

    def _known(self, who: Actor, customer_id: str | None) -> None:
        """A customer created a moment ago may not have reached us yet: ask accounts."""
        if customer_id is not None:
            self.customers.ensure(who, customer_id)

    def _refresh_level(self, reseller_id: str, customer_id: str | None) -> None:
        # This replica answers with the change at once; the others on the broadcast.
        with self.db() as session:
            self.cache.load_level(session, reseller_id, customer_id)

    # -- PBX tokens (system administrator) ------------------------------------------------
    @rpc
    def create_pbx_token(self, actor: dict[str, Any], payload: dict[str, Any]
                         ) -> dict[str, Any]:
        who = Actor.parse(actor)
        who.require(Role.ADMIN)
        data = parse(PbxTokenCreate, payload)
        created = self.once(who, lambda session: tokens.create(
            session, self.outbox, data, utcnow()))
        self._reload_tokens()
        return created

    @rpc
    def list_pbx_tokens(self, actor: dict[str, Any]) -> dict[str, Any]:
        Actor.parse(actor).require(Role.ADMIN)
        with self.db() as session:
            return tokens.list_tokens(session)

    @rpc
    def revoke_pbx_token(self, actor: dict[str, Any], token_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        who.require(Role.ADMIN)
        revoked = self.once(who, lambda session: tokens.revoke(
            session, self.outbox, token_id, utcnow()))
        self._reload_tokens()
        return revoked

    def _reload_tokens(self) -> None:
        with self.db() as session:
            self.cache.load_tokens(session)

    # -- what other services tell us (one replica applies it to the database) -------------
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

    @handles("numbering", "number_assigned", NumberAssigned)
    def on_number_assigned(self, session: Session, event: NumberAssigned) -> None:
        if directory.assign_number(session, event, utcnow()):
            self._directory_changed(session, event.reseller_id, number=event.number)

    @handles("numbering", "number_released", NumberReleased)
    def on_number_released(self, session: Session, event: NumberReleased) -> None:
        if directory.release_number(session, event, utcnow()):
            self._directory_changed(session, event.reseller_id, number=event.number)

    def _customer_changed(self, session: Session, event: CustomerEvent) -> None:
        if replica.apply(session, KnownCustomer, event, utcnow()):
            self._directory_changed(session, event.reseller_id, customer_id=event.customer_id)

    def _directory_changed(self, session: Session, reseller_id: str, **what: str) -> None:
        # Every replica reloads that entry of its cache when this comes back as a broadcast.
        self.outbox.record(session, directory.DIRECTORY_CHANGED,
                           {"reseller_id": reseller_id, **what})

    # -- cache refresh on every replica ---------------------------------------------------
    @event_handler(SERVICE, rules.RULES_CHANGED, handler_type=BROADCAST,
                   reliable_delivery=False)
    def refresh_rules(self, event: dict[str, Any]) -> None:
        self._refresh_level(event["reseller_id"], event.get("customer_id"))

    @event_handler(SERVICE, directory.DIRECTORY_CHANGED, handler_type=BROADCAST,
                   reliable_delivery=False)
    def refresh_directory(self, event: dict[str, Any]) -> None:
        with self.db() as session:
            if event.get("customer_id"):
                self.cache.load_customer(session, event["customer_id"])
            if event.get("number"):
                self.cache.load_caller(session, event["number"])

    @event_handler(SERVICE, tokens.TOKENS_CHANGED, handler_type=BROADCAST,
                   reliable_delivery=False)
    def refresh_tokens(self, event: dict[str, Any]) -> None:
        with self.db() as session:
            self.cache.load_tokens(session)

    @timer(interval=SETTINGS.refresh_seconds)
    def refresh_everything(self) -> None:
        with self.db() as session:
            self.cache.load_all(session)
