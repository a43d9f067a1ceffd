"""Public sign-ups: started by a visitor through a reseller's link, verified through a
single-use e-mailed link, completed in one transaction.

A sign-up is ``pending`` until its verification link is used (then ``completed``, for
ever) or until it expires (``expired`` is not stored: it is ``pending`` past
``expires_at``). Nothing but the pending row exists before the e-mail is verified.

Existing e-mail addresses: the start answers the same whether or not an account uses the
address. The difference only reaches the address's mailbox: its owner gets "you already
have an account" (sign in, or Forgot?) instead of a verification link. A sign-up whose
address was taken between start and verification is refused at verification, on a page
only the mailbox's owner can reach. A taken identifier is never an error: another is made
from the name, and the verified owner is shown it.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sbcommon import keys
from sbcommon.contracts.signup import TERMS_VERSION, SignupStart
from sbcommon.errors import Conflict, Invalid, NotFound, TooManyRequests

from ..models import Reseller, Signup
from ..settings import AccountsSettings
from . import signin_limits as limits
from . import signup_links
from .auth import EventSink
from .customers import _email_taken, create_signed_up, event_data
from .tokens import new_token, token_hash

PENDING, COMPLETED, EXPIRED = "pending", "completed", "expired"
# How long after expiry a sign-up is kept (to tell "expired" from "unknown")
KEEP_AFTER_EXPIRY = timedelta(days=7)


# -- the state machine ------------------------------------------------------------------------
def state_at(stored: str, expires_at: datetime, now: datetime) -> str:
    if stored == COMPLETED:
        return COMPLETED
    return EXPIRED if now >= expires_at else PENDING


def refusal(state: str) -> Conflict | None:
    """Why a verification link cannot be used, or None when it can."""
    if state == COMPLETED:
        return Conflict("this verification link was already used; sign in",
                        {"reason": "used"})
    if state == EXPIRED:
        return Conflict("this verification link has expired; sign up again",
                        {"reason": "expired"})
    return None


# -- limits -----------------------------------------------------------------------------------
def start_key(client_ip: str | None) -> str:
    return f"signup:net:{limits.network(client_ip)}"


def mail_key(email: str) -> str:
    return f"signup:mail:{hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]}"


def _hour(limit: int) -> limits.Rule:
    return limits.Rule(limit, 3600, 3600)


# -- start --------------------------------------------------------------------------------------
def start(session: Session, data: SignupStart, settings: AccountsSettings, ring: keys.KeyRing,
          events: EventSink, client_ip: str | None, now: datetime) -> dict[str, Any] | Exception:
    """Check the link, count the start, then e-mail the address. The answer is the same
    whether the address has an account or not (see the module's docstring). A refusal
    for too many starts is *returned* (the caller raises it after committing: it counts)."""
    link, reseller = signup_links.resolve(session, data.link, ring)
    if not data.terms_accepted:
        raise Invalid("accept the terms to sign up",
                      [{"field": "terms_accepted", "message": "required"}])
    plan_id = data.plan_id or link.plan_id
    if not plan_id:
        raise Invalid("choose a plan", [{"field": "plan_id", "message": "required"}])
    verdict = limits.reserve(session, start_key(client_ip),
                             _hour(settings.signup_starts_per_hour), now)
    if not verdict.allowed:
        return TooManyRequests(
            f"too many sign-ups from your network; try again in {verdict.retry_after} "
            "seconds", {"retry_after": verdict.retry_after})
    answer = {"status": "check_your_email"}
    # One address gets a few mails an hour whoever asks: nobody floods someone's mailbox.
    # Over that, the answer stays the same and nothing is sent.
    if not limits.reserve(session, mail_key(data.email), _hour(settings.signup_mails_per_hour),
                          now).allowed:
        return answer
    base = signup_links.portal_base(reseller, settings.public_url)
    common = {"reseller_id": reseller.id, "email": str(data.email), "name":
              data.contact_name or data.name, "language": data.language,
              "login_url": base}
    if _email_taken(session, str(data.email)):
        events.record(session, "signup_verification_requested", {**common, "existing": True})
        return answer
    token = new_token()
    expires = now + timedelta(seconds=settings.signup_verify_seconds)
    session.add(Signup(
        id=str(uuid.uuid4()), reseller_id=reseller.id, link_id=link.id, kind=link.kind,
        state=PENDING, token_hash=token_hash(token),
        details={"kind": link.kind, "name": data.name, "contact_name": data.contact_name,
                 "email": str(data.email), "identifier": data.identifier,
                 "phone": data.phone, "country": data.country, "language": data.language,
                 "plan_id": plan_id, "promotion_id": link.promotion_id,
                 "numbers": list(data.numbers), "hold_key": data.hold_key},
        terms_version=TERMS_VERSION, terms_accepted_at=now, created_at=now,
        expires_at=expires))
    session.flush()
    events.record(session, "signup_verification_requested", {
        **common, "existing": False, "verify_url": f"{base}/signup/verify?token={token}",
        "expires_at": expires.isoformat()})
    return answer


# -- verification -------------------------------------------------------------------------------
def _find(session: Session, token: Any, *, lock: bool = False) -> Signup:
    if not isinstance(token, str) or not 10 <= len(token) <= 200:
        raise NotFound("this verification link is not valid")
    stmt = select(Signup).where(Signup.token_hash == token_hash(token))
    if lock:
        stmt = stmt.with_for_update()
    signup = session.scalars(stmt).first()
    if signup is None:
        raise NotFound("this verification link is not valid")
    return signup


def status(session: Session, token: Any, settings: AccountsSettings, now: datetime
           ) -> dict[str, Any]:
    """What the verification page shows before the PIN is chosen (to the mailbox's owner)."""
    signup = _find(session, token)
    reseller = session.get(Reseller, signup.reseller_id)
    assert reseller is not None
    return {"state": state_at(signup.state, signup.expires_at, now),
            "reseller_id": reseller.id, "slug": reseller.slug, "kind": signup.kind,
            "name": signup.details["name"], "email": signup.details["email"],
            "language": signup.details["language"],
            "login_url": signup_links.portal_base(reseller, settings.public_url)}


def complete(session: Session, token: Any, password_hash: str, settings: AccountsSettings,
             events: EventSink, now: datetime) -> dict[str, Any]:
    """Create the account, its main user (with its PIN) and mark the sign-up completed, in
    this one transaction, with the events that start its subscription and assign its
    numbers. The row lock makes a second verification (concurrent or a retry) wait, then
    find the sign-up completed: one account, one subscription, numbers assigned once."""
    signup = _find(session, token, lock=True)
    refused = refusal(state_at(signup.state, signup.expires_at, now))
    if refused is not None:
        raise refused
    details = signup.details
    if _email_taken(session, details["email"]):
        raise Conflict("this e-mail address already has an account; sign in, or use "
                       "\"Forgot?\" to choose a new PIN", {"reason": "email_in_use"})
    reseller = session.get(Reseller, signup.reseller_id)
    if reseller is None or reseller.status != "active":
        raise NotFound("this sign-up link is not valid (any more)")
    customer, user = create_signed_up(session, reseller, details, password_hash, events, now)
    signup.state, signup.completed_at, signup.customer_id = COMPLETED, now, customer.id
    events.record(session, "signup_completed", {
        **event_data(customer), "signup_id": signup.id, "user_id": user.id,
        "plan_id": details.get("plan_id"), "promotion_id": details.get("promotion_id"),
        "numbers": details.get("numbers") or [], "hold_key": details.get("hold_key"),
        "terms_version": signup.terms_version,
        "terms_accepted_at": signup.terms_accepted_at.isoformat()})
    return {"customer_id": customer.id, "identifier": customer.identifier,
            "wanted_identifier": details.get("identifier"),
            "login_url": signup_links.portal_base(reseller, settings.public_url)}


def purge(session: Session, now: datetime) -> int:
    """Sign-ups nobody verified, a week after they expired (the details are personal)."""
    result = session.execute(delete(Signup).where(
        Signup.state == PENDING, Signup.expires_at < now - KEEP_AFTER_EXPIRY))
    return int(result.rowcount or 0)
