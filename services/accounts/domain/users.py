"""Users of a customer account: each with its sign-in, extension and role in the account.

A company account has any number of users; a professional account exactly one (its main
user, created with the account). The main user is the one whose sign-in identifier is the
account's: it cannot be deleted nor lose the account administrator's role, and its e-mail
is the account's. Account administrators (and the reseller, and the system administrator)
manage the users; a plain user reads only itself.

Every change moves the user's version on by one and records ``account_user_changed`` with
the user's whole state, so numbering and provisioning keep a copy that applies only newer
versions (a deletion is the last version, ``deleted: true``).

Public functions take an SQLAlchemy session, the acting identity and a clock, and return
plain dicts (the ``AccountUser`` contract); they are the API of this module for the
service's entrypoints and for bulk imports (``upsert_by_email`` / ``plan_upsert``).
"""

from __future__ import annotations

import math
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import (
    ENDED_STATUSES,
    AccountUser,
    AccountUserCreate,
    AccountUserPage,
    AccountUserQuery,
    AccountUserUpdate,
)
from sbcommon.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests

from ..models import Customer, User
from ..settings import AccountsSettings
from . import customers, organisations
from .auth import EventSink, request_reset

Outcome = Literal["create", "update", "unchanged"]
# Fields a user record takes from AccountUserCreate / AccountUserUpdate as they are.
PLAIN_FIELDS = ("email", "first_name", "last_name", "extension", "account_role", "language")


# -- reading ---------------------------------------------------------------------------------
def is_main(user: User, customer: Customer) -> bool:
    return user.identifier == customer.identifier


def to_contract(user: User, customer: Customer) -> dict[str, Any]:
    return AccountUser(
        id=user.id, customer_id=user.customer_id, reseller_id=user.reseller_id,
        identifier=user.identifier, email=user.email, display_name=user.display_name,
        first_name=user.first_name, last_name=user.last_name, extension=user.extension,
        account_role=user.account_role, language=user.language,
        main=is_main(user, customer), has_pin=user.password_hash is not None,
        created_at=user.created_at, updated_at=user.updated_at, version=user.version,
    ).model_dump(mode="json")


def event_data(user: User, *, deleted: bool = False) -> dict[str, Any]:
    """The user's whole state: ``account_user_changed`` carries it."""
    return {
        "user_id": user.id, "customer_id": user.customer_id, "reseller_id": user.reseller_id,
        "display_name": user.display_name, "first_name": user.first_name,
        "last_name": user.last_name, "extension": user.extension,
        "account_role": user.account_role, "language": user.language, "email": user.email,
        "version": user.version, "deleted": deleted,
    }


def _may_manage(actor: Actor) -> None:
    if actor.is_plain_user:
        raise Forbidden("only your account's administrators manage its users")
    actor.require(Role.RESELLER, Role.ADMIN, Role.CUSTOMER)


def _account(session: Session, actor: Actor, customer_id: str, *, write: bool = False
             ) -> Customer:
    """The account if ``actor`` sees it (NotFound otherwise); locked for writes, so that
    the checks of one account's users (one professional user, free extensions) are made
    one change at a time."""
    customer = customers.get_scoped(session, actor, customer_id, lock=write)
    if write and customer.status in ENDED_STATUSES:
        raise Conflict(f"this account is {customer.status}; its users cannot be changed")
    return customer


def _user(session: Session, customer: Customer, user_id: str, *, lock: bool = False) -> User:
    if not isinstance(user_id, str) or not customers.UUID_RE.match(user_id):
        raise NotFound("no such user")
    stmt = select(User).where(User.id == user_id, User.customer_id == customer.id)
    if lock:
        stmt = stmt.with_for_update()
    user = session.scalars(stmt).first()
    if user is None:
        raise NotFound("no such user")
    return user


def get(session: Session, actor: Actor, customer_id: str, user_id: str) -> dict[str, Any]:
    customer = _account(session, actor, customer_id)
    user = _user(session, customer, user_id)
    if actor.is_plain_user and actor.user_id != user.id:
        raise Forbidden("only your account's administrators see its other users")
    return to_contract(user, customer)


def _search(stmt: Select, query: AccountUserQuery) -> Select:
    if query.account_role:
        stmt = stmt.where(User.account_role == query.account_role)
    if query.q:
        like = f"%{customers._escape_like(query.q)}%"
        stmt = stmt.where(or_(
            func.lower(User.display_name).like(like, escape="\\"),
            func.lower(User.email).like(like, escape="\\"),
            User.identifier.like(like, escape="\\"),
            User.extension.like(like, escape="\\"),
        ))
    return stmt


def list_users(session: Session, actor: Actor, customer_id: str,
               query: AccountUserQuery | None = None) -> dict[str, Any]:
    customer = _account(session, actor, customer_id)
    _may_manage(actor)
    query = query or AccountUserQuery()
    stmt = _search(select(User).where(User.customer_id == customer.id), query)
    total = session.scalar(stmt.with_only_columns(func.count()).order_by(None)) or 0
    rows = session.scalars(
        stmt.order_by(func.lower(User.display_name), User.id)
        .limit(query.per_page).offset((query.page - 1) * query.per_page)
    ).all()
    return AccountUserPage(
        items=[to_contract(u, customer) for u in rows], total=total, page=query.page,
        per_page=query.per_page, pages=max(1, math.ceil(total / query.per_page)),
    ).model_dump(mode="json")


def count(session: Session, customer_id: str) -> int:
    return session.scalar(
        select(func.count()).select_from(User).where(User.customer_id == customer_id)) or 0


# -- checks shared by creation, change and import -------------------------------------------
def _check_email(session: Session, email: str, except_user: str | None = None) -> None:
    if customers._email_taken(session, email, except_user=except_user):
        raise Conflict(f"e-mail {email} is already used by another user",
                       [{"field": "email", "message": "already in use"}])


def _check_extension(session: Session, customer: Customer, extension: str | None,
                     except_user: str | None = None) -> None:
    if extension is None:
        return
    stmt = select(User.id).where(User.customer_id == customer.id,
                                 User.extension == extension)
    if except_user:
        stmt = stmt.where(User.id != except_user)
    if session.scalar(stmt) is not None:
        raise Conflict(f"extension {extension} is already used in this account",
                       [{"field": "extension", "message": "already in use"}])
    # Unique within the account's organisation too (its members dial each other).
    organisations.check_extension(session, customer.id, extension, except_user)


def _check_room(session: Session, customer: Customer) -> None:
    if customer.kind == "professional" and count(session, customer.id) >= 1:
        raise Conflict("a professional account has exactly one user; make it a company "
                       "account to add users",
                       [{"field": "customer_id", "message": "professional: one user"}])


def _pick_identifier(session: Session, data: AccountUserCreate) -> str:
    if data.identifier:
        if customers._identifier_taken(session, data.identifier):
            raise Conflict(f"identifier {data.identifier!r} is already in use",
                           [{"field": "identifier", "message": "already in use"}])
        return data.identifier
    base = customers._slug(data.name())
    for _ in range(20):
        candidate = f"{base}.{secrets.randbelow(10**6):06d}"
        if not customers._identifier_taken(session, candidate):
            return candidate
    raise Conflict("could not generate a free identifier; give one")


# -- changes ---------------------------------------------------------------------------------
def _changed(session: Session, user: User, events: EventSink, now: datetime) -> None:
    user.version += 1
    user.updated_at = now
    session.flush()
    events.record(session, "account_user_changed", event_data(user))


def _insert(session: Session, customer: Customer, data: AccountUserCreate,
            events: EventSink, now: datetime) -> User:
    _check_room(session, customer)
    _check_email(session, data.email)
    _check_extension(session, customer, data.extension)
    user = User(
        id=str(uuid.uuid4()), role="customer", reseller_id=customer.reseller_id,
        customer_id=customer.id, identifier=_pick_identifier(session, data),
        email=data.email, display_name=data.name(), first_name=data.first_name,
        last_name=data.last_name, extension=data.extension, account_role=data.account_role,
        language=data.language or customer.language, version=1, created_at=now,
        updated_at=now,
    )
    session.add(user)
    session.flush()
    events.record(session, "account_user_changed", event_data(user))
    return user


def create(session: Session, actor: Actor, customer_id: str, data: AccountUserCreate,
           events: EventSink, now: datetime, *, settings: AccountsSettings | None = None,
           send_access_codes: bool = False) -> dict[str, Any]:
    """A new user of the account. With ``send_access_codes`` (and ``settings``), its
    single-use set-PIN link leaves by e-mail at once."""
    customer = _account(session, actor, customer_id, write=True)
    _may_manage(actor)
    user = _insert(session, customer, data, events, now)
    if send_access_codes:
        if settings is None:
            raise ValueError("settings are needed to send access codes")
        _send_codes(session, user, settings, events, now)
    return to_contract(user, customer)


def _changes(user: User, customer: Customer, fields: dict[str, Any]) -> dict[str, Any]:
    """What ``fields`` would change on ``user``, checked against the account's rules."""
    wanted = {k: v for k, v in fields.items() if k in (*PLAIN_FIELDS, "display_name")}
    for field in ("email", "account_role", "language"):
        if field in wanted and wanted[field] is None:
            raise Invalid(f"{field} cannot be empty", [{"field": field, "message": "required"}])
    if "display_name" in wanted and wanted["display_name"] is None:
        wanted.pop("display_name")
    if ("first_name" in wanted or "last_name" in wanted) and "display_name" not in wanted:
        first = wanted.get("first_name", user.first_name)
        last = wanted.get("last_name", user.last_name)
        if first or last:  # the name shown follows the name given
            wanted["display_name"] = " ".join(p for p in (first, last) if p)
    changes = {k: v for k, v in wanted.items() if customers._differs(getattr(user, k), v)
               or (k == "email" and getattr(user, k) != v)}
    if is_main(user, customer) and changes.get("account_role") == "user":
        raise Conflict("the account's main user stays its administrator",
                       [{"field": "account_role", "message": "main user: account_admin"}])
    return changes


def _apply(session: Session, user: User, customer: Customer, changes: dict[str, Any],
           events: EventSink, now: datetime) -> None:
    if "email" in changes:
        _check_email(session, changes["email"], except_user=user.id)
    if "extension" in changes:
        _check_extension(session, customer, changes["extension"], except_user=user.id)
    for field, value in changes.items():
        setattr(user, field, value)
    if "email" in changes and is_main(user, customer):
        # The main user's e-mail is the account's: copies of the account follow it.
        customer.email = changes["email"]
        customers._changed(customer, now)
        session.flush()
        events.record(session, "customer_updated",
                      {**customers.event_data(customer), "fields": ["email"]})
    _changed(session, user, events, now)


def update(session: Session, actor: Actor, customer_id: str, user_id: str,
           patch: AccountUserUpdate, events: EventSink, now: datetime) -> dict[str, Any]:
    customer = _account(session, actor, customer_id, write=True)
    user = _user(session, customer, user_id, lock=True)
    _may_manage(actor)
    fields = patch.model_dump(exclude_unset=True)
    expected = fields.pop("version", None)
    if expected is not None and expected != user.version:
        raise Conflict(f"this user changed meanwhile (version {user.version}); reload it",
                       [{"field": "version", "message": f"now {user.version}"}])
    changes = _changes(user, customer, fields)
    if changes:
        _apply(session, user, customer, changes, events, now)
    return to_contract(user, customer)


def delete(session: Session, actor: Actor, customer_id: str, user_id: str,
           events: EventSink, now: datetime) -> dict[str, Any]:
    """Remove the user: its sessions and links end with it; numbering puts its numbers in
    aging and provisioning removes its lines when ``account_user_changed`` (deleted)
    reaches them."""
    customer = _account(session, actor, customer_id, write=True)
    user = _user(session, customer, user_id, lock=True)
    _may_manage(actor)
    if is_main(user, customer):
        raise Conflict("the account's main user cannot be deleted; close the account instead",
                       [{"field": "user_id", "message": "main user"}])
    out = to_contract(user, customer)
    user.version += 1
    data = event_data(user, deleted=True)
    session.delete(user)
    session.flush()
    events.record(session, "account_user_changed", data)
    return {**out, "version": user.version, "deleted": True}


# -- bulk (imports) --------------------------------------------------------------------------
def _by_email(session: Session, customer: Customer, email: str) -> User | None:
    return session.scalars(select(User).where(
        User.customer_id == customer.id, func.lower(User.email) == email.lower())).first()


def _fields_of(data: AccountUserCreate) -> dict[str, Any]:
    """The fields an import sets: those it was given, and the name it implies."""
    fields = data.model_dump(exclude_unset=True, exclude={"identifier"})
    fields["display_name"] = data.name()
    return fields


def plan_upsert(session: Session, actor: Actor, customer_id: str, data: AccountUserCreate
                ) -> Outcome:
    """What ``upsert_by_email`` would do, changing nothing (an import's preview). Raises
    the same Conflict as the real thing would (e-mail of another account, extension taken,
    professional account full)."""
    customer = _account(session, actor, customer_id)
    _may_manage(actor)
    user = _by_email(session, customer, data.email)
    if user is None:
        _check_room(session, customer)
        _check_email(session, data.email)
        _check_extension(session, customer, data.extension)
        if data.identifier and customers._identifier_taken(session, data.identifier):
            raise Conflict(f"identifier {data.identifier!r} is already in use",
                           [{"field": "identifier", "message": "already in use"}])
        return "create"
    changes = _changes(user, customer, _fields_of(data))
    if "extension" in changes:
        _check_extension(session, customer, changes["extension"], except_user=user.id)
    return "update" if changes else "unchanged"


def upsert_by_email(session: Session, actor: Actor, customer_id: str, data: AccountUserCreate,
                    events: EventSink, now: datetime) -> dict[str, Any]:
    """Create the account's user with this e-mail, or bring it to ``data`` (only the fields
    ``data`` was given): importing the same list twice changes nothing the second time.
    Returns ``{"outcome": "create"|"update"|"unchanged", "user": AccountUser}``."""
    customer = _account(session, actor, customer_id, write=True)
    _may_manage(actor)
    user = _by_email(session, customer, data.email)
    if user is None:
        user = _insert(session, customer, data, events, now)
        return {"outcome": "create", "user": to_contract(user, customer)}
    session.refresh(user, with_for_update=True)
    changes = _changes(user, customer, _fields_of(data))
    if changes:
        _apply(session, user, customer, changes, events, now)
    return {"outcome": "update" if changes else "unchanged", "user": to_contract(user, customer)}


# -- access codes ----------------------------------------------------------------------------
def _send_codes(session: Session, user: User, settings: AccountsSettings, events: EventSink,
                now: datetime) -> dict[str, Any]:
    token = request_reset(session, events, settings, user.identifier, now,
                          purpose="access_codes")
    if token is None:
        raise TooManyRequests(
            f"at most {settings.reset_per_hour} links per hour for one user; try later",
            {"retry_after": 3600})
    return {"user_id": user.id, "customer_id": user.customer_id, "email": user.email,
            "expires_at": (now + timedelta(seconds=settings.reset_ttl)).isoformat()}


def issue_access_codes(session: Session, actor: Actor, customer_id: str, user_id: str,
                       settings: AccountsSettings, events: EventSink, now: datetime
                       ) -> dict[str, Any]:
    """The user's single-use set-PIN link, by e-mail (``password_reset_requested``, purpose
    ``access_codes``); the token never leaves through this answer."""
    customer = _account(session, actor, customer_id, write=True)
    user = _user(session, customer, user_id)
    _may_manage(actor)
    return _send_codes(session, user, settings, events, now)
