"""Sliding-window counter of failed sign-ins per client address (per replica, in memory)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class FailureWindow:
    def __init__(self, limit: int, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        self.limit = limit
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        cutoff = self.clock() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def blocked(self, key: str | None) -> bool:
        return bool(key) and len(self._recent(key)) >= self.limit

    def add(self, key: str | None) -> None:
        if not key:
            return
        if len(self._hits) >= self.max_keys:  # bounded memory under a spray of addresses
            self._hits.pop(next(iter(self._hits)))
        self._hits.setdefault(key, deque()).append(self.clock())
