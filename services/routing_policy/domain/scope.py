"""Tenant scope: an actor sees and changes only the rules below it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sbcommon import replica
from sbcommon.actor import Actor, Role
from sbcommon.errors import Forbidden

from ..models import KnownCustomer


def customer_for(session: Session, actor: Actor, customer_id: str) -> KnownCustomer:
    """The customer if the actor may see it; another reseller's customer is "not found",
    exactly like one that does not exist (no existence leak)."""
    return replica.scoped(session, KnownCustomer, actor, customer_id)


def require_manager(actor: Actor) -> None:
    """Subscribers read their restrictions; resellers and the administrator change them."""
    if actor.role == Role.CUSTOMER:
        raise Forbidden("call restrictions are managed by your reseller")


def reseller_of(actor: Actor) -> str:
    if actor.role != Role.RESELLER or not actor.reseller_id:
        raise Forbidden("reseller-wide call restrictions belong to a reseller account")
    return actor.reseller_id
