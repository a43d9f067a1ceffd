"""Sign-in, sessions, password change and forgotten-password tokens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sbcommon.contracts.accounts import NO_SERVICE_STATUSES
from sbcommon.errors import AccountSuspended, Invalid, TooManyRequests, Unauthorized

from ..models import Customer, Reseller, ResetToken, User, WebSession
from ..settings import AccountsSettings
from . import signin_limits as limits
from .passwords import Hasher
from .tokens import new_token, token_hash

# Also the answer for a closed or archived account: saying "archived" to whoever types an
# identifier would tell strangers that it exists.
BAD_CREDENTIALS = "identifier or password is incorrect, or the account is closed"
SUSPENDED = ("this account is suspended: its services are stopped; contact your provider's "
             "support to restore it")
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


def _account_open(session: Session, user: User, *, visited: bool = False) -> bool:
    """Whether ``user`` may have a session; ``visited``: a direct-access session, which
    needs no PIN of the subscriber (it may not have chosen one yet)."""
    if user.disabled or (user.password_hash is None and not visited):
        return False
    if user.role == "reseller":  # a suspended reseller's own users cannot sign in
        return session.scalar(select(Reseller.status).where(
            Reseller.id == user.reseller_id)) != "suspended"
    if user.customer_id is None:
        return True
    # A suspended account's users sign in to no portal: they are shown why instead.
    return _customer_status(session, user) not in (None, *NO_SERVICE_STATUSES)


def _customer_status(session: Session, user: User) -> str | None:
    if user.customer_id is None:
        return None
    return session.scalar(select(Customer.status).where(Customer.id == user.customer_id))


def _support_of(session: Session, reseller_id: str | None) -> dict[str, Any]:
    """Whom a suspended subscriber should call: its reseller's support contact."""
    reseller = session.get(Reseller, reseller_id) if reseller_id else None
    return {"reseller_id": reseller_id,
            "support_phone": reseller.support_phone if reseller else None,
            "support_email": reseller.support_email if reseller else None}


def _suspended(session: Session, user: User) -> bool:
    return (not user.disabled and user.password_hash is not None
            and _customer_status(session, user) == "suspended")


@dataclass(frozen=True)
class Attempt:
    """What the first, short transaction of a sign-in learned and reserved."""

    user_id: str | None
    password_hash: str | None  # None: nothing to check (unknown or held back)
    address_key: str
    account_key: str
    address: limits.Verdict
    account: limits.Verdict


def address_rule(settings: AccountsSettings) -> limits.Rule:
    return limits.Rule(settings.ip_failures_per_minute, 60, 60)


def account_rule(settings: AccountsSettings) -> limits.Rule:
    return limits.Rule(settings.max_failures, settings.lockout_base, settings.lockout_max)


def begin_login(session: Session, settings: AccountsSettings, login_name: str,
                client_ip: str | None, now: datetime) -> Attempt:
    """Reserve the attempt on both keys (atomically) and read the user, in one short
    transaction; the password is checked after it commits, holding no row lock."""
    net = limits.network(client_ip)
    user = find_user(session, login_name)
    address_key = limits.address_key(net)
    account_key = limits.account_key(user.id if user else login_name, net)
    # No address (a script calling the RPC itself): only the account's back-off applies.
    address = (limits.reserve(session, address_key, address_rule(settings), now)
               if client_ip else limits.Verdict(True, 0))
    account = (limits.reserve(session, account_key, account_rule(settings), now)
               if address.allowed else limits.Verdict(False, 0))
    return Attempt(
        user_id=user.id if user else None,
        password_hash=user.password_hash if user and account.allowed else None,
        address_key=address_key, account_key=account_key, address=address, account=account,
    )


def refused_address(attempt: Attempt) -> TooManyRequests | None:
    """Too many failures from the client's network: said openly (it reveals nothing about
    any account), and no password is checked."""
    if attempt.address.allowed:
        return None
    wait = attempt.address.retry_after
    return TooManyRequests(
        f"too many failed sign-ins from your network; try again in {wait} seconds",
        {"retry_after": wait})


def finish_login(session: Session, settings: AccountsSettings, attempt: Attempt,
                 password_ok: bool, new_hash: str | None, now: datetime
                 ) -> LoginResult | Exception:
    """Open the session, or count the failure. A held-back account, a wrong password and an
    unknown identifier give the same answer (after the same time)."""
    user = session.get(User, attempt.user_id) if attempt.user_id else None
    if (user is not None and attempt.account.allowed and password_ok
            and _suspended(session, user)):
        # Only with the right password: a stranger learns nothing about the account. No
        # session opens; the portal shows the reseller's suspension page.
        limits.forget(session, attempt.account_key)
        return AccountSuspended(SUSPENDED, _support_of(session, user.reseller_id))
    if (user is None or not attempt.account.allowed or not password_ok
            or not _account_open(session, user)):
        if user is not None:
            # One atomic increment: parallel failures are each counted.
            session.execute(update(User).where(User.id == user.id)
                            .values(failed_logins=User.failed_logins + 1))
        return Unauthorized(BAD_CREDENTIALS)
    if attempt.address_key != limits.address_key(limits.network(None)):
        limits.give_back(session, attempt.address_key)
    limits.forget(session, attempt.account_key)
    user.failed_logins = 0
    user.locked_until = None
    if new_hash:
        user.password_hash = new_hash
    token = open_session(session, user.id, settings, now)
    return LoginResult(token=token, expires_in=settings.idle_timeout, user_id=user.id)


def login(
    session: Session, hasher: Hasher, settings: AccountsSettings,
    login_name: str, password: str, now: datetime, client_ip: str | None = None,
) -> LoginResult | Exception:
    """The whole sign-in in one transaction (scripts and tests). The service runs the same
    steps with the password check between two transactions; returns the error to raise
    *after* the caller commits (the attempt must be counted even though it fails)."""
    attempt = begin_login(session, settings, login_name, client_ip, now)
    refused = refused_address(attempt)
    if refused is not None:
        return refused
    ok = hasher.verify(attempt.password_hash, password)
    new_hash = hasher.hash(password) if ok and hasher.needs_rehash(
        attempt.password_hash or "") else None
    return finish_login(session, settings, attempt, ok, new_hash, now)


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
    visited = web.support_user_id is not None
    if user is None or not _account_open(session, user, visited=visited):
        session.delete(web)
        raise Unauthorized("sign in first")
    if visited:
        support = session.get(User, web.support_user_id)
        if support is None or not _account_open(session, support):
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
    key = limits.account_key(user.id, "password-change")
    held = limits.reserve(session, key, account_rule(settings), now)
    if not held.allowed:
        return TooManyRequests("too many failed attempts; try again later",
                               {"retry_after": held.retry_after})
    if not hasher.verify(user.password_hash, current):
        session.execute(update(User).where(User.id == user.id)
                        .values(failed_logins=User.failed_logins + 1))
        return Invalid("current password is incorrect",
                       [{"field": "current_password", "message": "incorrect"}])
    limits.forget(session, key)
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
    # Every reset or set-PIN link still outstanding dies with the old password (marked
    # used, not deleted: they still count towards the recovery quota).
    session.execute(update(ResetToken).where(ResetToken.user_id == user.id,
                                             ResetToken.used_at.is_(None))
                    .values(used_at=now))
    others = delete(WebSession).where(WebSession.user_id == user.id)
    if keep_session_id:
        others = others.where(WebSession.id != keep_session_id)
    session.execute(others)


def request_reset(
    session: Session, events: EventSink, settings: AccountsSettings, login_name: str,
    now: datetime, purpose: str = "reset", client_ip: str | None = None,
) -> str | None:
    """Issue a single-use reset token and the event that carries it to the e-mail sender.

    Returns the token (for the caller's own use, e.g. access codes) or None when nothing was
    issued. The HTTP answer never reveals which: no account enumeration.
    """
    user = find_user(session, login_name)
    if user is None or user.disabled:
        return None
    net = limits.network(client_ip) if client_ip else None
    hour_ago = now - timedelta(hours=1)
    recent = select(func.count()).select_from(ResetToken).where(
        ResetToken.user_id == user.id, ResetToken.created_at > hour_ago)
    # Quota per account *and* network: strangers asking from elsewhere cannot use up the
    # owner's links; a looser cap per account bounds the mail anyone can cause.
    if session.scalar(recent.where(ResetToken.requested_from.is_not_distinct_from(net))) \
            >= settings.reset_per_hour:
        return None
    if session.scalar(recent) >= settings.reset_per_hour_any:
        return None
    token = new_token()
    expires = now + timedelta(seconds=settings.reset_ttl)
    session.add(ResetToken(
        id=str(uuid.uuid4()), token_hash=token_hash(token), user_id=user.id,
        purpose=purpose, created_at=now, expires_at=expires, requested_from=net,
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
    row.used_at = now  # the others end in _set_password
    _set_password(session, hasher, user, new, now)


# -- housekeeping ---------------------------------------------------------------------------
def purge_ended_sessions(session: Session, now: datetime,
                         settings: AccountsSettings | None = None) -> int:
    """Sessions past their absolute expiry or idle for longer than the idle timeout."""
    settings = settings or AccountsSettings.from_env()
    idle_since = now - timedelta(seconds=settings.idle_timeout)
    # Direct-access visits are ended by domain.support.end_expired, which logs their end.
    result = session.execute(delete(WebSession).where(
        WebSession.support_user_id.is_(None),
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


def purge_signin_limits(session: Session, now: datetime,
                        settings: AccountsSettings | None = None) -> int:
    """Limit rows whose window ended long ago (a day is longer than any back-off)."""
    settings = settings or AccountsSettings.from_env()
    keep = max(timedelta(days=1), timedelta(seconds=settings.lockout_max * 2))
    return limits.purge(session, now, keep)
