"""The account lifecycle's timers: free-trial reminders and ends, and archiving closed
accounts once their retention period is over.

Each pass takes ``now`` (the timer gives the clock; tests and the development hook give
their own), works in batches of one transaction each, and locks the accounts of its batch
with ``FOR UPDATE SKIP LOCKED``: several accounts replicas ticking at once share the work
instead of repeating it, and thousands of accounts never sit in one transaction. Every
status change goes through ``customers.change_status``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Select, delete, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ..models import Customer, ResetToken, TrialReminder, User
from ..settings import AccountsSettings
from . import users as users_domain
from .auth import EventSink
from .customers import change_status, event_data

log = logging.getLogger(__name__)


class Transactions(Protocol):
    """What opens one transaction per batch: a sessionmaker or the service's database."""

    def begin(self) -> AbstractContextManager[Session]: ...


REMINDERS = ("7_days", "today")
# A batch that keeps finding work is stopped after this many: the next tick goes on.
MAX_BATCHES = 1000
# What an archived account keeps: ``id``, ``identifier``, ``reseller_id``, ``kind``,
# ``language``, ``country``, its dates and (company accounts) its name, which invoices carry.
# A professional account's name is a person's name: it becomes this label.
ARCHIVED_NAME = "Archived account"
ARCHIVED_USER = "Archived user"


def archived_address(row_id: str) -> str:
    """A placeholder that can never receive mail (``.invalid`` is reserved, RFC 2606) and
    stays unique, as the e-mail columns require."""
    return f"archived-{row_id}@archived.invalid"


def _day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _reminder_window(reminder: str, now: datetime) -> tuple[datetime, datetime]:
    """Trials whose end falls in [start, end) get ``reminder`` now (days are UTC days):
    ``7_days`` from the day seven days before the end's day until the eve of that day,
    ``today`` on the end's day itself."""
    today = _day_start(now)
    if reminder == "7_days":
        return today + timedelta(days=1), today + timedelta(days=8)
    return today, today + timedelta(days=1)


def _of(stmt: Select, reseller_id: str | None) -> Select:
    """The whole platform, or one reseller's accounts (the development hook's runs)."""
    return stmt if reseller_id is None else stmt.where(Customer.reseller_id == reseller_id)


def send_reminders(session: Session, events: EventSink, reminder: str, now: datetime,
                   batch: int, reseller_id: str | None = None) -> int:
    """Record up to ``batch`` due reminders of one kind, each with its event, once."""
    start, end = _reminder_window(reminder, now)
    already = exists().where(TrialReminder.customer_id == Customer.id,
                             TrialReminder.reminder == reminder,
                             TrialReminder.trial_ends_at == Customer.trial_ends_at)
    due = session.scalars(_of(
        select(Customer).where(Customer.status == "trial",
                               Customer.trial_ends_at >= start, Customer.trial_ends_at < end,
                               ~already), reseller_id)
        .order_by(Customer.trial_ends_at, Customer.id).limit(batch)
        .with_for_update(skip_locked=True)).all()
    for customer in due:
        claimed = session.execute(
            pg_insert(TrialReminder).values(customer_id=customer.id, reminder=reminder,
                                            trial_ends_at=customer.trial_ends_at,
                                            recorded_at=now)
            .on_conflict_do_nothing().returning(TrialReminder.customer_id)).first()
        if claimed is not None:
            events.record(session, "customer_trial_ending",
                          {**event_data(customer), "reminder": reminder})
    return len(due)


def end_trials(session: Session, events: EventSink, now: datetime, batch: int,
               reseller_id: str | None = None) -> int:
    """Trials past their end that nobody converted (conversion sets production, which
    clears the end) become suspended."""
    ended = session.scalars(_of(
        select(Customer).where(Customer.status == "trial", Customer.trial_ends_at <= now),
        reseller_id)
        .order_by(Customer.trial_ends_at, Customer.id).limit(batch)
        .with_for_update(skip_locked=True)).all()
    for customer in ended:
        change_status(session, customer, "suspended", None, now, events, "trial_ended")
    return len(ended)


def minimise(session: Session, customer: Customer, events: EventSink, now: datetime) -> None:
    """Drop the personal data of an account and of its users; keep what accounting needs.
    Users are disabled, without a password, a session or a reset link: nobody signs in.
    The services keeping a copy of the users (names on phones, the directory) hear that
    they are gone, with their minimised state."""
    customer.email = archived_address(customer.id)
    customer.phone = None
    customer.contact_name = None
    if customer.kind == "professional":
        customer.name = ARCHIVED_NAME
    users = session.scalars(select(User).where(User.customer_id == customer.id)).all()
    for user in users:
        user.email = archived_address(user.id)
        user.display_name = ARCHIVED_USER
        user.first_name = user.last_name = None
        user.password_hash = None
        user.disabled = True
        user.failed_logins = 0
        user.locked_until = None
        if user.role == "customer":
            user.version += 1
            user.updated_at = now
            events.record(session, "account_user_changed",
                          users_domain.event_data(user, deleted=True))
    user_ids = [u.id for u in users]
    if user_ids:  # sessions go in change_status; links die here
        session.execute(delete(ResetToken).where(ResetToken.user_id.in_(user_ids)))


def archive_closed(session: Session, events: EventSink, now: datetime,
                   settings: AccountsSettings, batch: int, reseller_id: str | None = None
                   ) -> int:
    """Closed accounts whose retention period is over become archived, minimised."""
    cutoff = now - timedelta(days=settings.closed_retention_days)
    due = session.scalars(_of(
        select(Customer).where(Customer.status == "closed", Customer.closed_at <= cutoff),
        reseller_id)
        .order_by(Customer.closed_at, Customer.id).limit(batch)
        .with_for_update(skip_locked=True)).all()
    for customer in due:
        minimise(session, customer, events, now)
        change_status(session, customer, "archived", None, now, events, "retention_ended")
    return len(due)


def _batched(sessions: Transactions, step: Callable[[Session], int],
             batch: int) -> int:
    total = 0
    for _ in range(MAX_BATCHES):
        with sessions.begin() as session:
            done = step(session)
        total += done
        if done < batch:
            break
    return total


def run_pass(sessions: Transactions, events: EventSink, now: datetime,
             settings: AccountsSettings, reseller_id: str | None = None) -> dict[str, Any]:
    """One pass of every lifecycle task at ``now`` (over one reseller's accounts only when
    ``reseller_id`` is given); the counts of what it did. Reminders go before ends, so a
    trial ending between two ticks still gets its day's reminder."""
    batch = settings.lifecycle_batch
    one = reseller_id
    report: dict[str, Any] = {"pass_id": str(uuid.uuid4()), "now": now.isoformat()}
    for reminder in REMINDERS:
        report[f"reminders_{reminder}"] = _batched(
            sessions, lambda s, r=reminder: send_reminders(s, events, r, now, batch, one), batch)
    report["trials_suspended"] = _batched(
        sessions, lambda s: end_trials(s, events, now, batch, one), batch)
    report["archived"] = _batched(
        sessions, lambda s: archive_closed(s, events, now, settings, batch, one), batch)
    return report
