"""Password hashing kept away from the session checks that every request makes.

argon2id is deliberately slow CPU work. Three things keep a flood of sign-ins from slowing
every signed-in request on the platform:
- it runs in eventlet's OS-thread pool (argon2-cffi releases the GIL), so the hub keeps
  answering session checks while hashes run;
- at most ``concurrency`` hashes run at once (below the core count), and those threads run
  at a lower CPU priority (``nice`` +10): when the machine is busy, the scheduler serves the
  session checks, the gateway and the database first;
- at most ``max_waiting`` sign-ins wait for a hashing slot (each holds a nameko worker,
  which is also the session checks' pool): one more gets a 503 with Retry-After at once,
  so half of the workers always stay free for session checks.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from typing import Any

from eventlet import patcher, tpool
from eventlet.semaphore import Semaphore

from sbcommon.errors import Unavailable

LOW_PRIORITY = 10
_real_threading = patcher.original("threading")
_lowered: set[int] = set()


def _at_low_priority(fn: Callable[..., Any], *args: Any) -> Any:
    """Runs in a tpool OS thread: lower that thread's priority once (Linux nice values are
    per thread), then do the work."""
    tid = _real_threading.get_native_id()
    if tid not in _lowered:
        # not Linux, or not allowed: the hashes just yield the CPU less readily
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, tid, LOW_PRIORITY)
        _lowered.add(tid)
    return fn(*args)


class HashGate:
    def __init__(self, concurrency: int, max_waiting: int, typical: float = 0.15):
        self.slots = Semaphore(max(1, concurrency))
        self.capacity = max(1, concurrency) + max(1, max_waiting)
        self.inside = 0  # running or waiting (eventlet is cooperative: no lock needed)
        self._typical = typical  # seconds a hash takes here, a moving average

    def typical(self) -> float:
        return self._typical

    def full(self) -> bool:
        return self.inside >= self.capacity

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self.full():
            raise busy()
        self.inside += 1
        try:
            with self.slots:
                start = time.monotonic()
                try:
                    return tpool.execute(_at_low_priority, fn, *args)
                finally:
                    took = time.monotonic() - start
                    self._typical += (took - self._typical) * 0.2
        finally:
            self.inside -= 1


def busy() -> Unavailable:
    return Unavailable("sign-in is busy; try again in a moment", {"retry_after": 1})
