"""Gateway settings from the environment."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from sbcommon.config import env, env_bool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GatewaySettings:
    secret_key: bytes
    trust_proxy: bool = False
    public_url: str = "http://127.0.0.1:8000"

    @classmethod
    def from_env(cls) -> GatewaySettings:
        key = env("SB_SECRET_KEY", "")
        if not key:
            # Fine for one development process; every replica must share one real key.
            log.warning("SB_SECRET_KEY is not set; using a random key for this process")
            key = secrets.token_urlsafe(32)
        return cls(
            secret_key=key.encode(),
            trust_proxy=env_bool("SB_TRUST_PROXY", False),
            public_url=env("SB_PUBLIC_URL", "http://127.0.0.1:8000"),
        )
