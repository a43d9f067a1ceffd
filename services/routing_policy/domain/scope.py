"""Tenant scope: an actor sees and changes only the rules below it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.errors import Forbidden, NotFound

from ..models import KnownCustomer


def customer_for(session: Session, actor: Actor, customer_id: str) -> KnownCustomer:
    """The customer if the actor may see it; another reseller's customer is "not found",
    exactly like one that does not exist (no existence leak)."""
    customer = session.get(KnownCustomer, customer_id) if len(customer_id) <= 36 else None
    visible = customer is not None and (
        actor.role == Role.ADMIN
        or (actor.role == Role.RESELLER and customer.reseller_id == actor.reseller_id)
        or (actor.role == Role.CUSTOMER and customer.id == actor.customer_id)
    )
    if not visible:
        raise NotFound("no such customer")
    assert customer is not None
    return customer


def require_manager(actor: Actor) -> None:
    """Subscribers read their restrictions; resellers and the administrator change them."""
    if actor.role == Role.CUSTOMER:
        raise Forbidden("call restrictions are managed by your reseller")


def reseller_of(actor: Actor) -> str:
    if actor.role != Role.RESELLER or not actor.reseller_id:
        raise Forbidden("reseller-wide call restrictions belong to a reseller account")
    return actor.reseller_id
