"""Provisioning settings, read from the environment (defaults suit the development machine)."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from sbcommon.config import env, env_int


def _encryption_keys() -> tuple[str, ...]:
    """Fernet keys, newest first (PROVISIONING_SECRET_KEYS, comma-separated, allows key
    rotation: old keys still decrypt). Without it, one key is derived from SB_SECRET_KEY so
    a development run works; production sets its own."""
    raw = os.environ.get("PROVISIONING_SECRET_KEYS", "").strip()
    if raw:
        return tuple(k.strip() for k in raw.split(",") if k.strip())
    seed = os.environ.get("SB_SECRET_KEY", "switchboard-development-only")
    digest = hashlib.sha256(f"provisioning:{seed}".encode()).digest()
    return (base64.urlsafe_b64encode(digest).decode(),)


@dataclass(frozen=True)
class ProvisioningSettings:
    encryption_keys: tuple[str, ...]
    sip_server: str = "sip.switchboard.example"
    sip_port: int = 5060
    ftp_host: str = "0.0.0.0"  # noqa: S104  (phones reach it from the network)
    ftp_port: int = 2121
    ftp_passive_ports: tuple[int, int] | None = None
    ftp_public_url: str = "ftp://127.0.0.1:2121/"
    http_host: str = "0.0.0.0"  # noqa: S104
    http_port: int = 8021
    http_public_url: str = "http://127.0.0.1:8021/"
    tls_cert: str | None = None
    tls_key: str | None = None
    max_failures: int = 5  # failed logins from one address before it is blocked
    block_seconds: int = 300
    auth_failed_delay: float = 1.0  # pause before answering a wrong password
    db_pool_size: int = 5  # kept open when idle; up to 20 more while a boot storm runs

    @classmethod
    def from_env(cls) -> ProvisioningSettings:
        ftp_port = env_int("PROVISIONING_FTP_PORT", cls.ftp_port)
        http_port = env_int("PROVISIONING_HTTP_PORT", cls.http_port)
        tls = env("PROVISIONING_TLS_CERT", "") or None
        return cls(
            encryption_keys=_encryption_keys(),
            sip_server=env("PROVISIONING_SIP_SERVER", cls.sip_server),
            sip_port=env_int("PROVISIONING_SIP_PORT", cls.sip_port),
            ftp_host=env("PROVISIONING_FTP_HOST", cls.ftp_host),
            ftp_port=ftp_port,
            ftp_passive_ports=_port_range(env("PROVISIONING_FTP_PASSIVE_PORTS", "")),
            ftp_public_url=env("PROVISIONING_FTP_PUBLIC_URL", f"ftp://127.0.0.1:{ftp_port}/"),
            http_host=env("PROVISIONING_HTTP_HOST", cls.http_host),
            http_port=http_port,
            http_public_url=env("PROVISIONING_HTTP_PUBLIC_URL",
                                f"{'https' if tls else 'http'}://127.0.0.1:{http_port}/"),
            tls_cert=tls,
            tls_key=env("PROVISIONING_TLS_KEY", "") or tls,
            max_failures=env_int("PROVISIONING_MAX_LOGIN_FAILURES", cls.max_failures),
            block_seconds=env_int("PROVISIONING_BLOCK_SECONDS", cls.block_seconds),
            auth_failed_delay=float(env("PROVISIONING_AUTH_FAILED_DELAY",
                                        str(cls.auth_failed_delay))),
            db_pool_size=env_int("PROVISIONING_SERVER_DB_POOL", cls.db_pool_size),
        )


def _port_range(raw: str) -> tuple[int, int] | None:
    """``"60000-60100"`` → (60000, 60100); empty → None (any free port)."""
    if not raw.strip():
        return None
    low, sep, high = raw.partition("-")
    try:
        first, last = int(low), int(high if sep else low)
    except ValueError as exc:
        raise RuntimeError(f"PROVISIONING_FTP_PASSIVE_PORTS must look like 60000-60100, "
                           f"got {raw!r}") from exc
    if not 0 < first <= last < 65536:
        raise RuntimeError(f"PROVISIONING_FTP_PASSIVE_PORTS out of range: {raw!r}")
    return first, last
