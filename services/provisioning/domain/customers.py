"""What provisioning knows of customers and their numbers, kept from other services' events,
and the tenant scope every RPC goes through."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sbcommon import replica
from sbcommon.actor import Actor
from sbcommon.contracts.events import NumberAssigned, NumberReleased

from ..models import AccountUser, Customer, CustomerNumber

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def assign_number(session: Session, event: NumberAssigned, now: datetime) -> bool:
    return replica.apply_number(session, CustomerNumber, event.number, event.customer_id,
                                event.version, assigned_at=now, user_id=event.user_id)


def release_number(session: Session, event: NumberReleased) -> bool:
    return replica.apply_number(session, CustomerNumber, event.number, None, event.version,
                                user_id=None)


def numbers_of_user(session: Session, user_id: str) -> list[str]:
    return list(session.scalars(
        select(CustomerNumber.number).where(CustomerNumber.user_id == user_id)
        .order_by(CustomerNumber.assigned_at, CustomerNumber.number)))


def user_of(session: Session, customer: Customer, user_id: str) -> AccountUser:
    """A live user of ``customer`` from the copy; NotFound naming ``user_id`` otherwise."""
    return replica.user_of(session, AccountUser, customer.id, user_id)


def numbers_of(session: Session, customer_id: str) -> list[str]:
    return list(session.scalars(
        select(CustomerNumber.number).where(CustomerNumber.customer_id == customer_id)
        .order_by(CustomerNumber.assigned_at, CustomerNumber.number)))


def get_scoped(session: Session, actor: Actor, customer_id: str) -> Customer:
    """The customer if ``actor`` may see it, else NotFound (another tenant's ids must look
    like ids that do not exist)."""
    return replica.scoped(session, Customer, actor, customer_id)
