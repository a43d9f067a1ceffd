"""Addresses blocked after repeated login failures (shared by the FTP and HTTP servers).

Kept in the file server's memory: a phone storm after a power cut must not wait on the
database to learn whether its address may try. Thread-safe (one thread per connection).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Blocklist:
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
