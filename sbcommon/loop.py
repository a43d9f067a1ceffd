"""A background loop per service container that workers can wake: the outbox relay and the
mail sender are both one.

A worker that leaves work for the loop (an event row, a queued mail) calls ``request``;
the loop wakes when that worker has finished, so its transaction is committed by then. It
also wakes every ``poll_interval`` seconds, for work left by a crash, by another replica,
or that has come due (a retry).
"""

from __future__ import annotations

import logging
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.extensions import DependencyProvider

log = logging.getLogger(__name__)


class WakeableLoop(DependencyProvider):
    """Subclasses implement ``run_once`` (one pass; exceptions are logged, the work stays
    for the next pass) and usually ``get_dependency``."""

    loop_name = "loop"

    def __init__(self, *args: Any, poll_interval: float = 1.0, database_attr: str = "db",
                 **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.poll_interval = poll_interval
        self.database_attr = database_attr
        self.database: Any = None
        self._wake = Event()
        self._running = False
        self._thread: Any = None
        self._requested: set[Any] = set()

    def setup(self) -> None:
        super().setup()
        # Extensions are re-instantiated when bound to a container, so look up the bound
        # Database provider by name rather than holding the class-level declaration.
        self.database = next(
            dep for dep in self.container.dependencies if dep.attr_name == self.database_attr
        )

    def start(self) -> None:
        super().start()
        self._running = True
        self._thread = self.container.spawn_managed_thread(self._loop, identifier=self.loop_name)

    def stop(self) -> None:
        self._running = False
        self.wake()
        if self._thread is not None:
            self._thread.wait()
        super().stop()

    def kill(self) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.kill()

    def wake(self) -> None:
        if not self._wake.ready():
            self._wake.send(True)

    def request(self, worker_ctx: Any) -> None:
        """Run a pass once ``worker_ctx`` has finished."""
        self._requested.add(worker_ctx)

    def worker_teardown(self, worker_ctx: Any) -> None:
        if worker_ctx in self._requested:
            self._requested.discard(worker_ctx)
            self.wake()

    def _loop(self) -> None:
        while self._running:
            with eventlet.Timeout(self.poll_interval, False):
                self._wake.wait()
            self._wake = Event()
            try:
                self.run_once()
            except Exception:
                log.exception("%s pass failed; will retry", self.loop_name)

    def run_once(self) -> None:
        raise NotImplementedError
