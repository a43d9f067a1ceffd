"""Accounts service: thin nameko entrypoints over the domain modules.

Each entrypoint validates its payload, opens one transaction, calls a domain function and
commits before returning (nameko replies before worker_result hooks run).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import eventlet
from nameko.timer import timer

from sbcommon.actor import Actor, Role
from sbcommon.config import env_int
from sbcommon.contracts.accounts import (
    CustomerCreate,
    CustomerQuery,
    CustomerUpdate,
    ForgotRequest,
    LoginRequest,
    OrganisationCreate,
    OrganisationUpdate,
    PasswordChange,
    PasswordReset,
    PreferencesUpdate,
    ResellerCreate,
)
from sbcommon.db import Database, health_report
from sbcommon.errors import Forbidden, Invalid, NotFound
from sbcommon.housekeeping import Housekeeping
from sbcommon.idempotency import Idempotency
from sbcommon.keys import is_development
from sbcommon.metrics import LIFECYCLE
from sbcommon.outbox import Outbox
from sbcommon.rpc import rpc
from sbcommon.telemetry import Telemetry
from sbcommon.validation import parse

from . import reseller_rpcs, signup_rpcs, support_rpcs, user_import_rpcs, user_rpcs
from .domain import auth, customers, directory, lifecycle, organisations, signups, support
from .domain.passwords import Hasher
from .hashing import HashGate, busy
from .models import User, idempotency, outbox
from .settings import AccountsSettings

log = logging.getLogger(__name__)

SETTINGS = AccountsSettings()
HASH_GATE = HashGate(
    concurrency=env_int("SB_ARGON2_CONCURRENCY", max(1, (os.cpu_count() or 2) - 1)),
    max_waiting=env_int("SB_ARGON2_MAX_WAITING", max(1, env_int("SB_MAX_WORKERS", 20) // 2)),
)


def _hash_off_hub(fn: Callable[..., Any], *args: Any) -> Any:
    return HASH_GATE.run(fn, *args)


HASHER = Hasher(
    time_cost=env_int("SB_ARGON2_TIME_COST", 3),
    memory_cost=env_int("SB_ARGON2_MEMORY_KIB", 64 * 1024),
    run=_hash_off_hub,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


# A concurrent request can win the race for a unique identifier or e-mail.
UNIQUE = {"email": "email is already in use", "identifier": "identifier is already in use",
          "extension": "extension is already used in this account"}


# The reseller, account-user, user-import, support and sign-up RPCs live in their own
# modules; imported as modules so that ``nameko run`` finds one service class here.
class AccountsService(reseller_rpcs.ResellerRpcs, user_rpcs.UserRpcs,
                      user_import_rpcs.UserImportRpcs, support_rpcs.SupportRpcs,
                      signup_rpcs.SignupRpcs):
    name = "accounts"

    db = Database("accounts")
    telemetry = Telemetry()
    housekeeping = Housekeeping(auth.purge_ended_sessions, auth.purge_old_reset_tokens,
                                auth.purge_signin_limits, signups.purge)
    outbox = Outbox(outbox)
    # A direct access's session token is stored encrypted with its outcome (a retry gets it).
    once = Idempotency(idempotency, unique=UNIQUE, secret_fields=("token",))

    # -- the account lifecycle (trial reminders and ends, archiving) -----------------------
    @timer(interval=SETTINGS.lifecycle_seconds)
    def lifecycle_tick(self) -> None:
        """Every replica ticks; row locks (SKIP LOCKED) share the accounts among them."""
        self._lifecycle_pass(utcnow())

    @rpc
    def run_lifecycle(self, actor: dict[str, Any], now: str, reseller_id: str | None = None
                      ) -> dict[str, Any]:
        """Development only: one lifecycle pass at the given moment (ISO 8601), over one
        reseller's accounts when ``reseller_id`` is given, for tests and demonstrations
        that cannot wait for days to pass. Refused elsewhere. Not run through ``self.once``:
        a pass is idempotent by itself (a repeat finds nothing left to do: reminders are
        keyed, status changes are conditions of the query) and spans several
        transactions, one per batch."""
        who = Actor.parse(actor)
        who.require(Role.ADMIN)
        if not is_development():
            raise Forbidden("run_lifecycle is available in development only")
        try:
            moment = datetime.fromisoformat(now)
        except (TypeError, ValueError):
            raise Invalid("now must be an ISO 8601 date and time",
                          [{"field": "now", "message": "not a date and time"}]) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if reseller_id is not None and not isinstance(reseller_id, str):
            raise Invalid("reseller_id must be a string",
                          [{"field": "reseller_id", "message": "not a string"}])
        return self._lifecycle_pass(moment, reseller_id)

    def _lifecycle_pass(self, now: datetime, reseller_id: str | None = None
                        ) -> dict[str, Any]:
        report = lifecycle.run_pass(self.db, self.outbox, now, SETTINGS, reseller_id)
        counts = {k: v for k, v in report.items() if isinstance(v, int)}
        for action, count in counts.items():
            if count:
                LIFECYCLE.labels(action).inc(count)
        log.info("lifecycle pass at %s: %s", report["now"],
                 ", ".join(f"{k}={v}" for k, v in counts.items()))
        return report

    def hash_password(self, password: str) -> str:
        if HASH_GATE.full():
            raise busy()
        return HASHER.hash(password)

    # -- health -------------------------------------------------------------------------
    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, self.db)

    # -- authentication -------------------------------------------------------------------
    @rpc
    def login(self, credentials: dict[str, Any], client_ip: str | None = None
              ) -> dict[str, Any]:
        data = parse(LoginRequest, credentials)
        if HASH_GATE.full():  # before anything is counted: busy is not a failed sign-in
            raise busy()
        with self.db.begin() as session:
            attempt = auth.begin_login(session, SETTINGS, data.identifier, client_ip, utcnow())
        refused = auth.refused_address(attempt)
        if refused is not None:
            raise refused
        # Checked with no transaction open. An unknown identifier or a held-back account
        # answers like a wrong password, after as long as a check takes here, without one:
        # guesses at them cost the platform no CPU, and tell a stranger nothing.
        if attempt.password_hash is None:
            eventlet.sleep(HASH_GATE.typical())
            ok = False
        else:
            ok = HASHER.verify(attempt.password_hash, data.password)
        new_hash = HASHER.hash(data.password) if ok and HASHER.needs_rehash(
            attempt.password_hash or "") else None
        with self.db.begin() as session:
            outcome = auth.finish_login(session, SETTINGS, attempt, ok, new_hash, utcnow())
        if isinstance(outcome, Exception):
            log.info("sign-in refused for %r from %s", data.identifier[:64], client_ip)
            raise outcome
        return {"token": outcome.token, "expires_in": outcome.expires_in}

    @rpc
    def authenticate(self, token: str) -> dict[str, Any]:
        """The session behind a bearer token: its user, actor and timeouts (and, inside a
        direct access, the support user)."""
        with self.db.begin() as session:
            web, user = auth.resolve_session(session, token, SETTINGS, utcnow())
            actor, info = directory.actor_of(user), None
            if web.support_user_id is not None:
                helper = session.get(User, web.support_user_id)
                actor = support.visit_actor(user, helper)
                info = support.support_info(helper, user)
            return {
                "user": directory.user_info(user),
                "actor": actor.plain(),
                "session_id": web.id,
                "idle_timeout": SETTINGS.idle_timeout,
                "expires_at": web.expires_at.isoformat(),
                "support": info,
                # the portal shows the lock on the subscriber's pages
                "customer_locked": bool(user.customer_id and customers.is_locked(
                    session, user.customer_id)),
            }

    @rpc
    def logout(self, token: str) -> None:
        """Signing out of a direct access is leaving it (with its audit entry)."""
        def out(session: Any) -> None:
            try:
                support.end_visit(session, token, utcnow())
            except NotFound:
                auth.logout(session, token)
        self.once(None, out)

    @rpc
    def change_password(self, token: str, payload: dict[str, Any]) -> None:
        data = parse(PasswordChange, payload)

        def change(session: Any) -> Any:  # a wrong current password is returned: it counts
            web, user = auth.resolve_session(session, token, SETTINGS, utcnow())
            support.refuse_pin_change(web)
            return auth.change_password(session, HASHER, SETTINGS, user, data.current_password,
                                        data.new_password, web.id, utcnow())
        self.once(None, change)

    @rpc
    def request_password_reset(self, payload: dict[str, Any],
                               client_ip: str | None = None) -> None:
        """Always answers the same way, whether or not the account exists."""
        data = parse(ForgotRequest, payload)
        self.once(None, lambda session: auth.request_reset(
            session, self.outbox, SETTINGS, data.identifier, utcnow(), client_ip=client_ip))

    @rpc
    def reset_password(self, payload: dict[str, Any]) -> None:
        data = parse(PasswordReset, payload)
        self.once(None, lambda session: auth.reset_password(
            session, HASHER, data.token, data.new_password, utcnow()))

    @rpc
    def set_preferences(self, actor: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(PreferencesUpdate, payload)

        def prefer(session: Any) -> dict[str, Any]:
            user = session.get(User, who.user_id)
            user.language = data.language
            return directory.user_info(user)
        return self.once(who, prefer)

    # -- customers ------------------------------------------------------------------------
    @rpc
    def create_customer(self, actor: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(CustomerCreate, payload)
        return self.once(who, lambda session: customers.create(
            session, who, data, SETTINGS, self.outbox, utcnow()))

    @rpc
    def get_customer(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return customers.to_contract(customers.get_scoped(session, who, customer_id))

    @rpc
    def update_customer(self, actor: dict[str, Any], customer_id: str,
                        payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(CustomerUpdate, payload)
        return self.once(who, lambda session: customers.update(
            session, who, customer_id, data, SETTINGS, self.outbox, utcnow()))

    @rpc
    def close_customer(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        return self.once(who, lambda session: customers.close(
            session, who, customer_id, self.outbox, utcnow()))

    @rpc
    def reopen_customer(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        return self.once(who, lambda session: customers.reopen(
            session, who, customer_id, self.outbox, utcnow()))

    @rpc
    def issue_access_codes(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        """Issue the main user's single-use set-PIN link; the e-mail carries it."""
        who = Actor.parse(actor)
        return self.once(who, lambda session: customers.issue_access_codes(
            session, who, customer_id, SETTINGS, self.outbox, utcnow()))

    @rpc
    def list_customers(self, actor: dict[str, Any], query: dict[str, Any] | None = None
                       ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(CustomerQuery, query or {}, "query")
        with self.db() as session:
            return customers.search(session, who, data)

    @rpc
    def export_customers(self, actor: dict[str, Any], query: dict[str, Any] | None,
                         chunk: int) -> dict[str, Any]:
        """The list in chunks of 1 000 for exports; ``total`` comes with chunk 1."""
        who = Actor.parse(actor)
        data = parse(CustomerQuery, {**(query or {}), "page": 1}, "query")
        if not isinstance(chunk, int) or not 1 <= chunk <= 100_000:
            raise Invalid("chunk must be an integer from 1")
        with self.db() as session:
            return customers.export_chunk(session, who, data, chunk)

    @rpc
    def customer_counts(self, actor: dict[str, Any]) -> dict[str, int]:
        who = Actor.parse(actor)
        with self.db() as session:
            return customers.counts(session, who)

    # -- organisations (affiliated accounts, one directory) -----------------------------------
    @rpc
    def list_organisations(self, actor: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return organisations.list_organisations(session, who)

    @rpc
    def get_organisation(self, actor: dict[str, Any], organisation_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return organisations.read(session, who, organisation_id)

    @rpc
    def create_organisation(self, actor: dict[str, Any], payload: dict[str, Any]
                            ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(OrganisationCreate, payload)
        return self.once(who, lambda session: organisations.create(session, who, data,
                                                                   utcnow()))

    @rpc
    def update_organisation(self, actor: dict[str, Any], organisation_id: str,
                            payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(OrganisationUpdate, payload)
        return self.once(who, lambda session: organisations.update(
            session, who, organisation_id, data, utcnow()))

    @rpc
    def delete_organisation(self, actor: dict[str, Any], organisation_id: str) -> None:
        who = Actor.parse(actor)
        self.once(who, lambda session: organisations.delete(
            session, who, organisation_id, self.outbox, utcnow()))

    @rpc
    def add_organisation_member(self, actor: dict[str, Any], organisation_id: str,
                                customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        return self.once(who, lambda session: organisations.add_member(
            session, who, organisation_id, customer_id, self.outbox, utcnow()))

    @rpc
    def remove_organisation_member(self, actor: dict[str, Any], organisation_id: str,
                                   customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        return self.once(who, lambda session: organisations.remove_member(
            session, who, organisation_id, customer_id, self.outbox, utcnow()))

    # -- platform administration ---------------------------------------------------------
    @rpc
    def create_reseller(self, actor: dict[str, Any], payload: dict[str, Any],
                        password: str | None = None) -> dict[str, Any]:
        who = Actor.parse(actor)
        who.require(Role.ADMIN)
        data = parse(ResellerCreate, payload)
        return self.once(who, lambda session: directory.create_reseller(
            session, HASHER, data, password, utcnow(), self.outbox))
