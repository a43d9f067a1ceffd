"""Customer accounts: creation, reads, changes, closing and listing, always tenant-scoped."""

from __future__ import annotations

import math
import re
import secrets
import unicodedata
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import Customer as CustomerOut
from sbcommon.contracts.accounts import (
    CustomerCounts,
    CustomerCreate,
    CustomerPage,
    CustomerQuery,
    CustomerUpdate,
)
from sbcommon.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests

from ..models import Customer, Reseller, User, WebSession
from ..settings import AccountsSettings
from .auth import EventSink, request_reset

# Which status changes a reseller may make. Closing has its own path; reopening a closed
# account is the system administrator's alone.
TRANSITIONS = {
    "trial": {"production", "suspended"},
    "production": {"suspended"},
    "suspended": {"production", "trial"},
    "closed": set(),
}
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def to_contract(customer: Customer) -> dict[str, Any]:
    return CustomerOut.model_validate(customer, from_attributes=True).model_dump(mode="json")


def scope(stmt: Select, actor: Actor) -> Select:
    """Restrict a customer query to what ``actor`` may see."""
    return actor.restrict(stmt, Customer.reseller_id, Customer.id)


def get_scoped(session: Session, actor: Actor, customer_id: str, *, lock: bool = False
               ) -> Customer:
    """The customer if ``actor`` may see it; otherwise NotFound (never Forbidden: another
    tenant's ids must be indistinguishable from ids that do not exist)."""
    if not isinstance(customer_id, str) or not UUID_RE.match(customer_id):
        raise NotFound("no such customer")
    stmt = scope(select(Customer).where(Customer.id == customer_id), actor)
    if lock:
        stmt = stmt.with_for_update()
    customer = session.scalars(stmt).first()
    if customer is None:
        raise NotFound("no such customer")
    return customer


def _event_data(customer: Customer) -> dict[str, Any]:
    """The customer's whole current state and version: every customer event carries it, so
    a service keeping a copy needs no other event and can tell stale from new."""
    return {
        "customer_id": customer.id,
        "reseller_id": customer.reseller_id,
        "kind": customer.kind,
        "status": customer.status,
        "name": customer.name,
        "email": customer.email,
        "language": customer.language,
        "country": customer.country,
        "version": customer.version,
        # the welcome e-mail says when a free trial ends
        "trial_ends_at": customer.trial_ends_at.isoformat() if customer.trial_ends_at else None,
    }


def _changed(customer: Customer, now: datetime) -> None:
    """One change of the account: its version moves on once, whatever events it records."""
    customer.version += 1
    customer.updated_at = now


def _slug(name: str) -> str:
    # "Élodie Gagnon" -> "elodie.gagnon": strip accents rather than drop the letters.
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", ".", ascii_name.lower()).strip(".")[:40]
    return base if len(base) >= 3 else f"client.{base}".strip(".")


def _identifier_taken(session: Session, identifier: str) -> bool:
    in_users = session.scalar(select(User.id).where(User.identifier == identifier))
    in_customers = session.scalar(select(Customer.id).where(Customer.identifier == identifier))
    return bool(in_users or in_customers)


def _email_taken(session: Session, email: str, except_user: str | None = None) -> bool:
    stmt = select(User.id).where(func.lower(User.email) == email.lower())
    if except_user:
        stmt = stmt.where(User.id != except_user)
    return session.scalar(stmt) is not None


def _pick_identifier(session: Session, data: CustomerCreate) -> str:
    if data.identifier:
        if _identifier_taken(session, data.identifier):
            raise Conflict(f"identifier {data.identifier!r} is already in use",
                           [{"field": "identifier", "message": "already in use"}])
        return data.identifier
    base = _slug(data.name)
    for _ in range(20):
        candidate = f"{base}.{secrets.randbelow(10**6):06d}"
        if not _identifier_taken(session, candidate):
            return candidate
    raise Conflict("could not generate a free identifier; give one")


def create(
    session: Session, actor: Actor, data: CustomerCreate, settings: AccountsSettings,
    events: EventSink, now: datetime,
) -> dict[str, Any]:
    actor.require(Role.RESELLER)
    reseller = session.get(Reseller, actor.reseller_id)
    if reseller is None or reseller.status != "active":
        raise Forbidden("your reseller account cannot create customers")
    if _email_taken(session, data.email):
        raise Conflict(f"e-mail {data.email} is already used by another account",
                       [{"field": "email", "message": "already in use"}])
    identifier = _pick_identifier(session, data)
    trial_days = reseller.trial_days or settings.trial_days
    customer = Customer(
        id=str(uuid.uuid4()), reseller_id=reseller.id, kind=data.kind, name=data.name,
        identifier=identifier, email=data.email, phone=data.phone,
        contact_name=data.contact_name, language=data.language,
        country=data.country or reseller.country, status=data.start,
        trial_ends_at=now + timedelta(days=trial_days) if data.start == "trial" else None,
        created_at=now, updated_at=now, version=1,
    )
    session.add(customer)
    session.flush()
    # The account's main user; it has no password until the subscriber chooses one through
    # the single-use link sent with the access codes or "Forgot?".
    session.add(User(
        id=str(uuid.uuid4()), role="customer", reseller_id=reseller.id,
        customer_id=customer.id, identifier=identifier, email=data.email,
        display_name=data.contact_name or data.name, language=data.language, created_at=now,
        account_role="account_admin", version=1, updated_at=now,
    ))
    session.flush()
    session.refresh(customer)
    events.record(session, "customer_created", _event_data(customer))
    return to_contract(customer)


# What a subscriber may change on its own account; everything else is its reseller's.
SUBSCRIBER_MAY_CHANGE = frozenset({"name", "contact_name", "phone", "language"})


def update(
    session: Session, actor: Actor, customer_id: str, patch: CustomerUpdate,
    settings: AccountsSettings, events: EventSink, now: datetime,
) -> dict[str, Any]:
    customer = get_scoped(session, actor, customer_id, lock=True)
    if actor.is_plain_user:
        raise Forbidden("your account's administrators change its settings")
    if customer.status == "closed":
        raise Conflict("this account is closed; it cannot be edited")
    changes = patch.model_dump(exclude_unset=True)
    if actor.role == Role.CUSTOMER:
        # A field sent back unchanged (the portal's form sends them all) is not a change.
        refused = sorted(f for f in set(changes) - SUBSCRIBER_MAY_CHANGE
                         if _differs(getattr(customer, f), changes[f]))
        if refused:
            # The country decides what call restrictions call "international", the e-mail
            # is the sign-in and recovery address, the status is the reseller's to set.
            raise Forbidden(
                f"your reseller manages these fields of your account: {', '.join(refused)}",
                [{"field": f, "message": "set by your reseller"} for f in refused])
    for field in ("name", "email", "language", "country", "status"):
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be empty", [{"field": field, "message": "required"}])
    new_status = changes.pop("status", None)
    if "email" in changes and changes["email"].lower() != customer.email.lower():
        main_user = _main_user(session, customer)
        if _email_taken(session, changes["email"], except_user=main_user.id if main_user else None):
            raise Conflict(f"e-mail {changes['email']} is already used by another account",
                           [{"field": "email", "message": "already in use"}])
        if main_user:
            main_user.email = changes["email"]
    for field, value in changes.items():
        setattr(customer, field, value)
    if changes or (new_status and new_status != customer.status):
        _changed(customer, now)
    if new_status and new_status != customer.status:
        _change_status(session, customer, new_status, settings, events, now)
    session.flush()
    session.refresh(customer)
    if changes:
        events.record(session, "customer_updated",
                      {**_event_data(customer), "fields": sorted(changes)})
    return to_contract(customer)


def _differs(current: Any, sent: Any) -> bool:
    if isinstance(current, str) and isinstance(sent, str):
        return current.casefold() != sent.casefold()
    return current != sent


def _main_user(session: Session, customer: Customer) -> User | None:
    return session.scalars(
        select(User).where(User.customer_id == customer.id, User.identifier == customer.identifier)
    ).first()


def _change_status(session: Session, customer: Customer, new: str,
                   settings: AccountsSettings, events: EventSink, now: datetime) -> None:
    old = customer.status
    if new not in TRANSITIONS[old]:
        raise Conflict(f"an account cannot go from {old} to {new}",
                       [{"field": "status", "message": f"{old} → {new} not allowed"}])
    customer.status = new
    if new == "trial":
        customer.trial_ends_at = now + timedelta(days=settings.trial_days)
    elif new == "production":
        customer.trial_ends_at = None
    events.record(session, "customer_status_changed",
                  {**_event_data(customer), "previous_status": old})


def close(session: Session, actor: Actor, customer_id: str, events: EventSink,
          now: datetime) -> dict[str, Any]:
    """Soft close: the data stays; sessions of its users end at once."""
    # Scope first: an account outside the actor's reach is "not found", whatever the role.
    customer = get_scoped(session, actor, customer_id, lock=True)
    actor.require(Role.RESELLER, Role.ADMIN)
    if customer.status == "closed":
        raise Conflict("this account is already closed")
    previous = customer.status
    customer.status = "closed"
    customer.closed_at = now
    _changed(customer, now)
    user_ids = select(User.id).where(User.customer_id == customer.id)
    session.execute(delete(WebSession).where(WebSession.user_id.in_(user_ids)))
    session.flush()
    events.record(session, "customer_closed", {
        **_event_data(customer), "previous_status": previous,
        "closed_at": now.isoformat(),
    })
    events.record(session, "customer_status_changed",
                  {**_event_data(customer), "previous_status": previous})
    return to_contract(customer)


def reopen(session: Session, actor: Actor, customer_id: str, events: EventSink,
           now: datetime) -> dict[str, Any]:
    customer = get_scoped(session, actor, customer_id, lock=True)
    actor.require(Role.ADMIN)
    if customer.status != "closed":
        raise Conflict("only a closed account can be reopened")
    customer.status = "production"
    customer.closed_at = None
    _changed(customer, now)
    session.flush()
    events.record(session, "customer_status_changed",
                  {**_event_data(customer), "previous_status": "closed"})
    return to_contract(customer)


def _escape_like(text: str) -> str:
    """Lower-cased, with LIKE's wildcards taken literally: a search for "%" finds "%"."""
    return text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# Trigram indexes need three characters; shorter searches match the start of the name,
# which a btree prefix index serves (a substring scan of every row would be far slower).
MIN_SUBSTRING_SEARCH = 3


def _filtered(actor: Actor, query: CustomerQuery) -> Select:
    stmt = scope(select(Customer), actor)
    if query.kind:
        stmt = stmt.where(Customer.kind == query.kind)
    if query.status:
        stmt = stmt.where(Customer.status == query.status)
    if query.q and len(query.q) >= MIN_SUBSTRING_SEARCH:
        stmt = stmt.where(Customer.search_text.like(f"%{_escape_like(query.q)}%", escape="\\"))
    elif query.q:
        stmt = stmt.where(Customer.name_key.like(f"{_escape_like(query.q)}%", escape="\\"))
    return stmt


def _rows(session: Session, stmt: Select, query: CustomerQuery, offset: int, limit: int
          ) -> list[dict[str, Any]]:
    primary = {
        "name": [Customer.name_key],
        "created_at": [Customer.created_at],
        "status": [Customer.status, Customer.name_key],
    }[query.sort]
    direction = (lambda c: c.desc()) if query.order == "desc" else (lambda c: c.asc())
    order = [direction(c) for c in primary] + [direction(Customer.id)]
    # Deferred join: find the page's ids with an index-only scan, then read only those rows,
    # so a deep OFFSET walks index entries instead of whole rows.
    page_ids = (
        stmt.with_only_columns(Customer.id).order_by(*order).limit(limit).offset(offset)
    ).subquery()
    rows = session.scalars(
        select(Customer).join(page_ids, Customer.id == page_ids.c.id).order_by(*order)
    ).all()
    return [to_contract(c) for c in rows]


def _total(session: Session, stmt: Select) -> int:
    return session.scalar(stmt.with_only_columns(func.count()).order_by(None)) or 0


def search(session: Session, actor: Actor, query: CustomerQuery) -> dict[str, Any]:
    stmt = _filtered(actor, query)
    total = _total(session, stmt)
    items = _rows(session, stmt, query, (query.page - 1) * query.per_page, query.per_page)
    return CustomerPage(
        items=items, total=total, page=query.page, per_page=query.per_page,
        pages=max(1, math.ceil(total / query.per_page)),
    ).model_dump(mode="json")


EXPORT_CHUNK = 1000


def export_chunk(session: Session, actor: Actor, query: CustomerQuery, chunk: int
                 ) -> dict[str, Any]:
    """Chunk ``chunk`` (from 1) of the whole list in the query's order, for exports: large
    chunks, and the total counted only with the first one (a count per page would cost more
    than the rows themselves)."""
    stmt = _filtered(actor, query)
    total = _total(session, stmt) if chunk == 1 else None
    items = _rows(session, stmt, query, (chunk - 1) * EXPORT_CHUNK, EXPORT_CHUNK)
    out: dict[str, Any] = {"items": items, "chunk": chunk}
    if total is not None:
        out.update(total=total, chunks=max(1, math.ceil(total / EXPORT_CHUNK)))
    return out


def counts(session: Session, actor: Actor) -> dict[str, int]:
    stmt = scope(
        select(Customer.kind, Customer.status, func.count()).group_by(Customer.kind,
                                                                      Customer.status),
        actor,
    )
    result = CustomerCounts()
    for kind, status, n in session.execute(stmt):
        setattr(result, kind, getattr(result, kind) + n)
        setattr(result, status, getattr(result, status) + n)
    return result.model_dump()


def issue_access_codes(session: Session, actor: Actor, customer_id: str,
                       settings: AccountsSettings, events: EventSink, now: datetime
                       ) -> dict[str, Any]:
    """A single-use link for the account's main user to choose its PIN, carried by the
    ``password_reset_requested`` event (purpose ``access_codes``) to the notifications
    service. The token never leaves through this function's answer."""
    customer = get_scoped(session, actor, customer_id)
    actor.require(Role.RESELLER, Role.ADMIN)
    if customer.status == "closed":
        raise Conflict("this account is closed; its access codes cannot be sent")
    user = _main_user(session, customer)
    if user is None or user.disabled:
        raise Conflict("this account has no active main user to send access codes to")
    if not user.email:
        raise Invalid("this account has no e-mail address",
                      [{"field": "email", "message": "missing"}])
    token = request_reset(session, events, settings, user.identifier, now,
                          purpose="access_codes")
    if token is None:
        raise TooManyRequests(
            f"at most {settings.reset_per_hour} links per hour for one account; try later",
            {"retry_after": 3600})
    return {"customer_id": customer.id, "email": user.email,
            "expires_at": (now + timedelta(seconds=settings.reset_ttl)).isoformat()}
