"""Nameko dependencies of the notifications service: the mail sender loop and the PDF
worker pool. They hold the machinery; the decisions live in ``domain``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from nameko.extensions import DependencyProvider

from sbcommon.loop import WakeableLoop

from .domain.delivery import deliver_due
from .pdfworker import WorkerPool
from .settings import NotificationsSettings

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class MailSender(WakeableLoop):
    """``self.mail_sender()`` after queueing mail: the sender delivers it once that worker
    has ended; every ``poll_interval`` seconds it also sends retries that came due and mail
    queued by another replica."""

    loop_name = "mail"

    def __init__(self, settings: NotificationsSettings, database_attr: str = "db"):
        super().__init__(poll_interval=settings.poll_interval, database_attr=database_attr)
        self.settings = settings

    def get_dependency(self, worker_ctx: Any) -> Callable[[], None]:
        return lambda: self.request(worker_ctx)

    def run_once(self) -> None:
        # A failed pass leaves the mail queued; the next pass tries again.
        deliver_due(self.database.sessions, self.settings, utcnow)


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
