"""Provisioning settings, read from the environment (defaults suit the development machine)."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Annotated, Any

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import NoDecode

from sbcommon.keys import is_development
from sbcommon.settings import Settings

from .domain.credentials import SecretBox


class ProvisioningSettings(Settings):
    # Fernet keys, newest first, comma-separated, each "<id>:<key>" (or a bare key): the
    # first encrypts, any named one decrypts (rotation: `python -m
    # services.provisioning.rekey` then re-encrypts everything with the first). Required
    # outside development; in development a fixed key is used when it is unset.
    encryption_keys: Annotated[tuple[str, ...], NoDecode] = Field(
        (), validation_alias="PROVISIONING_SECRET_KEYS")
    # The SIP domain phones register to (also the digest realm the proxy challenges with),
    # and the proxy they send to (host or host:port; empty: the domain, port 5060). Both
    # are written into every vendor file. PROVISIONING_SIP_SERVER is the former name.
    sip_domain: str = Field("sip.switchboard.example", min_length=1, validation_alias=AliasChoices(
        "SB_SIP_DOMAIN", "PROVISIONING_SIP_SERVER"))
    sip_proxy: str = Field("", validation_alias="SB_SIP_PROXY")
    # phones reach it from the network
    ftp_host: str = Field("0.0.0.0", validation_alias="PROVISIONING_FTP_HOST")  # noqa: S104
    ftp_port: int = Field(2121, validation_alias="PROVISIONING_FTP_PORT")
    # "60000-60100"; none: any free port
    ftp_passive_ports: Annotated[tuple[int, int] | None, NoDecode] = Field(
        None, validation_alias="PROVISIONING_FTP_PASSIVE_PORTS")
    ftp_public_url: str = Field("", validation_alias="PROVISIONING_FTP_PUBLIC_URL")
    http_host: str = Field("0.0.0.0", validation_alias="PROVISIONING_HTTP_HOST")  # noqa: S104
    http_port: int = Field(8021, validation_alias="PROVISIONING_HTTP_PORT")
    http_public_url: str = Field("", validation_alias="PROVISIONING_HTTP_PUBLIC_URL")
    tls_cert: str | None = Field(None, validation_alias="PROVISIONING_TLS_CERT")
    tls_key: str | None = Field(None, validation_alias="PROVISIONING_TLS_KEY")
    # failed logins from one address before it is blocked
    max_failures: int = Field(5, validation_alias="PROVISIONING_MAX_LOGIN_FAILURES")
    block_seconds: int = Field(300, validation_alias="PROVISIONING_BLOCK_SECONDS")
    # pause before answering a wrong password
    auth_failed_delay: float = Field(1.0, validation_alias="PROVISIONING_AUTH_FAILED_DELAY")
    # a connection silent for this long is closed (FTP control, HTTP, TLS handshakes)
    idle_timeout: float = Field(60, gt=0, validation_alias="PROVISIONING_IDLE_TIMEOUT_SECONDS")
    # an FTP data transfer that stalls for this long is aborted
    transfer_timeout: float = Field(60, gt=0,
                                    validation_alias="PROVISIONING_TRANSFER_TIMEOUT_SECONDS")
    # refuse FTP without TLS (control and data); needs PROVISIONING_TLS_CERT
    ftp_require_tls: bool = Field(False, validation_alias="PROVISIONING_FTP_REQUIRE_TLS")
    # kept open when idle; up to 20 more while a boot storm runs
    db_pool_size: int = Field(5, validation_alias="PROVISIONING_SERVER_DB_POOL")

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _key_list(cls, raw: Any) -> Any:
        if isinstance(raw, str):
            return tuple(k.strip() for k in raw.split(",") if k.strip())
        return raw

    @field_validator("ftp_passive_ports", mode="before")
    @classmethod
    def _port_range(cls, raw: Any) -> Any:
        return _port_range(raw) if isinstance(raw, str) else raw

    @field_validator("tls_cert", "tls_key", mode="before")
    @classmethod
    def _empty_is_none(cls, raw: Any) -> Any:
        return raw or None

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: Any) -> Any:
        """Defaults that depend on other settings (ports, TLS, the platform's secret)."""
        if not isinstance(data, dict):
            return data

        def given(field: str) -> Any:
            alias = cls.model_fields[field].validation_alias
            return data.get(field) or data.get(alias)  # type: ignore[call-overload]

        out = dict(data)
        tls = given("tls_cert")
        ftp_port = given("ftp_port") or cls.model_fields["ftp_port"].default
        http_port = given("http_port") or cls.model_fields["http_port"].default
        if not given("encryption_keys") and is_development():
            out["encryption_keys"] = (f"dev:{_development_key()}",)
        if not given("ftp_public_url"):
            out["ftp_public_url"] = f"ftp://127.0.0.1:{ftp_port}/"
        if not given("http_public_url"):
            out["http_public_url"] = f"{'https' if tls else 'http'}://127.0.0.1:{http_port}/"
        if not given("tls_key"):
            out["tls_key"] = tls or None
        return out


def _development_key() -> str:
    digest = hashlib.sha256(b"provisioning:switchboard-development-only").digest()
    return base64.urlsafe_b64encode(digest).decode()


def legacy_keys() -> tuple[str, ...]:
    """Keys secrets were encrypted with before keys had ids, when none was configured: one
    derived from SB_SECRET_KEY (or from a fixed string). Accepted only to decrypt, so such
    secrets stay readable until `python -m services.provisioning.rekey` re-encrypts them."""
    seeds = {os.environ.get("SB_SECRET_KEY", ""), "switchboard-development-only"} - {""}
    return tuple(base64.urlsafe_b64encode(hashlib.sha256(f"provisioning:{seed}".encode())
                                          .digest()).decode() for seed in sorted(seeds))


def secret_box(settings: ProvisioningSettings) -> SecretBox:
    """The box of the configured keys; outside development, exit naming the variable when
    there are none."""
    if not settings.encryption_keys:
        raise SystemExit(
            "refusing to start: PROVISIONING_SECRET_KEYS is not set. Set it to one or more "
            "Fernet keys, newest first, e.g. `2026a:<key>` with a key from `python -c "
            "'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
            " (or SB_ENV=development on a development machine).")
    return SecretBox(settings.encryption_keys, legacy_keys())


def _port_range(raw: str) -> tuple[int, int] | None:
    """``"60000-60100"`` → (60000, 60100); empty → None (any free port)."""
    if not raw.strip():
        return None
    low, sep, high = raw.partition("-")
    try:
        first, last = int(low), int(high if sep else low)
    except ValueError as exc:
        raise ValueError(f"PROVISIONING_FTP_PASSIVE_PORTS must look like 60000-60100, "
                         f"got {raw!r}") from exc
    if not 0 < first <= last < 65536:
        raise ValueError(f"PROVISIONING_FTP_PASSIVE_PORTS out of range: {raw!r}")
    return first, last
