"""Event-carried state: customers (from accounts) and caller numbers (from numbering).

Both are version-checked copies (``sbcommon.replica``): an event older than what is known
changes nothing, so order and redelivery do not matter.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sbcommon import replica
from sbcommon.contracts.events import AccountUserChanged, NumberAssigned, NumberReleased

from ..models import AccountUser, CallerNumber, KnownCustomer

DIRECTORY_CHANGED = "directory_changed"


def assign_number(session: Session, event: NumberAssigned, now: datetime) -> bool:
    # A number held by one of the account's users says so: the directory lists it there.
    return replica.apply_number(session, CallerNumber, event.number, event.customer_id,
                                event.version, updated_at=now, user_id=event.user_id)


def release_number(session: Session, event: NumberReleased, now: datetime) -> bool:
    return replica.apply_number(session, CallerNumber, event.number, None, event.version,
                                updated_at=now, user_id=None)


def apply_user(session: Session, event: AccountUserChanged) -> bool:
    """Keep the user's name and extension unless a newer version is known; True if so."""
    return replica.apply_user(session, AccountUser, event)


def customer_scope(session: Session, customer_id: str | None) -> str | None:
    """Whose directory the account is in: its organisation's id, else its own id."""
    if customer_id is None:
        return None
    organisation = session.scalar(select(KnownCustomer.organisation_id)
                                  .where(KnownCustomer.id == customer_id))
    return organisation or customer_id


def holder_scope(session: Session, number: str) -> str | None:
    """The directory the number is listed in now (before an event changes its holder)."""
    return customer_scope(session, session.scalar(
        select(CallerNumber.customer_id).where(CallerNumber.number == number)))


def scopes(session: Session, before: str | None, customer_id: str) -> list[str]:
    """The directories a number's move touches: where it was listed and where it goes."""
    return sorted({s for s in (before, customer_scope(session, customer_id)) if s})
