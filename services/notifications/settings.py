"""Notifications settings, read from the environment (defaults suit the development run,
whose capture server listens on 127.0.0.1:8025)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sbcommon.config import env, env_bool, env_int


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 8025
    starttls: bool = False
    username: str = ""
    password: str = ""  # never logged, never answered (repr hides it)
    timeout: int = 10

    def __repr__(self) -> str:
        return (f"SmtpSettings(host={self.host!r}, port={self.port}, "
                f"starttls={self.starttls}, username={self.username!r}, password=***)")


@dataclass(frozen=True)
class NotificationsSettings:
    smtp: SmtpSettings
    sender: str = "Switchboard <no-reply@switchboard.localhost>"
    portal_url: str = "http://127.0.0.1:8000"
    retry_base: int = 30  # seconds before the first retry; doubles with each attempt
    retry_max: int = 3600  # longest wait between two attempts
    max_attempts: int = 60  # ~2.5 days of an unreachable server before "failed"
    poll_interval: float = 1.0  # the sender also wakes at once when mail is queued
    pdf_workers: int = 1

    @classmethod
    def from_env(cls) -> NotificationsSettings:
        smtp = SmtpSettings(
            host=env("SB_SMTP_HOST", "127.0.0.1"),
            port=env_int("SB_SMTP_PORT", 8025),
            starttls=env_bool("SB_SMTP_STARTTLS", False),
            username=env("SB_SMTP_USERNAME", ""),
            password=os.environ.get("SB_SMTP_PASSWORD", ""),
            timeout=env_int("SB_SMTP_TIMEOUT_SECONDS", 10),
        )
        return cls(
            smtp=smtp,
            sender=env("SB_MAIL_FROM", cls.sender),
            portal_url=env("SB_PUBLIC_URL", cls.portal_url).rstrip("/"),
            retry_base=env_int("SB_MAIL_RETRY_BASE_SECONDS", cls.retry_base),
            retry_max=env_int("SB_MAIL_RETRY_MAX_SECONDS", cls.retry_max),
            max_attempts=env_int("SB_MAIL_MAX_ATTEMPTS", cls.max_attempts),
            # Rendering a PDF takes a core: leave the other(s) to the event loop.
            pdf_workers=env_int("SB_PDF_WORKERS", max(1, (os.cpu_count() or 2) - 1)),
        )
