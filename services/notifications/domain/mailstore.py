"""The mail table as outbox and delivery log: queue, claim, settle, list."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.errors import Forbidden

from ..models import Mail
from .retry import next_delay


def enqueue(session: Session, message: EmailMessage, *, kind: str, language: str,
            reseller_id: str | None, customer_id: str | None, now: datetime) -> Mail:
    """Store the whole message; the sender delivers it after this transaction commits."""
    mail = Mail(
        id=str(uuid.uuid4()), reseller_id=reseller_id, customer_id=customer_id, kind=kind,
        recipient=str(message["To"]), subject=str(message["Subject"]), language=language,
        message_id=str(message["Message-ID"]), raw=message.as_bytes(policy=SMTP),
        status="waiting", attempts=0, next_attempt_at=now, created_at=now,
    )
    session.add(mail)
    session.flush()
    return mail


def claim_next(session: Session, now: datetime) -> Mail | None:
    """The oldest due message, locked; another sender (replica) skips it."""
    return session.scalars(
        select(Mail).where(Mail.status == "waiting", Mail.next_attempt_at <= now)
        .order_by(Mail.next_attempt_at, Mail.created_at).limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def mark_sent(mail: Mail, now: datetime) -> None:
    mail.status = "sent"
    mail.sent_at = now
    mail.attempts += 1
    mail.last_error = None
    mail.raw = None  # the body may hold a single-use link: do not keep it at rest


def mark_failed_attempt(mail: Mail, reason: str, permanent: bool, now: datetime,
                        base: int, cap: int, max_attempts: int) -> None:
    mail.attempts += 1
    mail.last_error = reason
    if permanent or mail.attempts >= max_attempts:
        mail.status = "failed"
        mail.raw = None
    else:
        mail.next_attempt_at = now + timedelta(seconds=next_delay(mail.attempts, base, cap))


ARCHIVED_RECIPIENT = "archived@archived.invalid"


def forget_customer(session: Session, customer_id: str) -> int:
    """An archived account's mail: the log keeps that mail was sent (kind, subject, dates,
    status) but no longer to which address, and mail still waiting is not sent any more.
    Returns the rows changed."""
    waiting = session.execute(
        update(Mail).where(Mail.customer_id == customer_id, Mail.status == "waiting")
        .values(status="failed", raw=None, last_error="the account was archived"))
    forgotten = session.execute(
        update(Mail).where(Mail.customer_id == customer_id,
                           Mail.recipient != ARCHIVED_RECIPIENT)
        .values(recipient=ARCHIVED_RECIPIENT, raw=None))
    return int(waiting.rowcount or 0) + int(forgotten.rowcount or 0)


def to_log_entry(mail: Mail) -> dict[str, Any]:
    return {
        "id": mail.id, "kind": mail.kind, "customer_id": mail.customer_id,
        "recipient": mail.recipient, "subject": mail.subject, "language": mail.language,
        "status": mail.status, "attempts": mail.attempts, "last_error": mail.last_error,
        "created_at": mail.created_at.isoformat(),
        "sent_at": mail.sent_at.isoformat() if mail.sent_at else None,
        "next_attempt_at": (mail.next_attempt_at.isoformat() if mail.status == "waiting"
                            else None),
        "template_error": mail.template_error,
    }


def list_log(session: Session, actor: Actor, status: str | None, customer_id: str | None,
             page: int, per_page: int) -> dict[str, Any]:
    """A reseller sees its own mail only; the system administrator sees everything."""
    if actor.role == Role.CUSTOMER:
        raise Forbidden("the mail log is for resellers")
    stmt = actor.restrict(select(Mail), Mail.reseller_id, Mail.customer_id)
    if status:
        stmt = stmt.where(Mail.status == status)
    if customer_id:
        stmt = stmt.where(Mail.customer_id == customer_id)
    total = session.scalar(stmt.with_only_columns(func.count()).order_by(None)) or 0
    rows = session.scalars(
        stmt.order_by(Mail.created_at.desc(), Mail.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return {"items": [to_log_entry(m) for m in rows], "total": total, "page": page,
            "per_page": per_page, "pages": max(1, math.ceil(total / per_page))}
