"""The acting identity that every RPC carries; each service enforces scope with it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from .errors import Forbidden, Invalid


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

    @classmethod
    def parse(cls, raw: Any) -> Actor:
        if isinstance(raw, Actor):
            return raw
        if not isinstance(raw, dict):
            raise Invalid("actor is required")
        actor = cls.model_validate(raw)
        if actor.role == Role.RESELLER and not actor.reseller_id:
            raise Invalid("a reseller actor needs reseller_id")
        if actor.role == Role.CUSTOMER and not (actor.customer_id and actor.reseller_id):
            raise Invalid("a customer actor needs customer_id and reseller_id")
        return actor

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

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
        return self.model_dump(mode="json")
