"""A tiny nameko service used only by the idempotency tests: one mutation that writes a row
(the effect to count), can be slow, and can fail in each way a real mutation does."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from nameko.rpc import rpc
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, text

from sbcommon.actor import Actor
from sbcommon.db import Database
from sbcommon.errors import Conflict, Invalid, TooManyRequests
from sbcommon.housekeeping import Housekeeping
from sbcommon.idempotency import Idempotency, idempotency_table, purge_expired_records

metadata = MetaData()
items = Table("items", metadata, Column("id", String(64), primary_key=True),
              Column("amount", Integer, nullable=False))
idempotency = idempotency_table(metadata)
STARTED: Counter[str] = Counter()  # how often the work began, per item, in this process


class IdempotencyProbe:
    name = "idemprobe"

    db = Database("idemprobe")
    housekeeping = Housekeeping(purge_expired_records, standard=False)
    once = Idempotency(idempotency, unique={"items": "this item already exists"},
                       secret_fields=("token",))

    @rpc
    def add(self, actor: dict[str, Any], item_id: str, amount: int = 1, sleep: float = 0,
            fail: str | None = None) -> dict[str, Any]:
        who = Actor.parse(actor)

        def work(session: Any) -> Any:
            STARTED[item_id] += 1
            session.execute(insert(items).values(id=item_id, amount=amount))
            if sleep:
                session.execute(text("SELECT pg_sleep(:s)"), {"s": sleep})
            if fail == "conflict":
                raise Conflict("asked to conflict")
            if fail == "returned":  # effects kept, error answered (a failed-attempt counter)
                return Invalid("asked to refuse after writing")
            if fail == "transient":
                raise TooManyRequests("asked to be busy")
            return {"item": item_id, "amount": amount, "run": uuid.uuid4().hex,
                    "at": datetime.now(UTC), "token": f"secret-{uuid.uuid4().hex}"}
        return self.once(who, work)

    @rpc
    def started(self, item_id: str) -> int:
        return STARTED[item_id]

    @rpc
    def context(self) -> dict[str, Any]:
        return {"key": self.once.key, "deadline": self.once.deadline}
