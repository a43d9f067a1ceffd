"""Sign-in, sessions, password change and forgotten-password tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from sbcommon.errors import Invalid, TooManyRequests, Unauthorized

from ..models import Customer, Reseller, ResetToken, User, WebSession
from ..settings import AccountsSettings
from .passwords import Hasher
from .tokens import new_token, token_hash

BAD_CREDENTIALS = "identifier or password is incorrect"
# How often a session's last_seen_at is written: one write per request would be wasteful.
TOUCH_EVERY = timedelta(seconds=15)


class EventSink(Protocol):
    def record(self, session: Session, event_type: str, data: dict[str, Any]) -> Any: ...


@dataclass
class LoginResult:
    token: str
    expires_in: int
    user_id: str


def find_user(session: Session, login: str) -> User | None:
    """A user by identifier or, when the text has an @, by e-mail; case-insensitive."""
    key = login.strip().lower()
    column = func.lower(User.email) if "@" in key else User.identifier
    return session.scalars(select(User).where(column == key)).first()


def _lockout_seconds(settings: AccountsSettings, failures: int) -> int:
    over = failures - settings.max_failures
    if over < 0:
        return 0
    return min(settings.lockout_base * (2 ** min(over, 16)), settings.lockout_max)


def _account_open(session: Session, user: User) -> bool:
    if user.disabled or user.password_hash is None:
        return False
    if user.role == "reseller":  # a suspended reseller's own users cannot sign in
        return session.scalar(select(Reseller.status).where(
            Reseller.id == user.reseller_id)) != "suspended"
    if user.customer_id is None:
        return True
    status = session.scalar(select(Customer.status).where(Customer.id == user.customer_id))
    return status not in (None, "closed")


def login(
    session: Session, hasher: Hasher, settings: AccountsSettings,
    login_name: str, password: str, now: datetime,
) -> LoginResult | Exception:
    """Returns the result, or the error to raise *after* the caller commits.

    Failures are counted in the same transaction, so they must be committed even though the
    caller answers with an error.
    """
    user = find_user(session, login_name)
    if user is None:
        hasher.verify(None, password)  # same cost as a real check: no user enumeration
        return Unauthorized(BAD_CREDENTIALS)
    if user.locked_until and user.locked_until > now:
        wait = int((user.locked_until - now).total_seconds()) + 1
        return TooManyRequests(
            f"too many failed sign-ins; try again in {wait} seconds", {"retry_after": wait}
        )
    if not hasher.verify(user.password_hash, password) or not _account_open(session, user):
        user.failed_logins += 1
        lock = _lockout_seconds(settings, user.failed_logins)
        if lock:
            user.locked_until = now + timedelta(seconds=lock)
        return Unauthorized(BAD_CREDENTIALS)
    user.failed_logins = 0
    user.locked_until = None
    if hasher.needs_rehash(user.password_hash or ""):
        user.password_hash = hasher.hash(password)
    token = open_session(session, user.id, settings, now)
    return LoginResult(token=token, expires_in=settings.idle_timeout, user_id=user.id)


def open_session(session: Session, user_id: str, settings: AccountsSettings,
                 now: datetime) -> str:
    token = new_token()
    session.add(WebSession(
        id=str(uuid.uuid4()), token_hash=token_hash(token), user_id=user_id,
        created_at=now, last_seen_at=now,
        expires_at=now + timedelta(seconds=settings.session_lifetime),
    ))
    return token


def resolve_session(
    session: Session, token: str, settings: AccountsSettings, now: datetime
) -> tuple[WebSession, User]:
    """The live session and its user; an idle or expired session is removed."""
    if not token or len(token) > 200:
        raise Unauthorized("sign in first")
    web = session.scalars(
        select(WebSession).where(WebSession.token_hash == token_hash(token))
    ).first()
    if web is None:
        raise Unauthorized("sign in first")
    idle_deadline = web.last_seen_at + timedelta(seconds=settings.idle_timeout)
    if now >= web.expires_at or now >= idle_deadline:
        session.delete(web)
        raise Unauthorized("your session has expired; sign in again")
    user = session.get(User, web.user_id)
    if user is None or not _account_open(session, user):
        session.delete(web)
        raise Unauthorized("sign in first")
    if now - web.last_seen_at >= TOUCH_EVERY:
        web.last_seen_at = now
    return web, user


def logout(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def change_password(
    session: Session, hasher: Hasher, settings: AccountsSettings, user: User,
    current: str, new: str, keep_session_id: str | None, now: datetime,
) -> Exception | None:
    """Needs the current password; ends every other session of the user."""
    if user.locked_until and user.locked_until > now:
        return TooManyRequests("too many failed attempts; try again later")
    if not hasher.verify(user.password_hash, current):
        user.failed_logins += 1
        lock = _lockout_seconds(settings, user.failed_logins)
        if lock:
            user.locked_until = now + timedelta(seconds=lock)
        return Invalid("current password is incorrect",
                       [{"field": "current_password", "message": "incorrect"}])
    if current == new:
        return Invalid("the new password must differ from the current one",
                       [{"field": "new_password", "message": "same as current"}])
    _set_password(session, hasher, user, new, now, keep_session_id)
    return None


def _set_password(session: Session, hasher: Hasher, user: User, new: str, now: datetime,
                  keep_session_id: str | None = None) -> None:
    user.password_hash = hasher.hash(new)
    user.password_changed_at = now
    user.failed_logins = 0
    user.locked_until = None
    others = delete(WebSession).where(WebSession.user_id == user.id)
    if keep_session_id:
        others = others.where(WebSession.id != keep_session_id)
    session.execute(others)


def request_reset(
    session: Session, events: EventSink, settings: AccountsSettings, login_name: str,
    now: datetime, purpose: str = "reset",
) -> str | None:
    """Issue a single-use reset token and the event that carries it to the e-mail sender.

    Returns the token (for the caller's own use, e.g. access codes) or None when nothing was
    issued. The HTTP answer never reveals which: no account enumeration.
    """
    user = find_user(session, login_name)
    if user is None or user.disabled:
        return None
    recent = session.scalar(
        select(func.count()).select_from(ResetToken).where(
            ResetToken.user_id == user.id,
            ResetToken.created_at > now - timedelta(hours=1),
        )
    )
    if recent >= settings.reset_per_hour:
        return None
    token = new_token()
    expires = now + timedelta(seconds=settings.reset_ttl)
    session.add(ResetToken(
        id=str(uuid.uuid4()), token_hash=token_hash(token), user_id=user.id,
        purpose=purpose, created_at=now, expires_at=expires,
    ))
    events.record(session, "password_reset_requested", {
        "user_id": user.id,
        "reseller_id": user.reseller_id,
        "customer_id": user.customer_id,
        "email": user.email,
        "display_name": user.display_name,
        # The access-codes e-mail shows the identifier beside the link.
        "identifier": user.identifier,
        "language": user.language,
        "purpose": purpose,
        "reset_token": token,
        "expires_at": expires.isoformat(),
    })
    return token


def reset_password(
    session: Session, hasher: Hasher, token: str, new: str, now: datetime
) -> None:
    invalid = Invalid("this link is invalid, already used or expired; ask for a new one",
                      [{"field": "token", "message": "invalid or expired"}])
    row = session.scalars(
        select(ResetToken).where(ResetToken.token_hash == token_hash(token)).with_for_update()
    ).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise invalid
    user = session.get(User, row.user_id)
    if user is None or user.disabled:
        raise invalid
    row.used_at = now
    # Any other outstanding link for this user dies with this one.
    session.execute(
        delete(ResetToken).where(ResetToken.user_id == user.id, ResetToken.id != row.id,
                                 or_(ResetToken.used_at.is_(None)))
    )
    _set_password(session, hasher, user, new, now)


# -- housekeeping ---------------------------------------------------------------------------
def purge_ended_sessions(session: Session, now: datetime,
                         settings: AccountsSettings | None = None) -> int:
    """Sessions past their absolute expiry or idle for longer than the idle timeout."""
    settings = settings or AccountsSettings.from_env()
    idle_since = now - timedelta(seconds=settings.idle_timeout)
    result = session.execute(delete(WebSession).where(
        (WebSession.expires_at <= now) | (WebSession.last_seen_at <= idle_since)))
    return int(result.rowcount or 0)


def purge_old_reset_tokens(session: Session, now: datetime,
                           settings: AccountsSettings | None = None) -> int:
    """Reset links past their lifetime and at least a day old: used or expired, and no
    longer needed to count the links a user was sent in the last hour."""
    settings = settings or AccountsSettings.from_env()
    keep = max(timedelta(days=1), timedelta(seconds=settings.reset_ttl))
    result = session.execute(delete(ResetToken).where(ResetToken.created_at < now - keep))
    return int(result.rowcount or 0)
