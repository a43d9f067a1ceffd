"""Notifications settings, read from the environment (defaults suit the development run,
whose capture server listens on 127.0.0.1:8025)."""

from __future__ import annotations

import os

from pydantic import Field, field_validator

from sbcommon.settings import Settings


class SmtpSettings(Settings):
    host: str = Field("127.0.0.1", validation_alias="SB_SMTP_HOST")
    port: int = Field(8025, validation_alias="SB_SMTP_PORT")
    starttls: bool = Field(False, validation_alias="SB_SMTP_STARTTLS")
    username: str = Field("", validation_alias="SB_SMTP_USERNAME")
    # never logged, never answered (left out of repr)
    password: str = Field("", validation_alias="SB_SMTP_PASSWORD", repr=False)
    timeout: int = Field(10, validation_alias="SB_SMTP_TIMEOUT_SECONDS")


class NotificationsSettings(Settings):
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    sender: str = Field("Switchboard <no-reply@switchboard.localhost>",
                        validation_alias="SB_MAIL_FROM")
    portal_url: str = Field("http://127.0.0.1:8000", validation_alias="SB_PUBLIC_URL")
    # seconds before the first retry; doubles with each attempt
    retry_base: int = Field(30, validation_alias="SB_MAIL_RETRY_BASE_SECONDS")
    # longest wait between two attempts
    retry_max: int = Field(3600, validation_alias="SB_MAIL_RETRY_MAX_SECONDS")
    # ~2.5 days of an unreachable server before "failed"
    max_attempts: int = Field(60, validation_alias="SB_MAIL_MAX_ATTEMPTS")
    poll_interval: float = 1.0  # the sender also wakes at once when mail is queued
    # Rendering a PDF takes a core: leave the other(s) to the event loop.
    pdf_workers: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1),
                             validation_alias="SB_PDF_WORKERS")
    # How long a statement waits for catalogue's priced lines before answering 503.
    catalogue_timeout_seconds: float = Field(5.0, gt=0, le=60,
                                             validation_alias="SB_CATALOGUE_TIMEOUT_SECONDS")

    @field_validator("portal_url")
    @classmethod
    def _no_trailing_slash(cls, url: str) -> str:
        return url.rstrip("/")
