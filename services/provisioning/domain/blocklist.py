"""Addresses blocked after repeated login failures, shared by the FTP and HTTP servers of
every file-server process.

The truth is a PostgreSQL table (``address_blocks``): a failure is one atomic upsert, so
parallel failures all count, and a block set by one process holds in every other. Each
process keeps a snapshot of the table, refreshed every ``refresh_seconds``, so a phone
storm after a power cut does not ask the database, per connection, whether its address may
try. If the database is away, the process falls back to counting in memory.

Thread-safe (one thread per connection).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

log = logging.getLogger(__name__)

# One atomic statement per failure: drop failures older than the block period, keep the
# newest (max_failures - 1), add this one; the count is the array's length.
FAIL = text("""
INSERT INTO address_blocks AS b (address, recent, blocked_until)
VALUES (:address, ARRAY[CAST(:now AS timestamptz)], NULL)
ON CONFLICT (address) DO UPDATE SET
  recent = array_append(ARRAY(SELECT t FROM unnest(b.recent) AS t WHERE t > :forget
                              ORDER BY t DESC LIMIT :keep), CAST(:now AS timestamptz))
RETURNING cardinality(recent) AS failures, blocked_until
""")
BLOCK = text("UPDATE address_blocks SET blocked_until = :until, recent = '{}' "
             "WHERE address = :address")
SNAPSHOT = text("SELECT address, cardinality(recent) AS failures, blocked_until "
                "FROM address_blocks WHERE blocked_until > :now "
                "OR EXISTS (SELECT 1 FROM unnest(recent) AS t WHERE t > :forget)")
FORGET = text("DELETE FROM address_blocks WHERE address = :address "
              "AND (blocked_until IS NULL OR blocked_until <= :now)")


class MemoryBlocklist:
    """The same rules in one process's memory (the fallback, and for tests)."""

    def __init__(self, max_failures: int, block_seconds: float,
                 clock: Callable[[], float] = time.monotonic):
        self.max_failures = max_failures
        self.block_seconds = block_seconds
        self.clock = clock
        self._failures: dict[str, list[float]] = {}
        self._blocked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def blocked(self, address: str) -> bool:
        with self._lock:
            until = self._blocked_until.get(address)
            if until is None:
                return False
            if self.clock() < until:
                return True
            del self._blocked_until[address]
            return False

    def fail(self, address: str) -> bool:
        """Count a failure; True when the address is now blocked. Failures older than the
        block period are forgotten, so a phone's rare typo never adds up to a block."""
        now = self.clock()
        with self._lock:
            recent = [t for t in self._failures.get(address, []) if now - t < self.block_seconds]
            recent.append(now)
            if len(recent) >= self.max_failures:
                self._blocked_until[address] = now + self.block_seconds
                self._failures.pop(address, None)
                return True
            self._failures[address] = recent
            return False

    def succeed(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


# The name the file server and older tests know.
Blocklist = MemoryBlocklist


class SharedBlocklist:
    def __init__(self, sessions: Any, max_failures: int, block_seconds: float,
                 refresh_seconds: float = 2.0,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.sessions = sessions
        self.max_failures = max_failures
        self.block_seconds = block_seconds
        self.refresh_seconds = refresh_seconds
        self.clock = clock
        self.memory = MemoryBlocklist(max_failures, block_seconds)
        self._lock = threading.Lock()
        self._blocked: dict[str, datetime] = {}
        self._failing: set[str] = set()
        self._loaded = 0.0

    def _refresh(self) -> None:
        if time.monotonic() - self._loaded < self.refresh_seconds:
            return
        now = self.clock()
        forget = now - timedelta(seconds=self.block_seconds)
        with self.sessions() as session:
            rows = session.execute(SNAPSHOT, {"now": now, "forget": forget}).all()
        with self._lock:
            fresh = {r.address: r.blocked_until for r in rows
                     if r.blocked_until and r.blocked_until > now}
            # A block this process set while the snapshot was read is kept, not lost.
            for address, until in self._blocked.items():
                if until > now:
                    fresh.setdefault(address, until)
            self._blocked = fresh
            self._failing |= {r.address for r in rows if r.failures}
            self._loaded = time.monotonic()

    def blocked(self, address: str) -> bool:
        try:
            self._refresh()
        except Exception:  # the database away: what this process knows still holds
            log.warning("address blocks: database unavailable, using this process's memory")
        with self._lock:
            until = self._blocked.get(address)
        return (until is not None and until > self.clock()) or self.memory.blocked(address)

    def fail(self, address: str) -> bool:
        now = self.clock()
        try:
            with self.sessions.begin() as session:
                row = session.execute(FAIL, {
                    "address": address, "now": now, "keep": max(self.max_failures - 1, 0),
                    "forget": now - timedelta(seconds=self.block_seconds)}).one()
                blocked = row.failures >= self.max_failures
                if blocked:
                    until = now + timedelta(seconds=self.block_seconds)
                    session.execute(BLOCK, {"address": address, "until": until})
        except Exception:
            log.warning("address blocks: database unavailable, counting in memory")
            return self.memory.fail(address)
        with self._lock:
            self._failing.add(address)
            if blocked:
                self._blocked[address] = until
        return blocked

    def succeed(self, address: str) -> None:
        """A good login forgets the address's failures (only if it had any: a boot storm of
        good logins writes nothing)."""
        self.memory.succeed(address)
        with self._lock:
            if address not in self._failing:
                return
            self._failing.discard(address)
        try:
            with self.sessions.begin() as session:
                session.execute(FORGET, {"address": address, "now": self.clock()})
        except Exception:
            log.warning("address blocks: database unavailable; failures of %s kept", address)
