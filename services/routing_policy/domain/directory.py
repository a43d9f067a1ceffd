"""Event-carried state: customers (from accounts) and caller numbers (from numbering).

Handlers are idempotent: the caller runs them after ``first_delivery`` in one transaction,
and each is an upsert or a delete that may safely run twice anyway.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ..models import CallerNumber, KnownCustomer

DIRECTORY_CHANGED = "directory_changed"


def upsert_customer(session: Session, event: dict[str, Any], now: datetime) -> None:
    values = {"id": event["customer_id"], "reseller_id": event["reseller_id"],
              "country": (event.get("country") or "").upper()[:2],
              "status": event["status"], "updated_at": now}
    update = {k: v for k, v in values.items() if k != "id" and v != ""}
    session.execute(insert(KnownCustomer).values(**values)
                    .on_conflict_do_update(index_elements=["id"], set_=update))


def set_status(session: Session, customer_id: str, status: str, now: datetime) -> bool:
    customer = session.get(KnownCustomer, customer_id)
    if customer is None:
        return False
    customer.status, customer.updated_at = status, now
    return True


def assign_number(session: Session, number: str, customer_id: str, now: datetime) -> None:
    session.execute(insert(CallerNumber).values(number=number, customer_id=customer_id,
                                                updated_at=now)
                    .on_conflict_do_update(index_elements=["number"],
                                           set_={"customer_id": customer_id,
                                                 "updated_at": now}))


def release_number(session: Session, number: str, customer_id: str) -> None:
    # Only the holder's mapping goes: a late release must not undo a newer assignment.
    session.execute(delete(CallerNumber).where(CallerNumber.number == number,
                                               CallerNumber.customer_id == customer_id))
