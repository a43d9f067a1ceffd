"""Event-carried state: customers (from accounts) and caller numbers (from numbering).

Both are version-checked copies (``sbcommon.replica``): an event older than what is known
changes nothing, so order and redelivery do not matter.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from sbcommon import replica
from sbcommon.contracts.events import NumberAssigned, NumberReleased

from ..models import CallerNumber

DIRECTORY_CHANGED = "directory_changed"


def assign_number(session: Session, event: NumberAssigned, now: datetime) -> bool:
    return replica.apply_number(session, CallerNumber, event.number, event.customer_id,
                                event.version, updated_at=now)


def release_number(session: Session, event: NumberReleased, now: datetime) -> bool:
    return replica.apply_number(session, CallerNumber, event.number, None, event.version,
                                updated_at=now)
