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
    # a closed account's data is kept this long, then the account is archived (minimised)
    closed_retention_days: int = Field(90, ge=1, validation_alias="SB_CLOSED_RETENTION_DAYS")
    # how often the lifecycle timer looks for trial reminders, trial ends and archiving
    lifecycle_seconds: int = Field(300, ge=1, validation_alias="SB_LIFECYCLE_SECONDS")
    # accounts handled per transaction by the lifecycle timer
    lifecycle_batch: int = Field(500, ge=1, le=10_000, validation_alias="SB_LIFECYCLE_BATCH")
    # a reseller's direct access to a subscriber's account ends after this long, however
    # active (never more than 30 minutes: domain.support caps it)
    direct_access_seconds: int = Field(1800, validation_alias="SB_DIRECT_ACCESS_SECONDS")
    # how often visits past their end are closed in the audit log
    direct_access_sweep_seconds: int = Field(15, validation_alias="SB_DIRECT_ACCESS_SWEEP_SECONDS")
    # the portal's address, for the links accounts hands out (sign-up, verification)
    public_url: str = Field("http://127.0.0.1:8000", validation_alias="SB_PUBLIC_URL")
    # a sign-up's verification link works once, for this long (its numbers are held as long)
    signup_verify_seconds: int = Field(86400, validation_alias="SB_SIGNUP_VERIFY_SECONDS")
    # sign-up starts from one network (IPv4 address, IPv6 /64) in an hour
    signup_starts_per_hour: int = Field(10, validation_alias="SB_SIGNUP_STARTS_PER_HOUR")
    # verification e-mails one address can be sent in an hour
    signup_mails_per_hour: int = Field(3, validation_alias="SB_SIGNUP_MAILS_PER_HOUR")

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
