"""A reseller's audit log: who did what to which subscriber, and whether from inside the
subscriber's account (direct access).

Append-only: this module only inserts and reads (the database refuses UPDATE, DELETE and
TRUNCATE on the table as well). Any part of accounts that changes something worth
auditing calls ``record`` in the same transaction as the change, so the entry exists if and
only if the change committed.
"""

from __future__ import annotations

import csv
import io
import math
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import AuditQuery
from sbcommon.contracts.exports import CsvPage

from ..models import AuditEntry, Customer, User

# Detail keys never kept, whatever a caller passes: the log is read by many people.
SECRET_WORDS = ("password", "token", "secret", "pin", "hash")
SYSTEM = "system"  # the actor of timer-driven changes (no user)
EXPORT_PAGE = 2000
CSV_COLUMNS = ("id", "at", "customer_id", "customer_name", "action", "actor_name",
               "actor_role", "actor_user_id", "direct_access", "details")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _clean(details: dict[str, Any] | None) -> dict[str, Any]:
    """Drop anything that looks like a credential and keep values short."""
    out: dict[str, Any] = {}
    for key, value in (details or {}).items():
        if any(word in key.lower() for word in SECRET_WORDS):
            continue
        if isinstance(value, str):
            value = value[:300]
        elif not isinstance(value, int | float | bool | type(None)):
            value = str(value)[:300]
        out[str(key)[:60]] = value
    return out


def _who(session: Session, actor: Actor | None) -> tuple[str | None, str, str, bool]:
    """(user id, display name, role, via direct access) of the person behind ``actor``."""
    if actor is None:
        return None, SYSTEM, SYSTEM, False
    if actor.support_user_id:
        user = session.get(User, actor.support_user_id)
        name = user.display_name if user else (actor.support_name or "")
        role = user.role if user else Role.RESELLER.value
        return actor.support_user_id, name, role, True
    user = session.get(User, actor.user_id)
    return actor.user_id, user.display_name if user else "", actor.role.value, False


def record(session: Session, action: str, now: datetime, *, actor: Actor | None,
           customer: Customer | None = None, reseller_id: str | None = None,
           details: dict[str, Any] | None = None, actor_user_id: str | None = None
           ) -> int:
    """Append one entry (in the caller's transaction); returns its id. ``actor`` None is
    the platform itself (a timer); ``actor_user_id`` names a user when no actor is at hand
    (an event from another service says who changed what)."""
    user_id, name, role, direct = _who(session, actor)
    if actor is None and actor_user_id:
        user = session.get(User, actor_user_id)
        user_id, name = actor_user_id, user.display_name if user else ""
        role = user.role if user else SYSTEM
    entry = AuditEntry(
        at=now, reseller_id=reseller_id or (customer.reseller_id if customer else ""),
        customer_id=customer.id if customer else None,
        customer_name=customer.name[:200] if customer else None,
        actor_user_id=user_id, actor_name=name[:200] or SYSTEM, actor_role=role,
        direct_access=direct, action=action, details=_clean(details),
    )
    session.add(entry)
    session.flush()
    return entry.id


def to_contract(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at.isoformat(), "reseller_id": entry.reseller_id,
            "customer_id": entry.customer_id, "customer_name": entry.customer_name,
            "actor_user_id": entry.actor_user_id, "actor_name": entry.actor_name,
            "actor_role": entry.actor_role, "direct_access": entry.direct_access,
            "action": entry.action, "details": entry.details}


def _filtered(actor: Actor, query: AuditQuery) -> Select:
    """The reseller's own log (the administrator sees every reseller's)."""
    actor.require(Role.RESELLER, Role.ADMIN)
    stmt = select(AuditEntry)
    if actor.role == Role.RESELLER:
        stmt = stmt.where(AuditEntry.reseller_id == actor.reseller_id)
    if query.customer_id:
        stmt = stmt.where(AuditEntry.customer_id == query.customer_id)
    if query.action:
        stmt = stmt.where(AuditEntry.action == query.action)
    if query.actor_user_id:
        stmt = stmt.where(AuditEntry.actor_user_id == query.actor_user_id)
    if query.since:
        stmt = stmt.where(AuditEntry.at >= query.since)
    if query.until:
        stmt = stmt.where(AuditEntry.at < query.until)
    return stmt


def search(session: Session, actor: Actor, query: AuditQuery) -> dict[str, Any]:
    """Newest first, a page at a time."""
    stmt = _filtered(actor, query)
    total = session.scalar(stmt.with_only_columns(func.count()).order_by(None)) or 0
    rows = session.scalars(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(query.per_page)
                           .offset((query.page - 1) * query.per_page)).all()
    return {"items": [to_contract(r) for r in rows], "total": total, "page": query.page,
            "per_page": query.per_page, "pages": max(1, math.ceil(total / query.per_page))}


def neutralise(value: Any) -> str:
    """No cell a spreadsheet would run as a formula (CSV injection): a leading apostrophe
    makes Excel and LibreOffice show the text as typed."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def export_page(session: Session, actor: Actor, query: AuditQuery, after: int | None,
                size: int = EXPORT_PAGE) -> dict[str, Any]:
    """One page of the filtered log as CSV, oldest first after entry ``after`` (keyset);
    the header comes with the first page, ``next`` names where the next page starts."""
    stmt = _filtered(actor, query)
    if after is not None:
        stmt = stmt.where(AuditEntry.id > after)
    rows = session.scalars(stmt.order_by(AuditEntry.id).limit(size + 1)).all()
    more = len(rows) > size
    rows = rows[:size]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if after is None:
        writer.writerow(CSV_COLUMNS)
    for row in rows:
        data = to_contract(row)
        data["details"] = "; ".join(f"{k}={v}" for k, v in sorted(row.details.items()))
        writer.writerow([neutralise(data[c]) for c in CSV_COLUMNS])
    return CsvPage(csv=out.getvalue(), next=rows[-1].id if more else None
                   ).model_dump(mode="json")


VISITS_SHOWN = 20


def visits(session: Session, customer: Customer) -> list[dict[str, Any]]:
    """When support entered the subscriber's account, and who: what the subscriber sees."""
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.customer_id == customer.id,
                                 AuditEntry.action == "direct_access.started")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(VISITS_SHOWN)).all()
    return [{"at": r.at.isoformat(), "name": r.actor_name, "role": r.actor_role}
            for r in rows]
