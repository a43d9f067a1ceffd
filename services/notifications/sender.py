"""Nameko dependencies of the notifications service: the mail sender loop and the PDF
worker pool. They hold the machinery; the decisions live in ``domain``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.extensions import DependencyProvider

from .domain.delivery import deliver_due
from .pdfworker import WorkerPool
from .settings import NotificationsSettings

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class MailSender(DependencyProvider):
    """``self.mail_sender()`` after queueing mail: the sender wakes when that worker ends
    (its transaction is committed by then). It also wakes every ``poll_interval`` seconds,
    for retries that have come due and for mail queued by another replica."""

    def __init__(self, settings: NotificationsSettings, database_attr: str = "db"):
        self.settings = settings
        self.database_attr = database_attr
        self.database: Any = None
        self._wake = Event()
        self._running = False
        self._thread: Any = None
        self._queued: set[Any] = set()

    def setup(self) -> None:
        self.database = next(
            dep for dep in self.container.dependencies if dep.attr_name == self.database_attr
        )

    def start(self) -> None:
        self._running = True
        self._thread = self.container.spawn_managed_thread(self._loop, identifier="mail")

    def stop(self) -> None:
        self._running = False
        self.wake()
        if self._thread is not None:
            self._thread.wait()

    def kill(self) -> None:
        self._running = False
        if self._thread is not None:
            self._thread.kill()

    def wake(self) -> None:
        if not self._wake.ready():
            self._wake.send(True)

    def get_dependency(self, worker_ctx: Any) -> Callable[[], None]:
        return lambda: self._queued.add(worker_ctx)

    def worker_teardown(self, worker_ctx: Any) -> None:
        if worker_ctx in self._queued:
            self._queued.discard(worker_ctx)
            self.wake()

    def _loop(self) -> None:
        while self._running:
            with eventlet.Timeout(self.settings.poll_interval, False):
                self._wake.wait()
            self._wake = Event()
            try:
                deliver_due(self.database.sessions, self.settings, utcnow)
            except Exception:
                # The mail stays queued; the next pass tries again.
                log.exception("mail sender pass failed; will retry")


class PdfRenderer(DependencyProvider):
    """Injects the pool of PDF worker processes (started with the service)."""

    def __init__(self, size: int):
        self.size = size
        self.pool: WorkerPool | None = None

    def setup(self) -> None:
        self.pool = WorkerPool(self.size)

    def start(self) -> None:
        assert self.pool is not None
        self.pool.start()

    def stop(self) -> None:
        if self.pool is not None:
            self.pool.stop()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> WorkerPool:
        assert self.pool is not None
        return self.pool
