"""Direct access: a reseller's user (or the administrator) inside a subscriber's account.

The visit is a session of the subscriber's main user that names the support user; it lasts
a fixed time (``SB_DIRECT_ACCESS_SECONDS``, at most 30 minutes) that activity does not
extend. Its actor is the subscriber's with ``support_user_id`` added, so every service sees
who is really acting; the PIN cannot be changed inside it. Every start, end and expiry is
in the audit log, and so is each write the support user makes (the gateway records them,
``record_action``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import SupportAction
from sbcommon.errors import Conflict, Forbidden, NotFound

from ..models import Customer, User, WebSession
from ..settings import AccountsSettings
from . import audit
from .customers import get_scoped, main_user
from .tokens import new_token, token_hash

MAX_SECONDS = 30 * 60


def lifetime(settings: AccountsSettings) -> timedelta:
    """The visit's fixed length: the setting, never more than 30 minutes."""
    return timedelta(seconds=max(1, min(settings.direct_access_seconds, MAX_SECONDS)))


@dataclass(frozen=True)
class Opened:
    token: str
    customer_id: str
    expires_at: datetime

    def to_contract(self) -> dict[str, Any]:
        return {"token": self.token, "customer_id": self.customer_id,
                "expires_at": self.expires_at.isoformat()}


def open_visit(session: Session, actor: Actor, customer_id: str, settings: AccountsSettings,
               now: datetime) -> Opened:
    """A session of the subscriber's main user for ``actor`` (its reseller or the
    administrator); another reseller's subscriber is "not found"."""
    customer = get_scoped(session, actor, customer_id)
    actor.require(Role.RESELLER, Role.ADMIN)
    if customer.status == "closed":
        raise Conflict("this account is closed; nobody can enter it")
    user = main_user(session, customer)
    if user is None or user.disabled:
        raise Conflict("this account has no active main user to enter as")
    token = new_token()
    expires = now + lifetime(settings)
    web = WebSession(id=str(uuid.uuid4()), token_hash=token_hash(token), user_id=user.id,
                     created_at=now, last_seen_at=now, expires_at=expires,
                     support_user_id=actor.user_id)
    session.add(web)
    session.flush()
    audit.record(session, "direct_access.started", now, actor=_inside(actor, user),
                 customer=customer,
                 details={"visit": web.id, "until": expires.isoformat()})
    return Opened(token=token, customer_id=customer.id, expires_at=expires)


def _inside(opener: Actor, user: User) -> Actor:
    """The actor of the visit, as the audit log names it (the support user)."""
    return Actor(user_id=user.id, role=Role.CUSTOMER, reseller_id=user.reseller_id,
                 customer_id=user.customer_id, support_user_id=opener.user_id)


def visit_actor(user: User, support: User) -> Actor:
    return Actor(user_id=user.id, role=Role.CUSTOMER, reseller_id=user.reseller_id,
                 customer_id=user.customer_id, support_user_id=support.id,
                 support_name=support.display_name)


def support_info(support: User, user: User) -> dict[str, Any]:
    return {"user_id": support.id, "name": support.display_name, "role": support.role,
            "customer_id": user.customer_id}


def _finish(session: Session, web: WebSession, action: str, now: datetime,
            reason: str) -> dict[str, Any]:
    user = session.get(User, web.user_id)
    customer = session.get(Customer, user.customer_id) if user else None
    actor = None
    if user is not None and web.support_user_id:
        actor = Actor(user_id=user.id, role=Role.CUSTOMER, reseller_id=user.reseller_id,
                      customer_id=user.customer_id, support_user_id=web.support_user_id)
    if customer is not None:
        audit.record(session, action, now, actor=actor, customer=customer,
                     details={"visit": web.id, "reason": reason})
    session.execute(delete(WebSession).where(WebSession.id == web.id))
    return {"customer_id": customer.id if customer else None, "ended": True}


def end_visit(session: Session, token: str, now: datetime) -> dict[str, Any]:
    """The support user leaves: the session ends and the log says so."""
    web = session.scalars(select(WebSession).where(
        WebSession.token_hash == token_hash(token or ""),
        WebSession.support_user_id.is_not(None)).with_for_update()).first()
    if web is None:
        raise NotFound("no direct access with this session")
    return _finish(session, web, "direct_access.ended", now, "left")


def end_expired(session: Session, now: datetime, settings: AccountsSettings) -> int:
    """Visits past their end (or idle too long): ended, each with its log entry. The session
    check already refuses them at their end; this writes down that they are over."""
    idle_since = now - timedelta(seconds=settings.idle_timeout)
    rows = session.scalars(select(WebSession).where(
        WebSession.support_user_id.is_not(None),
        (WebSession.expires_at <= now) | (WebSession.last_seen_at <= idle_since))
        .with_for_update(skip_locked=True)).all()
    for web in rows:
        _finish(session, web, "direct_access.expired", now,
                "time limit" if web.expires_at <= now else "idle")
    return len(rows)


def record_action(session: Session, actor: Actor, action: SupportAction,
                  now: datetime) -> dict[str, Any]:
    """One write the support user makes inside the account (the gateway calls this before
    the write runs, and again if it failed)."""
    if not actor.is_support:
        raise Forbidden("only a direct-access session records support actions")
    customer = get_scoped(session, actor, actor.customer_id or "")
    details: dict[str, Any] = {"method": action.method, "route": action.route,
                               "path": action.path, **action.targets}
    name = "direct_access.action"
    if action.failed_entry is not None:
        name = "direct_access.action_failed"
        details.update(entry=action.failed_entry, status=action.status)
    entry = audit.record(session, name, now, actor=actor, customer=customer, details=details)
    return {"entry": entry}


PIN_REFUSED = ("the subscriber's PIN cannot be seen or changed during direct access; send "
               "its access codes instead")


def refuse_pin_change(web: WebSession) -> None:
    """Inside a visit the PIN stays the subscriber's: refused whatever the caller."""
    if web.support_user_id is not None:
        raise Forbidden(PIN_REFUSED)
