"""Deleting what would otherwise grow for ever, on a timer, in every service.

Each service lists its purge tasks in one ``Housekeeping`` dependency; every task is a plain
function ``(session, now) -> rows deleted`` run in its own transaction, so one failing task
does not hold back the others and each is unit-tested without nameko.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from .config import env_int
from .consumer import PROCESSED_EVENTS
from .idempotency import purge_expired_records
from .loop import WakeableLoop

log = logging.getLogger(__name__)

PurgeTask = Callable[[Session, datetime], int]


def processed_events_retention() -> timedelta:
    # Long enough to cover any redelivery: a dead letter replayed weeks later is still
    # recognised as applied.
    return timedelta(days=env_int("SB_PROCESSED_EVENTS_RETENTION_DAYS", 30))


def purge_processed_events(session: Session, now: datetime) -> int:
    """De-duplication marks older than the retention period."""
    cutoff = now - processed_events_retention()
    result = session.execute(delete(PROCESSED_EVENTS)
                             .where(PROCESSED_EVENTS.c.processed_at < cutoff))
    return int(result.rowcount or 0)


STANDARD: tuple[PurgeTask, ...] = (purge_processed_events, purge_expired_records)


class Housekeeping(WakeableLoop):
    """Runs the standard tasks (applied-event marks, idempotency records) and the service's
    own ``tasks`` every ``SB_HOUSEKEEPING_SECONDS`` (an hour by default)."""

    loop_name = "housekeeping"

    def __init__(self, *tasks: PurgeTask, standard: bool = True, database_attr: str = "db"):
        super().__init__(poll_interval=env_int("SB_HOUSEKEEPING_SECONDS", 3600),
                         database_attr=database_attr)
        self.tasks = (*(STANDARD if standard else ()), *tasks)

    def get_dependency(self, worker_ctx: Any) -> Housekeeping:
        return self

    def run_once(self) -> None:
        now = datetime.now(UTC)
        for task in self.tasks:
            try:
                with self.database.sessions.begin() as session:
                    deleted = task(session, now)
            except Exception:
                log.exception("housekeeping task %s failed; next pass retries",
                              task.__name__)
                continue
            if deleted:
                log.info("housekeeping: %s deleted %d row(s)", task.__name__, deleted)
