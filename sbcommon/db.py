"""SQLAlchemy 2 engine and a nameko session provider.

(Being inside the ``sbcommon`` package, importing this module has already set the green
psycopg wait function: see ``sbcommon/__init__.py``.)

nameko-sqlalchemy does not support SQLAlchemy 2, hence this small provider. Entrypoints
open a transaction with ``with self.db.begin() as session:`` and commit *inside* the
entrypoint: nameko sends an RPC reply before ``worker_result`` hooks run, so a commit there
could fail after the caller was told it succeeded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from nameko.extensions import DependencyProvider
from sqlalchemy import Engine, MetaData, create_engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SqlTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from . import keys
from .config import amqp_uri, database_url, env_int
from .errors import Unavailable

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata() -> MetaData:
    """A service's MetaData, with the constraint names every migration relies on."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, pool_size: int = 10, **kwargs: Any) -> Engine:
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=kwargs.pop("max_overflow", 5),
        pool_pre_ping=True,
        pool_recycle=1800,
        **kwargs,
    )


# What a database that refuses or drops connections raises: the caller must hear "try
# again shortly" (503), not "internal error", and an event handler must retry.
UNAVAILABLE = (OperationalError, InterfaceError, SqlTimeoutError)


@contextmanager
def _unavailable_as_503(service: str) -> Iterator[None]:
    try:
        yield
    except UNAVAILABLE as exc:
        if isinstance(exc, DBAPIError) and not _is_connection_problem(exc):
            raise
        log.warning("the %s database is unavailable: %s", service,
                    str(exc).splitlines()[0][:200])
        raise Unavailable(f"the {service} database is unavailable; try again shortly",
                          {"retry_after": 5}) from exc


def _is_connection_problem(exc: DBAPIError) -> bool:
    # OperationalError also covers a few query-level faults (e.g. a cancelled statement);
    # only connection-level ones mean "come back later".
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    text = str(exc.orig).lower() if exc.orig is not None else ""
    return any(word in text for word in (
        "connection", "connect", "terminating", "shutting down", "not accepting",
        "server closed", "the database system is", "does not allow connections"))


class Sessions:
    """A ``sessionmaker`` whose sessions turn an unreachable database into ``Unavailable``."""

    def __init__(self, maker: sessionmaker[Session], service: str):
        self.maker = maker
        self.service = service

    @contextmanager
    def begin(self) -> Iterator[Session]:
        with _unavailable_as_503(self.service), self.maker.begin() as session:
            yield session

    @contextmanager
    def __call__(self) -> Iterator[Session]:
        with _unavailable_as_503(self.service), self.maker() as session:
            yield session


class Database(DependencyProvider):
    """Injects ``Sessions``; one engine (and pool) per service container."""

    def __init__(self, service: str):
        self.service = service
        self.engine: Engine | None = None
        self.sessions: sessionmaker[Session] | None = None
        self.guarded: Sessions | None = None

    def setup(self) -> None:
        # Every service has a database: the place to refuse to start without a real key
        # (actors it receives are verified with it, those it passes on signed).
        keys.require()
        # Every worker may hold a connection at once, but only SB_DB_POOL_SIZE stay open
        # when idle: with several services and replicas on one PostgreSQL, idle pools sized
        # to the worker count exhausted max_connections (100 by default) in the test run.
        workers = int(self.container.config.get("max_workers", 10))
        pool = min(env_int("SB_DB_POOL_SIZE", 5), workers)
        self.engine = make_engine(database_url(self.service), pool_size=pool,
                                  max_overflow=max(workers - pool, 0))
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.guarded = Sessions(self.sessions, self.service)

    def stop(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> Sessions:
        assert self.guarded is not None
        return self.guarded


def ping(sessions: Any) -> bool:
    """True when the database answers; used by health checks."""
    try:
        with sessions() as session:
            session.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def health_report(service: str, sessions: Any, **extra: Any) -> dict[str, Any]:
    """What every service's ``health`` RPC answers: ok when its database answers, and how
    many events wait in its dead-letter queue for an operator."""
    database = ping(sessions)
    return {"service": service, "status": "ok" if database else "degraded",
            "database": database, "dead_letters": _dead_letters(service), **extra}


_PARKED: dict[str, tuple[float, int | None]] = {}
PARKED_TTL = 5.0  # a health check must stay cheap: count the dead letters at most this often


def _dead_letters(service: str) -> int | None:
    from .deadletters import count

    now = time.monotonic()
    cached = _PARKED.get(service)
    if cached and now - cached[0] < PARKED_TTL:
        return cached[1]
    try:
        parked: int | None = count(amqp_uri(), service)
    except Exception:  # the broker is away: the health answer must not fail for it
        parked = None
    _PARKED[service] = (now, parked)
    return parked
