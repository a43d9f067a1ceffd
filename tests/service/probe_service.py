"""A tiny nameko service used only by the outbox and consumer tests: it writes a row and an
event in one transaction, and consumes its own events through the shared consumer. Items
named ``poison-…`` always fail; ``flaky<N>-…`` fail their first N attempts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from nameko.rpc import rpc
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from sbcommon.consumer import handles, processed_events_table
from sbcommon.db import Database
from sbcommon.errors import Invalid
from sbcommon.outbox import Outbox, outbox_table

metadata = MetaData()
items = Table("items", metadata, Column("id", String(64), primary_key=True))
applied = Table(
    "applied", metadata,
    Column("event_id", String(36), nullable=False),
    Column("item_id", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
attempts = Table(
    "attempts", metadata,
    Column("item_id", String(64), primary_key=True),
    Column("count", Integer, nullable=False),
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

    @rpc
    def attempt_count(self, item_id: str) -> int:
        with self.db() as session:
            return session.scalar(select(attempts.c.count).where(attempts.c.item_id == item_id)
                                  ) or 0

    @handles("outboxprobe", "item_written")
    def on_written(self, session, payload: dict) -> None:
        item = payload["item_id"]
        self._count_attempt(item)
        flaky = re.match(r"flaky(\d+)-", item)
        if item.startswith("poison-") or (flaky and self._attempts(item) <= int(flaky[1])):
            raise RuntimeError(f"cannot apply {item}")
        session.execute(insert(applied).values(
            event_id=payload["event_id"], item_id=item, at=datetime.now(UTC)))

    def _count_attempt(self, item: str) -> None:
        # Its own transaction: the handler's is rolled back when it raises.
        with self.db.begin() as session:
            stmt = pg_insert(attempts).values(item_id=item, count=1)
            session.execute(stmt.on_conflict_do_update(
                index_elements=[attempts.c.item_id], set_={"count": attempts.c.count + 1}))

    def _attempts(self, item: str) -> int:
        with self.db() as session:
            return session.scalar(select(attempts.c.count).where(attempts.c.item_id == item))
