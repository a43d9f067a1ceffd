"""A tiny nameko service used only by the outbox tests: it writes a row and an event in one
transaction, and consumes its own events idempotently."""

from __future__ import annotations

from datetime import UTC, datetime

from nameko.events import event_handler
from nameko.rpc import rpc
from sqlalchemy import Column, DateTime, MetaData, String, Table, func, insert, select

from sbcommon.db import Database
from sbcommon.errors import Invalid
from sbcommon.outbox import Outbox, first_delivery, outbox_table, processed_events_table

metadata = MetaData()
items = Table("items", metadata, Column("id", String(64), primary_key=True))
applied = Table(
    "applied", metadata,
    Column("event_id", String(36), nullable=False),
    Column("item_id", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
outbox = outbox_table(metadata)
processed = processed_events_table(metadata)


class ProbeService:
    name = "outboxprobe"

    db = Database("outboxprobe")
    outbox = Outbox(outbox, poll_interval=0.5)

    @rpc
    def write(self, item_id: str, fail: bool = False) -> None:
        with self.db.begin() as session:
            session.execute(insert(items).values(id=item_id))
            self.outbox.record(session, "item_written", {"item_id": item_id})
            if fail:
                raise Invalid("asked to fail after recording the event")

    @rpc
    def applied_count(self, item_id: str) -> int:
        with self.db() as session:
            return session.scalar(
                select(func.count()).select_from(applied).where(applied.c.item_id == item_id))

    @event_handler("outboxprobe", "item_written")
    def on_written(self, payload: dict) -> None:
        with self.db.begin() as session:
            if not first_delivery(session, processed, payload["event_id"], "probe.on_written"):
                return
            session.execute(insert(applied).values(
                event_id=payload["event_id"], item_id=payload["item_id"], at=datetime.now(UTC)))
