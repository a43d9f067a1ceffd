"""Accounts settings, read from the environment (defaults suit the development machine)."""

from __future__ import annotations

from pydantic import Field

from sbcommon.settings import Settings


class AccountsSettings(Settings):
    # a session ends after 10 minutes without activity
    idle_timeout: int = Field(600, validation_alias="SB_SESSION_IDLE_SECONDS")
    # absolute cap, however active the session
    session_lifetime: int = Field(12 * 3600, validation_alias="SB_SESSION_LIFETIME_SECONDS")
    # failed sign-ins before the account backs off
    max_failures: int = Field(5, validation_alias="SB_LOGIN_MAX_FAILURES")
    # seconds of the first back-off; doubles with each failure
    lockout_base: int = Field(30, validation_alias="SB_LOGIN_LOCKOUT_SECONDS")
    lockout_max: int = Field(900, validation_alias="SB_LOGIN_LOCKOUT_MAX_SECONDS")
    # a reset link works once, for one hour
    reset_ttl: int = Field(3600, validation_alias="SB_RESET_TOKEN_SECONDS")
    # reset e-mails an account can be sent in an hour when asked from one network, and
    # from anywhere
    reset_per_hour: int = 3
    reset_per_hour_any: int = 10
    trial_days: int = Field(30, validation_alias="SB_TRIAL_DAYS")
    # failed sign-ins from one network (IPv4 address, IPv6 /64) in a minute before it waits
    ip_failures_per_minute: int = Field(20, validation_alias="SB_LOGIN_IP_FAILURES_PER_MINUTE")

    # user imports: the largest file taken, how long an upload may pause, how long a
    # preview may wait to be applied, and how often the background worker looks for work
    user_import_max_bytes: int = Field(20 * 1024 * 1024, gt=0,
                                       validation_alias="SB_IMPORT_MAX_BYTES")
    user_import_receive_seconds: int = Field(120, ge=1,
                                             validation_alias="SB_IMPORT_EXPIRY_SECONDS")
    user_import_preview_seconds: int = Field(24 * 3600, ge=1,
                                             validation_alias="SB_USER_IMPORT_PREVIEW_SECONDS")
    user_import_poll_seconds: float = Field(0.5, gt=0,
                                            validation_alias="SB_USER_IMPORT_POLL_SECONDS")
