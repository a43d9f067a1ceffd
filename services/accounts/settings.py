"""Accounts settings, read from the environment (defaults suit the development machine)."""

from __future__ import annotations

from dataclasses import dataclass

from sbcommon.config import env_int


@dataclass(frozen=True)
class AccountsSettings:
    idle_timeout: int = 600  # F3: a session ends after 10 minutes without activity
    session_lifetime: int = 12 * 3600  # absolute cap, however active the session
    max_failures: int = 5  # failed sign-ins before the account backs off
    lockout_base: int = 30  # seconds of the first back-off; doubles with each failure
    lockout_max: int = 900
    reset_ttl: int = 3600  # a reset link works once, for one hour
    reset_per_hour: int = 3  # reset e-mails a user can be sent in an hour
    trial_days: int = 30
    ip_failures_per_minute: int = 20  # failed sign-ins from one address before it is slowed

    @classmethod
    def from_env(cls) -> AccountsSettings:
        return cls(
            idle_timeout=env_int("SB_SESSION_IDLE_SECONDS", cls.idle_timeout),
            session_lifetime=env_int("SB_SESSION_LIFETIME_SECONDS", cls.session_lifetime),
            max_failures=env_int("SB_LOGIN_MAX_FAILURES", cls.max_failures),
            lockout_base=env_int("SB_LOGIN_LOCKOUT_SECONDS", cls.lockout_base),
            lockout_max=env_int("SB_LOGIN_LOCKOUT_MAX_SECONDS", cls.lockout_max),
            reset_ttl=env_int("SB_RESET_TOKEN_SECONDS", cls.reset_ttl),
            trial_days=env_int("SB_TRIAL_DAYS", cls.trial_days),
            ip_failures_per_minute=env_int("SB_LOGIN_IP_FAILURES_PER_MINUTE",
                                           cls.ip_failures_per_minute),
        )
