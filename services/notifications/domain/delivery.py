"""Deliver queued mail over SMTP, one message per transaction.

Exactly-once is impossible across two systems (our database and the SMTP server), so the
window is made as small as it can be: a row is locked (FOR UPDATE SKIP LOCKED, so replicas
never send the same row), handed to the server, and marked sent in the same transaction
right after the server accepted it. If the process dies between the server's "250 OK" and
our commit, the row is still waiting and goes out again: at worst a duplicate, carrying the
same Message-ID so mail clients can fold it. The alternative (mark first, send after)
would lose that message instead; losing mail is the worse failure here.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from sbcommon.metrics import MAILS

from ..settings import NotificationsSettings, SmtpSettings
from . import mailstore
from .retry import describe, is_permanent

log = logging.getLogger(__name__)


def connect(smtp: SmtpSettings) -> smtplib.SMTP:
    """An SMTP connection (green under eventlet: smtplib uses the patched socket)."""
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    client.ehlo()
    if smtp.starttls:
        client.starttls()
        client.ehlo()
    if smtp.username:
        client.login(smtp.username, smtp.password)
    return client


def deliver_due(sessions: sessionmaker[Session], settings: NotificationsSettings,
                clock: Callable[[], datetime],
                open_connection: Callable[[SmtpSettings], smtplib.SMTP] = connect,
                limit: int = 500) -> int:
    """Send due messages until none is left (or ``limit``); returns how many went out.

    One connection serves the whole pass. When the server cannot be reached the pass stops
    after recording the attempt on one message: the others wait untouched rather than each
    collecting a failure for the same outage.
    """
    sent = 0
    client: smtplib.SMTP | None = None
    try:
        while sent < limit:
            with sessions.begin() as session:
                mail = mailstore.claim_next(session, clock())
                if mail is None:
                    return sent
                try:
                    if client is None:
                        client = open_connection(settings.smtp)
                    client.sendmail(_envelope_from(settings), [mail.recipient], mail.raw or b"")
                except Exception as exc:  # noqa: BLE001  (any failure is recorded, not raised)
                    permanent = is_permanent(exc)
                    mailstore.mark_failed_attempt(
                        mail, describe(exc), permanent, clock(), settings.retry_base,
                        settings.retry_max, settings.max_attempts)
                    MAILS.labels("permanent_failure" if permanent else "retry").inc()
                    log.warning("mail %s not delivered (attempt %d): %s", mail.id,
                                mail.attempts, mail.last_error)
                    if not permanent:
                        client = _close(client)
                        return sent
                    continue
                mailstore.mark_sent(mail, clock())
                MAILS.labels("sent").inc()
                sent += 1
        return sent
    finally:
        _close(client)


def _envelope_from(settings: NotificationsSettings) -> str:
    from email.utils import parseaddr

    return parseaddr(settings.sender)[1]


def _close(client: smtplib.SMTP | None) -> None:
    if client is None:
        return None
    try:
        client.quit()
    except Exception:  # noqa: BLE001  (the connection may already be gone)
        client.close()
    return None
