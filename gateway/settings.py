"""Gateway settings from the environment."""

from __future__ import annotations

import logging
import secrets

from pydantic import Field, field_validator

from sbcommon.settings import Settings

log = logging.getLogger(__name__)


class GatewaySettings(Settings):
    # signs CSRF tokens; every replica needs the same one
    secret_key: bytes = Field(b"", validation_alias="SB_SECRET_KEY")
    # trust X-Forwarded-For/-Proto from a TLS-terminating proxy
    trust_proxy: bool = Field(False, validation_alias="SB_TRUST_PROXY")
    public_url: str = Field("http://127.0.0.1:8000", validation_alias="SB_PUBLIC_URL")
    # longest wait for a service before answering 503
    rpc_timeout_seconds: float = Field(10, gt=0, validation_alias="SB_RPC_TIMEOUT_SECONDS")
    # largest number-import file
    import_max_bytes: int = Field(20 * 1024 * 1024, gt=0, validation_alias="SB_IMPORT_MAX_BYTES")
    # a request body must arrive whole within this time (else 408), read before any worker
    body_seconds: float = Field(10, gt=0, validation_alias="SB_HTTP_BODY_SECONDS")
    # longest wait for any one read or write on a client's socket
    socket_timeout: float = Field(30, gt=0, validation_alias="SB_HTTP_SOCKET_TIMEOUT_SECONDS")
    # largest body of a route that needs no sign-in (sign-in, forgotten password, …)
    anonymous_max_body: int = Field(16 * 1024, gt=0,
                                    validation_alias="SB_HTTP_ANONYMOUS_MAX_BYTES")
    # largest body of any other route (JSON, forms), uploads excepted
    max_body: int = Field(1024 * 1024, gt=0, validation_alias="SB_HTTP_MAX_BYTES")

    @field_validator("secret_key", mode="after")
    @classmethod
    def _some_key(cls, key: bytes) -> bytes:
        if key:
            return key
        # Fine for one development process; every replica must share one real key.
        log.warning("SB_SECRET_KEY is not set; using a random key for this process")
        return secrets.token_urlsafe(32).encode()
