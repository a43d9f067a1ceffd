"""How many numbers a customer may hold when it orders them itself.

A subscriber that orders numbers draws on its reseller's pool: without a cap one account
could drain it. The reseller sets each customer's cap (``SB_NUMBER_QUOTA_DEFAULT`` until
it does); the reseller's own assignments are not capped — the cap is the reseller's
decision, not a limit on the reseller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.errors import Conflict

from ..models import Number, NumberQuota


def held(session: Session, customer_id: str) -> int:
    return int(session.scalar(select(func.count()).select_from(Number).where(
        Number.customer_id == customer_id, Number.state.in_(("assigned", "reserved")))) or 0)


def _row(session: Session, customer_id: str, reseller_id: str, now: datetime,
         lock: bool) -> NumberQuota:
    """The customer's quota row, created empty (default cap) if it has none; ``lock`` holds
    it, so two orders of one customer are checked one after the other."""
    session.execute(insert(NumberQuota).values(
        customer_id=customer_id, reseller_id=reseller_id, max_numbers=None, updated_at=now)
        .on_conflict_do_nothing(index_elements=["customer_id"]))
    stmt = select(NumberQuota).where(NumberQuota.customer_id == customer_id)
    return session.scalars(stmt.with_for_update() if lock else stmt).one()


def describe(session: Session, customer_id: str, reseller_id: str, default: int,
             now: datetime) -> dict[str, Any]:
    row = _row(session, customer_id, reseller_id, now, lock=False)
    return {"customer_id": customer_id,
            "max_numbers": row.max_numbers if row.max_numbers is not None else default,
            "default": row.max_numbers is None, "held": held(session, customer_id)}


def set_quota(session: Session, actor: Actor, customer_id: str, reseller_id: str,
              max_numbers: int | None, default: int, now: datetime) -> dict[str, Any]:
    actor.require(Role.RESELLER, Role.ADMIN)
    row = _row(session, customer_id, reseller_id, now, lock=True)
    row.max_numbers = max_numbers
    row.updated_at = now
    session.flush()
    return describe(session, customer_id, reseller_id, default, now)


def check_order(session: Session, actor: Actor, customer_id: str, reseller_id: str,
                count: int, default: int, now: datetime) -> None:
    """Refuse a subscriber's order that would take it over its cap (409)."""
    if actor.role != Role.CUSTOMER:
        return
    row = _row(session, customer_id, reseller_id, now, lock=True)
    cap = row.max_numbers if row.max_numbers is not None else default
    have = held(session, customer_id)
    if have + count > cap:
        raise Conflict(
            f"your account may hold {cap} number(s) and holds {have}; ask your reseller "
            "for more", {"max_numbers": cap, "held": have, "asked": count})
