"""The cache generation: one counter, one more at every change the replicas' caches must see.

A change bumps it in its own transaction and its broadcast carries the new value. A replica
notes the generations it applied; one whose applied generations have a gap behind the
database's counter for longer than a broadcast takes missed one, and reloads everything.
Loads read the counter in the same snapshot as the data, so an entry knows how fresh it is.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import CacheGeneration


class EventSink(Protocol):
    def record(self, session: Session, event_type: str, data: dict[str, Any]) -> Any: ...


def bump(session: Session) -> int:
    """One more, in the caller's transaction (the row lock orders concurrent changes, and a
    rolled-back change takes its number back: the counter has no gaps)."""
    return int(session.execute(update(CacheGeneration).where(CacheGeneration.id == 1)
                               .values(value=CacheGeneration.value + 1)
                               .returning(CacheGeneration.value)).scalar_one())


def current(session: Session) -> int:
    return int(session.scalar(select(CacheGeneration.value).where(CacheGeneration.id == 1))
               or 0)


def snapshot(session: Session) -> int:
    """Makes the session's transaction one snapshot and returns its generation: everything
    read afterwards in it is exactly as of that generation. Call first in the session."""
    session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return current(session)


class Stamped:
    """An event sink whose broadcasts carry the generation their change bumped to."""

    def __init__(self, sink: EventSink):
        self.sink = sink

    def record(self, session: Session, event_type: str, data: dict[str, Any]) -> Any:
        return self.sink.record(session, event_type, {**data, "generation": bump(session)})
