"""Gateway settings from the environment."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from sbcommon.settings import Settings


class GatewaySettings(Settings):
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
    # addresses that see each service's state in /health (others: only ok / not ok)
    health_detail_networks: Annotated[tuple[str, ...], NoDecode] = Field(
        ("127.0.0.0/8", "::1/128"), validation_alias="SB_HEALTH_DETAIL_NETWORKS")
    # the public /health answer is at most this old (it asks every service)
    health_cache_seconds: float = Field(2, ge=0, validation_alias="SB_HEALTH_CACHE_SECONDS")
    # largest body of any other route (JSON, forms), uploads excepted
    max_body: int = Field(1024 * 1024, gt=0, validation_alias="SB_HTTP_MAX_BYTES")
    # a sign-up form sent sooner than this after it was served is refused (a robot's)
    signup_min_seconds: int = Field(3, ge=0, validation_alias="SB_SIGNUP_MIN_SECONDS")
    # ... or later than this (the form's signed timestamp is stale)
    signup_form_max_seconds: int = Field(4 * 3600, gt=0,
                                         validation_alias="SB_SIGNUP_FORM_MAX_SECONDS")
    # how long a sign-up's numbers stay held: its verification link's lifetime (accounts)
    signup_verify_seconds: int = Field(86400, gt=0, validation_alias="SB_SIGNUP_VERIFY_SECONDS")

    @field_validator("health_detail_networks", mode="before")
    @classmethod
    def _networks(cls, raw: Any) -> Any:
        if isinstance(raw, str):
            raw = tuple(n.strip() for n in raw.split(",") if n.strip())
        for network in raw:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"SB_HEALTH_DETAIL_NETWORKS: {network!r} is not a network "
                                 "such as 10.0.0.0/8") from None
        return tuple(raw)
