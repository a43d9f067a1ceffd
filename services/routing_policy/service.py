"""routing_policy service: call-restriction rules and the PBX's call-authorisation decision.

Thin entrypoints over ``domain/``. Decisions are answered from the in-memory ``PolicyCache``
(no database, no other service on the call path), by RPC for the gateway's ``/pbx/v1`` and,
directly, by each replica's own PBX server (``pbx_http``). Every change is written to the
database with an outbox event and a new cache generation; every replica reloads what changed
when the event comes back to it as a broadcast, and reloads everything when its generation
stays behind the database's (a broadcast it missed).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import UTC, datetime
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.events import BROADCAST, event_handler
from nameko.extensions import DependencyProvider
from nameko.timer import timer
from sqlalchemy.orm import Session

from sbcommon import replica
from sbcommon.actor import Actor, Role
from sbcommon.consumer import handles
from sbcommon.contracts.events import (
    AccountUserChanged,
    CustomerClosed,
    CustomerCreated,
    CustomerEvent,
    CustomerStatusChanged,
    CustomerUpdated,
    NumberAssigned,
    NumberReleased,
    SipCredentialsChanged,
)
from sbcommon.contracts.routing_policy import (
    DefaultUpdate,
    DirectoryQuery,
    NumberTestQuery,
    PbxTokenCreate,
    RuleCreate,
)
from sbcommon.contracts.rpc import AccountsRpc, rpc_proxy
from sbcommon.db import Database, health_report
from sbcommon.errors import NotFound, Unavailable
from sbcommon.housekeeping import Housekeeping
from sbcommon.idempotency import Idempotency
from sbcommon.metrics import add_readiness_check
from sbcommon.outbox import Outbox
from sbcommon.replica import CustomerReplica
from sbcommon.rpc import rpc
from sbcommon.telemetry import Telemetry
from sbcommon.validation import parse

from .domain import directory, generation, pbx, rules, scope, sipusers, tokens
from .domain.cache import PolicyCache, TokenInfo
from .domain.policy import CustomerContext
from .models import KnownCustomer, idempotency, outbox
from .pbx_http import PbxHttpServer
from .settings import RoutingPolicySettings

log = logging.getLogger(__name__)
SETTINGS = RoutingPolicySettings()
SERVICE = "routing_policy"
# Which process answered: RPC answers carry it so a test can see every replica answer.
REPLICA = f"{socket.gethostname()}:{os.getpid()}"
CACHE_WAIT_SECONDS = 10


def utcnow() -> datetime:
    return datetime.now(UTC)


class Cache(DependencyProvider):
    """One PolicyCache per container, loaded from the database when the service starts.

    nameko starts every extension at once, so the RPC consumer may hand out calls while the
    load is still running: a worker waits for it (up to CACHE_WAIT_SECONDS) rather than
    answer from an empty cache — that refused every PBX token, and would have allowed calls
    a rule denies. /readyz says "not ready" until it is loaded.
    """

    def setup(self) -> None:
        self.cache = PolicyCache()
        self.loaded = Event()
        self.database = next(d for d in self.container.dependencies if d.attr_name == "db")
        add_readiness_check("decision cache loaded", self.loaded.ready)

    def start(self) -> None:
        with self.database.sessions() as session:
            self.cache.load_all(session)
        self.loaded.send(True)

    def get_dependency(self, worker_ctx: Any) -> PolicyCache:
        if not self.loaded.ready():
            with eventlet.Timeout(CACHE_WAIT_SECONDS, False):
                self.loaded.wait()
        return self.cache


class RoutingPolicyService:
    name = SERVICE

    db = Database(SERVICE)
    telemetry = Telemetry()
    housekeeping = Housekeeping()
    outbox = Outbox(outbox)
    cache = Cache()
    direct_pbx = PbxHttpServer(SETTINGS.pbx_http_address,
                               read_timeout=SETTINGS.pbx_read_timeout,
                               idle_timeout=SETTINGS.pbx_idle_timeout,
                               max_connections=SETTINGS.pbx_max_connections)
    accounts: AccountsRpc = rpc_proxy("accounts")
    customers = CustomerReplica(KnownCustomer)
    # A PBX token is shown once and stored hashed: its repeat answer is kept encrypted.
    once = Idempotency(idempotency, secret_fields=("token",), unique={
        "value": "a rule for this match and value was just created; reload"})

    # -- health and diagnostics -----------------------------------------------------------
    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, self.db, customers=len(self.cache.customers),
                             replica=REPLICA, generation=self.cache.generation)

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
        if not self.cache.loaded_at:  # still loading after the wait (a slow database)
            raise Unavailable("the call restrictions are still loading; try again shortly",
                              {"retry_after": 1})
        holder = self.cache.check_token(token)
        data = pbx.understand(query)
        context = self._context(data.customer, data.caller, holder, data.sip_user)
        return {**pbx.answer(self.cache, context, data), "replica": REPLICA}

    @rpc
    def pbx_directory(self, token: str | None, query: dict[str, Any]) -> dict[str, Any]:
        """The directory a customer's users share, for the PBX (a PBX token)."""
        if not self.cache.loaded_at:
            raise Unavailable("the call restrictions are still loading; try again shortly",
                              {"retry_after": 1})
        holder = self.cache.check_token(token)
        data = parse(DirectoryQuery, query, "query")
        context = self._context(data.customer, None, holder)
        return self.cache.directory_of(context.customer_id, holder.reseller_id)

    @rpc
    def get_directory(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        """The same directory for a signed-in user who sees the customer (the portal)."""
        who = Actor.parse(actor)
        self.customers.ensure(who, customer_id)
        with self.db() as session:
            scope.customer_for(session, who, customer_id)
            if customer_id not in self.cache.customers:
                self.cache.load_customer(session, customer_id)
        return self.cache.directory_of(customer_id)

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

    def _context(self, customer_id: str | None, caller: str | None, holder: TokenInfo,
                 sip_user: str | None = None) -> CustomerContext:
        """From memory; a customer id not heard of yet is asked of accounts, in the scope of
        the token's reseller (the same way every service asks), then kept."""
        try:
            return self.cache.customer_context(customer_id, caller, holder.reseller_id,
                                               sip_user)
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
            session, self._broadcast, self._level(session, who, customer_id, write=True),
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
            rules.delete(session, self._broadcast, reseller_id, customer_id, rule_id)
            return reseller_id
        self._refresh_level(self.once(who, delete), customer_id)

    @rpc
    def set_default(self, actor: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(DefaultUpdate, payload)
        reseller_id = scope.reseller_of(who)
        result = self.once(who, lambda session: rules.set_default(
            session, self._broadcast, reseller_id, data.action, utcnow(), data.when_unavailable))
        self._refresh_level(reseller_id, None)
        return result

    @property
    def _broadcast(self) -> generation.Stamped:
        """The outbox, for changes every replica's cache must see (one generation each)."""
        return generation.Stamped(self.outbox)

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
            session, self._broadcast, data, utcnow()))
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
            session, self._broadcast, token_id, utcnow()))
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
        before = directory.holder_scope(session, event.number)
        if directory.assign_number(session, event, utcnow()):
            self._directory_changed(session, event.reseller_id, number=event.number,
                                    scopes=directory.scopes(session, before, event.customer_id))

    @handles("numbering", "number_released", NumberReleased)
    def on_number_released(self, session: Session, event: NumberReleased) -> None:
        before = directory.holder_scope(session, event.number)
        if directory.release_number(session, event, utcnow()):
            self._directory_changed(session, event.reseller_id, number=event.number,
                                    scopes=directory.scopes(session, before, event.customer_id))

    @handles("accounts", "account_user_changed", AccountUserChanged)
    def on_account_user_changed(self, session: Session, event: AccountUserChanged) -> None:
        if directory.apply_user(session, event):
            scope = directory.customer_scope(session, event.customer_id)
            self._directory_changed(session, event.reseller_id, scopes=[scope])

    @handles("provisioning", "sip_credentials_changed", SipCredentialsChanged)
    def on_sip_credentials_changed(self, session: Session, event: SipCredentialsChanged
                                   ) -> None:
        if sipusers.apply(session, event, utcnow()):
            self._directory_changed(session, event.reseller_id, sip_user=event.username)

    def _customer_changed(self, session: Session, event: CustomerEvent) -> None:
        applied = replica.apply(session, KnownCustomer, event, utcnow())
        moved = replica.apply_organisation(session, KnownCustomer, event)
        if applied or moved:
            # Its directory (and, when it joined or left one, its organisation's) changes:
            # a new name, a closed account, a member more or less.
            before, after = moved or (event.organisation_id, event.organisation_id)
            scopes = sorted({before or event.customer_id, after or event.customer_id})
            self._directory_changed(session, event.reseller_id,
                                    customer_id=event.customer_id, scopes=scopes)

    def _directory_changed(self, session: Session, reseller_id: str, **what: Any) -> None:
        # Every replica reloads that entry of its cache when this comes back as a broadcast.
        self._broadcast.record(session, directory.DIRECTORY_CHANGED,
                               {"reseller_id": reseller_id, **what})

    # -- cache refresh on every replica ---------------------------------------------------
    @event_handler(SERVICE, rules.RULES_CHANGED, handler_type=BROADCAST,
                   reliable_delivery=False)
    def refresh_rules(self, event: dict[str, Any]) -> None:
        self._refresh_level(event["reseller_id"], event.get("customer_id"))
        self.cache.applied_broadcast(event.get("generation"))

    @event_handler(SERVICE, directory.DIRECTORY_CHANGED, handler_type=BROADCAST,
                   reliable_delivery=False)
    def refresh_directory(self, event: dict[str, Any]) -> None:
        with self.db() as session:
            if event.get("customer_id"):
                self.cache.load_customer(session, event["customer_id"])
            if event.get("number"):
                self.cache.load_caller(session, event["number"])
            if event.get("sip_user"):
                self.cache.load_sip_user(session, event["sip_user"])
            for scope in event.get("scopes") or ():
                self.cache.load_directory(session, scope)
        self.cache.applied_broadcast(event.get("generation"))

    @event_handler(SERVICE, tokens.TOKENS_CHANGED, handler_type=BROADCAST,
                   reliable_delivery=False)
    def refresh_tokens(self, event: dict[str, Any]) -> None:
        with self.db() as session:
            self.cache.load_tokens(session)
        self.cache.applied_broadcast(event.get("generation"))

    @timer(interval=SETTINGS.refresh_seconds)
    def refresh_everything(self) -> None:
        with self.db() as session:
            self.cache.load_all(session)

    @timer(interval=SETTINGS.generation_seconds)
    def catch_up(self) -> None:
        """A broadcast this replica missed (it was disconnected, its queue was recreated)
        shows as a generation the database has and the cache has not: reload."""
        with self.db() as session:
            latest = generation.current(session)
        if self.cache.behind(latest, time.monotonic(), SETTINGS.generation_grace_seconds):
            log.warning("cache at generation %d, database at %d: a change was missed; "
                        "reloading", self.cache.generation, latest)
            with self.db() as session:
                self.cache.load_all(session)
