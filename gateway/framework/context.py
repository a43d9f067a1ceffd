"""The request context every handler receives (directly in the API, as ``page.ctx`` in
the portal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from sbcommon.actor import sign_actor
from sbcommon.errors import Unauthorized

if TYPE_CHECKING:
    from ..clients import Backends
    from ..settings import GatewaySettings


@dataclass
class Ctx:
    request: Request
    backends: Backends
    settings: GatewaySettings
    args: dict[str, str] = field(default_factory=dict)
    session: dict[str, Any] | None = None
    token: str | None = None

    def signed_in(self) -> dict[str, Any]:
        """The session; Unauthorized on a route that runs without one."""
        if self.session is None:
            raise Unauthorized("sign in first")
        return self.session

    @property
    def actor(self) -> dict[str, Any]:
        """The session's actor, freshly signed for the RPCs of this request."""
        return sign_actor(self.signed_in()["actor"])

    @property
    def session_token(self) -> str:
        self.signed_in()
        if self.token is None:
            raise Unauthorized("sign in first")
        return self.token

    @property
    def user(self) -> dict[str, Any]:
        return self.signed_in()["user"]

    @property
    def role(self) -> str | None:
        return self.session["user"]["role"] if self.session else None

    @property
    def client_ip(self) -> str:
        if self.settings.trust_proxy:
            # The right-most entry is the one our proxy appended; entries to its left come
            # from the client and could be forged to dodge the per-address sign-in limit.
            forwarded = self.request.headers.get("X-Forwarded-For", "")
            if forwarded.strip():
                return forwarded.split(",")[-1].strip()[:64]
        return (self.request.remote_addr or "")[:64]

    @property
    def is_https(self) -> bool:
        """Whether browsers reach the portal over HTTPS: an ``https://`` SB_PUBLIC_URL says
        so whatever the gateway itself sees (TLS usually ends at a proxy in front of it), so
        cookies are ``Secure`` and HSTS is sent."""
        if self.settings.public_url.lower().startswith("https://"):
            return True
        if self.settings.trust_proxy and self.request.headers.get("X-Forwarded-Proto") == "https":
            return True
        return self.request.scheme == "https"
