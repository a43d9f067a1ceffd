"""The acting identity that every RPC carries; each service enforces scope with it.

On the wire the actor is signed: HMAC-SHA256 over its fields and an expiry, with a key
derived from ``SB_SECRET_KEY`` and named by its id (``sbcommon.keys``). The gateway signs
the actor of each request, services sign the actor they pass on, and ``Actor.parse`` —
which every entrypoint calls — refuses an actor that is unsigned, altered, signed with an
unknown key or expired. Without it, anything able to publish on the broker could call any
RPC as the system administrator. The expiry is short (``SB_ACTOR_TTL_SECONDS``): a
captured actor is worth little; hosts' clocks must be synchronised (NTP).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from . import keys
from .config import env_int
from .errors import Forbidden, Invalid

SIGNATURE_FIELDS = ("exp", "kid", "sig")
PURPOSE = "actor"


def _ttl() -> int:
    return env_int("SB_ACTOR_TTL_SECONDS", 120)


def _mac(key: keys.Key, body: dict[str, Any], exp: int) -> str:
    message = json.dumps([body, exp, key.kid], sort_keys=True, separators=(",", ":"))
    return hmac.new(key.derive(PURPOSE), message.encode(), hashlib.sha256).hexdigest()


def sign_actor(data: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """The actor's fields with ``exp``, ``kid`` and ``sig``: what an RPC carries."""
    body = {k: v for k, v in data.items() if k not in SIGNATURE_FIELDS}
    key = keys.ring().current
    exp = int(now if now is not None else time.time()) + _ttl()
    return {**body, "exp": exp, "kid": key.kid, "sig": _mac(key, body, exp)}


def verify_actor(raw: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """The actor's fields if the signature holds; Forbidden otherwise."""
    sig, kid, exp = raw.get("sig"), raw.get("kid"), raw.get("exp")
    if not isinstance(sig, str) or not isinstance(kid, str) or not isinstance(exp, int):
        raise Forbidden("the acting identity is not signed")
    key = keys.ring().get(kid)
    body = {k: v for k, v in raw.items() if k not in SIGNATURE_FIELDS}
    if key is None or not hmac.compare_digest(sig, _mac(key, body, exp)):
        raise Forbidden("the acting identity has a wrong signature")
    if exp < (now if now is not None else time.time()):
        raise Forbidden("the acting identity has expired")
    return body


class Role(StrEnum):
    ADMIN = "admin"
    RESELLER = "reseller"
    CUSTOMER = "customer"


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str
    role: Role
    reseller_id: str | None = None
    customer_id: str | None = None
    # A customer's role inside its account; None (every actor signed before account users
    # existed) acts as today's main user: an account administrator.
    account_role: Literal["account_admin", "user"] | None = None
    # Set when a reseller's (or the administrator's) user acts inside a subscriber's account
    # through direct access: the actor is the subscriber's, and this names who is really
    # there. Signed with the rest, so no one can add or remove it on the way.
    support_user_id: str | None = None
    support_name: str | None = None

    @classmethod
    def parse(cls, raw: Any) -> Actor:
        if isinstance(raw, Actor):
            return raw
        if not isinstance(raw, dict):
            raise Invalid("actor is required")
        actor = cls.model_validate(verify_actor(raw))
        if actor.role == Role.RESELLER and not actor.reseller_id:
            raise Invalid("a reseller actor needs reseller_id")
        if actor.role == Role.CUSTOMER and not (actor.customer_id and actor.reseller_id):
            raise Invalid("a customer actor needs customer_id and reseller_id")
        if actor.support_user_id and actor.role != Role.CUSTOMER:
            raise Invalid("only a subscriber's actor can carry a support user")
        return actor

    @property
    def is_support(self) -> bool:
        """A support user inside a subscriber's account (direct access)."""
        return self.support_user_id is not None

    @property
    def is_subscriber_itself(self) -> bool:
        """The subscriber acting on its own account, not its reseller's support inside it."""
        return self.role == Role.CUSTOMER and self.support_user_id is None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_plain_user(self) -> bool:
        """A customer's user that is not its account's administrator."""
        return self.role == Role.CUSTOMER and self.account_role == "user"

    def sees(self, reseller_id: str | None, customer_id: str | None = None) -> bool:
        """The one tenant-scope rule: an actor sees only what is below it."""
        if self.role == Role.ADMIN:
            return True
        if self.role == Role.RESELLER:
            return reseller_id is not None and reseller_id == self.reseller_id
        return customer_id is not None and customer_id == self.customer_id

    def restrict(self, stmt: Any, reseller_column: Any, customer_column: Any) -> Any:
        """The same rule as ``sees``, as a filter on a query of tenant-owned rows."""
        if self.role == Role.ADMIN:
            return stmt
        if self.role == Role.RESELLER:
            return stmt.where(reseller_column == self.reseller_id)
        return stmt.where(customer_column == self.customer_id)

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden("this action is not available to your account")

    def dump(self) -> dict[str, Any]:
        """The signed form, to pass to another service."""
        return sign_actor(self.plain())

    def plain(self) -> dict[str, Any]:
        """The fields alone (to show, or to keep in a session). The optional fields (an
        account user's role, the support user inside a direct access) appear only when set,
        so an ordinary actor's wire form is what it always was."""
        data = self.model_dump(mode="json")
        for name in ("account_role", "support_user_id", "support_name"):
            if data[name] is None:
                del data[name]
        return data
