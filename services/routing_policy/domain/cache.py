"""The in-memory state each replica answers from: customers, callers, SIP users, compiled
tables, reseller defaults and PBX token hashes.

Reloads build a new structure and then swap one dict entry, so a lookup running meanwhile
sees either the old or the new table, never half of one (eventlet switches only on I/O,
and the swap does none).

Freshness: every load reads the database's cache generation in the same snapshot as its
data, and each entry keeps the generation it was loaded at. A load never replaces an entry
loaded from a newer snapshot (a full reload that started before a broadcast's reload ended
keeps the broadcast's entry). ``generation`` is how far this replica is known complete: the
last full reload's snapshot, moved forward by each broadcast applied in order; a gap that
lasts means a broadcast was missed (``behind``), and the caller reloads everything.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sbcommon.contracts.accounts import NO_SERVICE_STATUSES
from sbcommon.errors import NotFound, Unauthorized

from ..models import (
    AccountUser,
    CallerNumber,
    KnownCustomer,
    PbxTokenRow,
    ResellerPolicy,
    RuleRow,
    SipUserRow,
)
from . import generation as generations
from . import internal
from .policy import EMPTY, CompiledRule, CustomerContext, LevelTable, Verdict, decide
from .tokens import digest

log = logging.getLogger(__name__)
# Customers in these states cannot register a phone or authenticate a call.
NO_SIP_SERVICE = NO_SERVICE_STATUSES


@dataclass(frozen=True)
class TokenInfo:
    id: str
    reseller_id: str | None


@dataclass(frozen=True)
class SipUser:
    username: str
    reseller_id: str
    customer_id: str
    caller_id: str | None
    ha1: dict[str, str]  # realm → HA1


def _compiled(row: RuleRow) -> CompiledRule:
    return CompiledRule(row.id, row.action, row.match, row.value,
                        "customer" if row.customer_id else "reseller")


def _sip_user(row: SipUserRow) -> SipUser:
    return SipUser(row.username, row.reseller_id, row.customer_id, row.caller_id,
                   dict(row.ha1))


# The dicts a reload replaces, each keyed by what a partial load names.
KINDS = ("customers", "callers", "sip_users", "reseller_tables", "customer_tables",
         "defaults", "fallbacks", "directories")


@dataclass
class PolicyCache:
    customers: dict[str, CustomerContext] = field(default_factory=dict)
    callers: dict[str, str] = field(default_factory=dict)
    sip_users: dict[str, SipUser] = field(default_factory=dict)
    reseller_tables: dict[str, LevelTable] = field(default_factory=dict)
    customer_tables: dict[str, LevelTable] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(default_factory=dict)  # fail open/closed per reseller
    # scope (organisation id, or the account's id) → its shared directory; only scopes with
    # something to share (an organisation, numbers, users) have one
    directories: dict[str, internal.Directory] = field(default_factory=dict)
    tokens: dict[str, TokenInfo] = field(default_factory=dict)
    loaded_at: float = 0.0
    generation: int = 0  # every change up to this generation is in the cache
    snapshot_at: int = -1  # the last full reload's generation
    applied: set[int] = field(default_factory=set)  # broadcasts applied beyond it
    behind_since: float | None = None
    # kind → key → generation of the snapshot the entry came from (only entries newer than
    # the last full reload are remembered).
    stamps: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    # -- loading --------------------------------------------------------------------------
    def load_all(self, session: Session) -> None:
        started = time.monotonic()
        snap = generations.snapshot(session)
        fresh: dict[str, dict[str, Any]] = {
            "customers": {c.id: _context(c) for c in session.scalars(select(KnownCustomer))},
            "callers": dict(session.execute(
                select(CallerNumber.number, CallerNumber.customer_id)
                .where(CallerNumber.customer_id.is_not(None))).tuples().all()),
            "sip_users": {r.username: _sip_user(r) for r in session.scalars(
                select(SipUserRow).where(SipUserRow.deleted.is_(False)))},
        }
        by_reseller: dict[str, list[CompiledRule]] = defaultdict(list)
        by_customer: dict[str, list[CompiledRule]] = defaultdict(list)
        for row in session.scalars(select(RuleRow)):
            target = by_customer[row.customer_id] if row.customer_id else by_reseller[
                row.reseller_id]
            target.append(_compiled(row))
        policies = session.execute(select(ResellerPolicy.reseller_id,
                                          ResellerPolicy.default_action,
                                          ResellerPolicy.unavailable_action)).all()
        fresh["defaults"] = {p.reseller_id: p.default_action for p in policies}
        fresh["fallbacks"] = {p.reseller_id: p.unavailable_action for p in policies}
        fresh["reseller_tables"] = {k: LevelTable.compile(v) for k, v in by_reseller.items()}
        fresh["directories"] = _directories(session, fresh["customers"])
        fresh["customer_tables"] = {k: LevelTable.compile(v) for k, v in by_customer.items()}
        tokens = self._read_tokens(session)
        # Swap whole dicts at the end: a full reload is never seen half done. Entries a
        # partial load brought from a newer snapshot meanwhile stay.
        for kind in KINDS:
            setattr(self, kind, self._keep_newer(kind, fresh[kind], snap))
        if self.stamps["tokens"].get("", -1) <= snap:
            self.tokens = tokens
        self.stamps = defaultdict(dict, {k: {key: g for key, g in v.items() if g > snap}
                                         for k, v in self.stamps.items()})
        self.generation = max(self.generation, snap)
        self.snapshot_at = snap
        self._advance()
        self.behind_since = None
        self.loaded_at = time.monotonic()
        log.info("call-restriction cache loaded at generation %d: %d customers, %d callers, "
                 "%d SIP users, %d rules in %.0f ms", snap, len(self.customers),
                 len(self.callers), len(self.sip_users),
                 sum(map(len, by_reseller.values())) + sum(map(len, by_customer.values())),
                 (self.loaded_at - started) * 1000)

    def _keep_newer(self, kind: str, fresh: dict[str, Any], snap: int) -> dict[str, Any]:
        current = getattr(self, kind)
        for key, stamp in self.stamps[kind].items():
            if stamp > snap:
                if key in current:
                    fresh[key] = current[key]
                else:
                    fresh.pop(key, None)
        return fresh

    def _put(self, kind: str, key: str, value: Any, stamp: int) -> bool:
        """Sets (or, with None, removes) one entry unless a newer snapshot already did."""
        stamps = self.stamps[kind]
        if stamps.get(key, -1) > stamp or (key not in stamps and self.snapshot_at > stamp):
            return False
        stamps[key] = stamp
        table = getattr(self, kind)
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
        return True

    @staticmethod
    def _stamp(session: Session) -> int:
        # A session already in a transaction cannot become a snapshot: its reads are at
        # least as new as the counter read now, and an older stamp only makes the entry
        # easier to replace by the next load.
        if session.in_transaction():
            return generations.current(session)
        return generations.snapshot(session)

    def load_level(self, session: Session, reseller_id: str, customer_id: str | None) -> None:
        stamp = self._stamp(session)
        scope = (RuleRow.customer_id == customer_id) if customer_id else (
            (RuleRow.reseller_id == reseller_id) & RuleRow.customer_id.is_(None))
        table = LevelTable.compile(_compiled(r) for r in session.scalars(
            select(RuleRow).where(scope)))
        if customer_id:
            self._put("customer_tables", customer_id, table, stamp)
        else:
            policy = session.get(ResellerPolicy, reseller_id)
            self._put("reseller_tables", reseller_id, table, stamp)
            self._put("defaults", reseller_id, policy.default_action if policy else "allow",
                      stamp)
            self._put("fallbacks", reseller_id,
                      policy.unavailable_action if policy else "deny", stamp)

    def load_customer(self, session: Session, customer_id: str) -> None:
        stamp = self._stamp(session)
        row = session.get(KnownCustomer, customer_id)
        self._put("customers", customer_id, _context(row) if row else None, stamp)

    def load_directory(self, session: Session, scope: str) -> None:
        """Reload one shared directory (an organisation's, or an account's own)."""
        stamp = self._stamp(session)
        rows = list(session.scalars(select(KnownCustomer).where(
            (KnownCustomer.organisation_id == scope)
            | ((KnownCustomer.id == scope) & KnownCustomer.organisation_id.is_(None)))))
        members = [r.id for r in rows]
        numbers = session.execute(
            select(CallerNumber.number, CallerNumber.customer_id, CallerNumber.user_id)
            .where(CallerNumber.customer_id.in_(members))).tuples().all()
        users = _users(session, AccountUser.customer_id.in_(members))
        organisation = scope if any(r.organisation_id == scope for r in rows) else None
        directory = internal.build(scope, organisation, map(_member, rows), users,
                                   numbers) if rows else None
        self._put("directories", scope, directory, stamp)

    def load_caller(self, session: Session, number: str) -> None:
        stamp = self._stamp(session)
        row = session.get(CallerNumber, number)
        self._put("callers", number, row.customer_id if row else None, stamp)

    def load_sip_user(self, session: Session, username: str) -> None:
        stamp = self._stamp(session)
        row = session.get(SipUserRow, username)
        self._put("sip_users", username, _sip_user(row) if row and not row.deleted else None,
                  stamp)

    def load_tokens(self, session: Session) -> None:
        stamp = self._stamp(session)
        tokens = self._read_tokens(session)
        if self.stamps["tokens"].get("", -1) <= stamp:
            self.stamps["tokens"][""] = stamp
            self.tokens = tokens

    @staticmethod
    def _read_tokens(session: Session) -> dict[str, TokenInfo]:
        rows = session.scalars(select(PbxTokenRow).where(PbxTokenRow.revoked_at.is_(None)))
        return {r.token_hash: TokenInfo(r.id, r.reseller_id) for r in rows}

    # -- freshness ------------------------------------------------------------------------
    def applied_broadcast(self, generation: int | None) -> None:
        """A broadcast's change is in the cache (older producers send no generation)."""
        if generation is not None and generation > self.generation:
            self.applied.add(generation)
            self._advance()

    def _advance(self) -> None:
        while self.generation + 1 in self.applied:
            self.generation += 1
        self.applied = {g for g in self.applied if g > self.generation}

    def behind(self, database_generation: int, now: float, grace: float) -> bool:
        """True when the database has been ahead of this cache for ``grace`` seconds: long
        enough for a broadcast in flight to have arrived, so one was missed."""
        if database_generation <= self.generation:
            self.behind_since = None
            return False
        if self.behind_since is None:
            self.behind_since = now
        return now - self.behind_since >= grace

    # -- answering ------------------------------------------------------------------------
    def check_token(self, token: str | None) -> TokenInfo:
        if not token:
            raise Unauthorized("send Authorization: Bearer <PBX token>")
        # A lookup by the SHA-256 of a 256-bit random secret: the timing of a dict lookup
        # tells an attacker nothing useful about a hash it cannot choose.
        info = self.tokens.get(digest(token))
        if info is None:
            raise Unauthorized("unknown or revoked PBX token")
        return info

    def customer_context(self, customer_id: str | None, caller: str | None,
                         reseller_id: str | None = None, sip_user: str | None = None
                         ) -> CustomerContext:
        if sip_user is not None:
            user = self.sip_users.get(sip_user)
            if user is None:
                raise NotFound(f"no line has the SIP user {sip_user[:64]}")
            customer_id = user.customer_id
        elif customer_id is None and caller is not None:
            customer_id = self.callers.get(caller.replace(" ", ""))
            if customer_id is None:
                raise NotFound(f"no customer holds the calling number {caller[:32]}")
        context = self.customers.get(customer_id or "")
        if context is None or (reseller_id and context.reseller_id != reseller_id):
            raise NotFound("no such customer")
        return context

    def sip_credentials(self, username: str, realm: str, reseller_id: str | None
                        ) -> dict[str, Any]:
        """What the proxy needs to check a digest: nothing for a closed or suspended
        customer, a deleted line or another reseller's line (the same 404 for each, so
        the answer tells nothing about lines the token may not see)."""
        user = self.sip_users.get(username)
        customer = self.customers.get(user.customer_id) if user else None
        if (user is None or customer is None or customer.status in NO_SIP_SERVICE
                or (reseller_id and customer.reseller_id != reseller_id)):
            raise NotFound("no active line has this SIP user")
        ha1 = user.ha1.get(realm)
        if ha1 is None:
            raise NotFound(f"this SIP user has no credentials for the realm {realm[:64]}")
        return {"ha1": ha1, "customer_id": user.customer_id, "caller_id": user.caller_id}

    def unavailable_action(self, reseller_id: str) -> str:
        return self.fallbacks.get(reseller_id, "deny")

    def decide(self, context: CustomerContext, dialed: str, kind: str) -> Verdict:
        return decide(context, dialed, kind,
                      self.customer_tables.get(context.customer_id, EMPTY),
                      self.reseller_tables.get(context.reseller_id, EMPTY),
                      self.defaults.get(context.reseller_id, "allow"), self)

    # -- internal calls (PolicyCache is the ``policy.Internal`` of decide) -------------------
    def by_extension(self, customer: CustomerContext, compact: str) -> dict[str, Any] | None:
        directory = self.directories.get(customer.scope)
        entry = directory.extensions.get(compact) if directory is not None else None
        return entry.callee() if entry is not None else None

    def by_number(self, customer: CustomerContext, e164: str) -> dict[str, Any] | None:
        holder = self.callers.get(e164)
        if holder is None:
            return None
        if holder != customer.customer_id:
            other = self.customers.get(holder)
            if other is None or other.scope != customer.scope or other.status == "closed":
                return None
        directory = self.directories.get(customer.scope)
        entry = directory.numbers.get(e164) if directory is not None else None
        if entry is None:  # the directory is reloading: the holder still answers
            return {"customer_id": holder, "user_id": None, "name": self.customers[
                holder].name if holder in self.customers else "", "extension": None,
                "number": e164}
        return entry.callee(e164)

    def directory_of(self, customer_id: str, reseller_id: str | None = None
                     ) -> dict[str, Any]:
        """The directory the account's users share, as the PBX and the portal see it."""
        context = self.customers.get(customer_id)
        if context is None or (reseller_id and context.reseller_id != reseller_id):
            raise NotFound("no such customer")
        directory = self.directories.get(context.scope) or internal.own_directory(
            context.customer_id, context.name)
        return directory.as_dict(customer_id)


def _context(row: KnownCustomer) -> CustomerContext:
    return CustomerContext(row.id, row.reseller_id, row.country or "FR", row.status,
                           row.organisation_id, row.name)


def _member(row: KnownCustomer) -> internal.Member:
    return internal.Member(row.id, row.name, row.status)


def _users(session: Session, where: Any) -> list[internal.UserRow]:
    rows = session.execute(select(AccountUser.id, AccountUser.customer_id,
                                  AccountUser.display_name, AccountUser.extension)
                           .where(where, AccountUser.deleted.is_(False)))
    return [internal.UserRow(*row) for row in rows]


def _directories(session: Session, customers: dict[str, CustomerContext]
                 ) -> dict[str, internal.Directory]:
    """Every scope with something to share: organisations, and accounts holding numbers or
    having users."""
    members: dict[str, list[internal.Member]] = defaultdict(list)
    for c in customers.values():
        members[c.scope].append(internal.Member(c.customer_id, c.name, c.status))
    numbers: dict[str, list[tuple[str, str, str | None]]] = defaultdict(list)
    for number, holder, user_id in session.execute(
            select(CallerNumber.number, CallerNumber.customer_id, CallerNumber.user_id)
            .where(CallerNumber.customer_id.is_not(None))):
        context = customers.get(holder)
        if context is not None:
            numbers[context.scope].append((number, holder, user_id))
    users: dict[str, list[internal.UserRow]] = defaultdict(list)
    for user in _users(session, AccountUser.customer_id.is_not(None)):
        context = customers.get(user.customer_id)
        if context is not None:
            users[context.scope].append(user)
    scopes = ({c.organisation_id for c in customers.values() if c.organisation_id}
              | set(numbers) | set(users))
    return {scope: internal.build(scope, scope if scope not in customers else None,
                                  members[scope], users[scope], numbers[scope])
            for scope in scopes}
