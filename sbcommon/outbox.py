"""Transactional outbox: an event is published if and only if its transaction commits.

A service writes the event row in the same transaction as its change (``record``). The
``Outbox`` dependency provider runs a relay thread that claims unpublished rows with
``FOR UPDATE SKIP LOCKED`` (so replicas share the work), publishes each with publisher
confirms and deletes it. A crash between publish and delete publishes again, so delivery is
at-least-once; consumers de-duplicate by ``event_id`` (``sbcommon.consumer``). Published rows
are deleted rather than kept because some payloads carry a secret for the consumer (a reset
token for the e-mail that sends it) that must not stay at rest.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from nameko.events import EventDispatcher
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session, sessionmaker

from . import metrics
from .contracts.events import MODELS
from .logging import CORRELATION_KEY, current_correlation_id
from .loop import WakeableLoop

log = logging.getLogger(__name__)


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )


def new_event(event_type: str, data: dict[str, Any],
              correlation_id: str | None = None) -> dict[str, Any]:
    """The envelope every event carries: id and time, the correlation id of the request
    that caused it (if any), then the tenant ids and facts."""
    envelope: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    correlation_id = correlation_id or current_correlation_id()
    if correlation_id:
        envelope[CORRELATION_KEY] = correlation_id
    return {**envelope, **data}


class EventRecorder:
    """Writes events into the outbox within a caller's transaction."""

    def __init__(self, table: Table, on_record: Callable[[], None] | None = None,
                 correlation_id: str | None = None):
        self.table = table
        self.on_record = on_record
        self.correlation_id = correlation_id

    def record(self, session: Session, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        event = new_event(event_type, data, self.correlation_id)
        model = MODELS.get(event_type)
        if model is not None:  # a producer that breaks its event's contract fails here
            model.model_validate(event)
        session.execute(
            insert(self.table).values(
                event_id=event["event_id"],
                event_type=event_type,
                payload=event,
                created_at=datetime.now(UTC),
            )
        )
        if self.on_record:
            self.on_record()
        return event


def relay_batch(
    sessions: sessionmaker[Session],
    table: Table,
    publish: Callable[[str, dict[str, Any]], None],
    limit: int = 100,
) -> int:
    """Publish up to ``limit`` committed events in order; returns how many went out."""
    with sessions.begin() as session:
        rows = session.execute(
            select(table.c.id, table.c.event_type, table.c.payload)
            .order_by(table.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            publish(row.event_type, row.payload)
        if rows:
            session.execute(delete(table).where(table.c.id.in_([r.id for r in rows])))
    return len(rows)


class Outbox(WakeableLoop, EventDispatcher):
    """Nameko dependency: ``self.outbox.record(session, type, data)`` plus the relay loop."""

    loop_name = "outbox"

    def __init__(self, table: Table, database_attr: str = "db", poll_interval: float = 1.0,
                 **kwargs: Any):
        super().__init__(poll_interval=poll_interval, database_attr=database_attr, **kwargs)
        self.table = table

    def setup(self) -> None:
        super().setup()
        service = self.container.service_name
        metrics.register_scraped(
            "switchboard_outbox_backlog", "Events committed but not yet published",
            ["service"], lambda: self._backlog(service, age=False))
        metrics.register_scraped(
            "switchboard_outbox_oldest_age_seconds",
            "Age of the oldest event waiting in the outbox (0 when empty)",
            ["service"], lambda: self._backlog(service, age=True))

    def _backlog(self, service: str, age: bool) -> Any:
        with self.database.sessions() as session:
            count, oldest = session.execute(
                select(func.count(), func.min(self.table.c.created_at))).one()
        if age:
            seconds = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
            yield [service], max(seconds, 0.0)
        else:
            yield [service], float(count)

    def get_dependency(self, worker_ctx: Any) -> EventRecorder:
        return EventRecorder(self.table, on_record=lambda: self.request(worker_ctx),
                             correlation_id=worker_ctx.data.get(CORRELATION_KEY))

    def _publish(self, event_type: str, payload: dict[str, Any]) -> None:
        # As nameko's own context headers: the consumer's worker gets the correlation id
        # in its context data, and the RPCs it makes carry it on.
        headers = ({f"nameko.{CORRELATION_KEY}": payload[CORRELATION_KEY]}
                   if payload.get(CORRELATION_KEY) else {})
        self.publisher.publish(payload, exchange=self.exchange, routing_key=event_type,
                               headers=headers)
        metrics.OUTBOX_PUBLISHED.labels(self.container.service_name).inc()

    def run_once(self) -> None:
        self.drain()

    def drain(self) -> int:
        total = 0
        while True:
            sent = relay_batch(self.database.sessions, self.table, self._publish)
            total += sent
            if sent == 0:
                return total
