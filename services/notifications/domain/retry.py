"""When to try a message again, and which SMTP failures are worth another try."""

from __future__ import annotations

import smtplib


def next_delay(attempts: int, base: int, cap: int) -> int:
    """Seconds to wait after the ``attempts``-th failure: base, 2·base, 4·base … ≤ cap."""
    if attempts < 1:
        return 0
    return min(cap, base * 2 ** min(attempts - 1, 30))


def is_permanent(exc: BaseException) -> bool:
    """A 5xx answer about this message (bad recipient, refused content) will not change
    by retrying; everything else (connection refused, timeouts, 4xx) is temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return 500 <= exc.smtp_code < 600
    return False


def describe(exc: BaseException) -> str:
    """A short reason for the delivery log; SMTP errors never echo our credentials."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return f"recipient refused: {code} {text.decode(errors='replace')}"[:500]
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"[:500]
    return f"{type(exc).__name__}: {exc}"[:500]
