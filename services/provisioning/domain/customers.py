"""What provisioning knows of customers and their numbers, kept from other services' events,
and the tenant scope every RPC goes through."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.errors import NotFound

from ..models import Customer, CustomerNumber

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

# Asks the accounts service for a customer *as the actor* (accounts enforces its own scope);
# used when an RPC arrives before the customer_created event did.
CustomerLookup = Callable[[Actor, str], dict[str, Any]]


def remember(session: Session, customer_id: str, reseller_id: str, status: str, name: str,
             now: datetime) -> None:
    """Insert a customer we did not know. A known one keeps its row: its status changes
    only through status events, so a late or redelivered customer_created cannot reopen a
    closed account."""
    values = {"id": customer_id, "reseller_id": reseller_id, "status": status,
              "name": name[:200], "updated_at": now}
    session.execute(pg_insert(Customer).values(**values).on_conflict_do_nothing())


def rename(session: Session, customer_id: str, name: str, now: datetime) -> None:
    customer = session.get(Customer, customer_id)
    if customer is not None:
        customer.name, customer.updated_at = name[:200], now


def set_status(session: Session, customer_id: str, reseller_id: str, status: str,
               now: datetime) -> None:
    customer = session.get(Customer, customer_id, with_for_update=True)
    if customer is None:
        remember(session, customer_id, reseller_id, status, "", now)
        return
    customer.status = status
    customer.updated_at = now


def assign_number(session: Session, customer_id: str, number: str, now: datetime) -> None:
    session.execute(pg_insert(CustomerNumber).values(
        number=number, customer_id=customer_id, assigned_at=now,
    ).on_conflict_do_update(index_elements=[CustomerNumber.number],
                            set_={"customer_id": customer_id, "assigned_at": now}))


def release_number(session: Session, customer_id: str, number: str) -> None:
    session.execute(delete(CustomerNumber).where(CustomerNumber.number == number,
                                                 CustomerNumber.customer_id == customer_id))


def numbers_of(session: Session, customer_id: str) -> list[str]:
    return list(session.scalars(
        select(CustomerNumber.number).where(CustomerNumber.customer_id == customer_id)
        .order_by(CustomerNumber.assigned_at, CustomerNumber.number)))


def _visible(actor: Actor, customer: Customer) -> bool:
    if actor.role == Role.ADMIN:
        return True
    if actor.role == Role.RESELLER:
        return customer.reseller_id == actor.reseller_id
    return customer.id == actor.customer_id


def get_scoped(session: Session, actor: Actor, customer_id: str,
               lookup: CustomerLookup | None = None, now: datetime | None = None) -> Customer:
    """The customer if ``actor`` may see it, else NotFound (another tenant's ids must look
    like ids that do not exist). Unknown yet (its event still in flight): ask accounts as
    the actor, and remember the answer."""
    if not isinstance(customer_id, str) or not UUID_RE.match(customer_id):
        raise NotFound("no such customer")
    customer = session.get(Customer, customer_id)
    if customer is None and lookup is not None and now is not None:
        found = lookup(actor, customer_id)  # raises NotFound outside the actor's scope
        remember(session, found["id"], found["reseller_id"], found["status"], found["name"], now)
        session.flush()
        customer = session.get(Customer, customer_id)
    if customer is None or not _visible(actor, customer):
        raise NotFound("no such customer")
    return customer
