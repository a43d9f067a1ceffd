"""The in-memory state each replica answers from: customers, callers, compiled tables,
reseller defaults and PBX token hashes.

Reloads build a new structure and then swap one dict entry, so a lookup running meanwhile
sees either the old or the new table, never half of one (eventlet switches only on I/O,
and the swap does none).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from sbcommon.errors import NotFound, Unauthorized

from ..models import CallerNumber, KnownCustomer, PbxTokenRow, ResellerPolicy, RuleRow
from .policy import EMPTY, CompiledRule, CustomerContext, LevelTable, Verdict, decide
from .tokens import digest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenInfo:
    id: str
    reseller_id: str | None


def _compiled(row: RuleRow) -> CompiledRule:
    return CompiledRule(row.id, row.action, row.match, row.value,
                        "customer" if row.customer_id else "reseller")


@dataclass
class PolicyCache:
    customers: dict[str, CustomerContext] = field(default_factory=dict)
    callers: dict[str, str] = field(default_factory=dict)
    reseller_tables: dict[str, LevelTable] = field(default_factory=dict)
    customer_tables: dict[str, LevelTable] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    fallbacks: dict[str, str] = field(default_factory=dict)  # fail open/closed per reseller
    tokens: dict[str, TokenInfo] = field(default_factory=dict)
    loaded_at: float = 0.0

    # -- loading --------------------------------------------------------------------------
    def load_all(self, session: Session) -> None:
        started = time.monotonic()
        customers = {c.id: _context(c) for c in session.scalars(select(KnownCustomer))}
        callers = dict(session.execute(
            select(CallerNumber.number, CallerNumber.customer_id)
            .where(CallerNumber.customer_id.is_not(None))).tuples().all())
        by_reseller: dict[str, list[CompiledRule]] = defaultdict(list)
        by_customer: dict[str, list[CompiledRule]] = defaultdict(list)
        for row in session.scalars(select(RuleRow)):
            target = by_customer[row.customer_id] if row.customer_id else by_reseller[
                row.reseller_id]
            target.append(_compiled(row))
        policies = session.execute(select(ResellerPolicy.reseller_id,
                                          ResellerPolicy.default_action,
                                          ResellerPolicy.unavailable_action)).all()
        defaults = {p.reseller_id: p.default_action for p in policies}
        fallbacks = {p.reseller_id: p.unavailable_action for p in policies}
        # Swap whole dicts at the end: a full reload is never seen half done.
        self.customers, self.callers, self.defaults = customers, callers, defaults
        self.fallbacks = fallbacks
        self.reseller_tables = {k: LevelTable.compile(v) for k, v in by_reseller.items()}
        self.customer_tables = {k: LevelTable.compile(v) for k, v in by_customer.items()}
        self.load_tokens(session)
        self.loaded_at = time.monotonic()
        log.info("call-restriction cache loaded: %d customers, %d callers, %d rules in %.0f ms",
                 len(customers), len(callers), sum(map(len, by_reseller.values()))
                 + sum(map(len, by_customer.values())), (self.loaded_at - started) * 1000)

    def load_level(self, session: Session, reseller_id: str, customer_id: str | None) -> None:
        scope = (RuleRow.customer_id == customer_id) if customer_id else (
            (RuleRow.reseller_id == reseller_id) & RuleRow.customer_id.is_(None))
        table = LevelTable.compile(_compiled(r) for r in session.scalars(
            select(RuleRow).where(scope)))
        if customer_id:
            self.customer_tables[customer_id] = table
        else:
            self.reseller_tables[reseller_id] = table
            policy = session.get(ResellerPolicy, reseller_id)
            self.defaults[reseller_id] = policy.default_action if policy else "allow"
            self.fallbacks[reseller_id] = policy.unavailable_action if policy else "deny"

    def load_customer(self, session: Session, customer_id: str) -> None:
        row = session.get(KnownCustomer, customer_id)
        if row is None:
            self.customers.pop(customer_id, None)
        else:
            self.customers[customer_id] = _context(row)

    def load_caller(self, session: Session, number: str) -> None:
        row = session.get(CallerNumber, number)
        if row is None or row.customer_id is None:
            self.callers.pop(number, None)
        else:
            self.callers[number] = row.customer_id

    def load_tokens(self, session: Session) -> None:
        rows = session.scalars(select(PbxTokenRow).where(PbxTokenRow.revoked_at.is_(None)))
        self.tokens = {r.token_hash: TokenInfo(r.id, r.reseller_id) for r in rows}

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
                         reseller_id: str | None = None) -> CustomerContext:
        if customer_id is None and caller is not None:
            customer_id = self.callers.get(caller.replace(" ", ""))
            if customer_id is None:
                raise NotFound(f"no customer holds the calling number {caller[:32]}")
        context = self.customers.get(customer_id or "")
        if context is None or (reseller_id and context.reseller_id != reseller_id):
            raise NotFound("no such customer")
        return context

    def unavailable_action(self, reseller_id: str) -> str:
        return self.fallbacks.get(reseller_id, "deny")

    def decide(self, context: CustomerContext, dialed: str, kind: str) -> Verdict:
        return decide(context, dialed, kind,
                      self.customer_tables.get(context.customer_id, EMPTY),
                      self.reseller_tables.get(context.reseller_id, EMPTY),
                      self.defaults.get(context.reseller_id, "allow"))


def _context(row: KnownCustomer) -> CustomerContext:
    return CustomerContext(row.id, row.reseller_id, row.country or "FR", row.status)
