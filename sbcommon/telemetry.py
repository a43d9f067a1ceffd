"""The nameko side of observability: ``telemetry = Telemetry()`` in a service gives it

- its ``/metrics`` endpoint (``sbcommon.metrics.serve_metrics``), once per process;
- the time of every worker by kind: RPC per method, HTTP per route (the gateway), event
  handler per event, and errors counted by type;
- a correlation id per worker: the one its caller sent (nameko context data, which travels
  as AMQP headers on every RPC and, through the outbox, on every event), or for an HTTP
  request the caller's valid ``X-Request-Id`` or a new one. It is bound for the log lines
  (``sbcommon.logging``) and stays in the worker's context data, so every RPC the worker
  makes and every event it records carries it on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

from kombu import Connection
from nameko.extensions import DependencyProvider

from . import logging as sblogging
from .db import Database, ping
from .errors import SwitchboardError
from .metrics import (
    ERRORS,
    EVENT_SECONDS,
    HTTP_SECONDS,
    INFO,
    RPC_SECONDS,
    add_readiness_check,
    http_route,
    serve_metrics,
)

_CHECKED: dict[str, tuple[float, bool]] = {}
CHECK_TTL = 5.0  # probes come every few seconds from every kubelet: answer from a cache


def _cached(key: str, check: Callable[[], bool]) -> bool:
    now = time.monotonic()
    last = _CHECKED.get(key)
    if last and now - last[0] < CHECK_TTL:
        return last[1]
    try:
        ok = bool(check())
    except Exception:
        ok = False
    _CHECKED[key] = (now, ok)
    return ok


def _database_answers(database: Database) -> bool:
    return database.guarded is not None and _cached(
        f"db:{database.service}", lambda: ping(database.guarded))


def _broker_answers(uri: str) -> bool:
    def connect() -> bool:
        with Connection(uri, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
            return bool(conn.connected)

    return bool(uri) and _cached("broker", connect)


def entrypoint_kind(entrypoint: Any) -> str:
    from nameko.rpc import Rpc
    from nameko.timer import Timer
    from nameko.web.handlers import HttpRequestHandler

    from .consumer import EventConsumer

    if isinstance(entrypoint, Rpc):
        return "rpc"
    if isinstance(entrypoint, HttpRequestHandler):
        return "http"
    if isinstance(entrypoint, EventConsumer):
        return "event"
    if isinstance(entrypoint, Timer):
        return "timer"
    return type(entrypoint).__name__.lower()


def outcome_of(exc_info: Any) -> str:
    if exc_info is None:
        return "ok"
    exc = exc_info[1]
    if isinstance(exc, SwitchboardError) and exc.status < 500:
        return "expected"
    return "error"


class Telemetry(DependencyProvider):
    """Metrics and correlation id of every worker of the service that declares it."""

    def __init__(self) -> None:
        self._started: dict[Any, tuple[float, Any]] = {}

    def setup(self) -> None:
        self.service = self.container.service_name
        sblogging.set_service(self.service)
        INFO.labels(self.service, sblogging.IDENTITY["replica"]).set(1)
        # Ready while its databases and the broker answer; an extension that must warm up
        # first adds its own check (routing_policy's decision cache).
        for dependency in self.container.dependencies:
            if isinstance(dependency, Database):
                add_readiness_check(f"database {dependency.service}",
                                    partial(_database_answers, dependency))
        add_readiness_check("broker", partial(_broker_answers,
                                              self.container.config.get("AMQP_URI", "")))

    def start(self) -> None:
        serve_metrics()

    def worker_setup(self, worker_ctx: Any) -> None:
        data = worker_ctx.data
        cid = sblogging.valid_correlation_id(data.get(sblogging.CORRELATION_KEY))
        if cid is None and worker_ctx.args and hasattr(worker_ctx.args[0], "headers"):
            # an HTTP request: the caller's X-Request-Id if usable (a proxy's trace id)
            cid = sblogging.valid_correlation_id(
                worker_ctx.args[0].headers.get(sblogging.REQUEST_ID_HEADER)
            )
        if cid is None and worker_ctx.args and isinstance(worker_ctx.args[0], dict):
            cid = sblogging.valid_correlation_id(  # an event whose header was lost
                worker_ctx.args[0].get(sblogging.CORRELATION_KEY)
            )
        cid = cid or sblogging.new_correlation_id()
        data[sblogging.CORRELATION_KEY] = cid
        token = sblogging.bind_correlation_id(cid)
        self._started[worker_ctx] = (time.perf_counter(), token)

    def worker_result(self, worker_ctx: Any, result: Any = None, exc_info: Any = None) -> None:
        started = self._started.get(worker_ctx)
        if started is None:
            return
        seconds = time.perf_counter() - started[0]
        kind = entrypoint_kind(worker_ctx.entrypoint)
        name = worker_ctx.entrypoint.method_name
        outcome = outcome_of(exc_info)
        if kind == "rpc":
            RPC_SECONDS.labels(self.service, name, outcome).observe(seconds)
        elif kind == "http":
            request = worker_ctx.args[0]
            status = getattr(result, "status_code", 500 if exc_info else 200)
            HTTP_SECONDS.labels(
                self.service, request.method, http_route(request), str(status)
            ).observe(seconds)
        elif kind == "event":
            entry = worker_ctx.entrypoint
            EVENT_SECONDS.labels(
                self.service, f"{entry.source}.{entry.event_type}", outcome
            ).observe(seconds)
        if exc_info is not None:
            ERRORS.labels(self.service, kind, name, type(exc_info[1]).__name__).inc()

    def worker_teardown(self, worker_ctx: Any) -> None:
        started = self._started.pop(worker_ctx, None)
        if started is not None:
            sblogging.reset_correlation_id(started[1])

    def get_dependency(self, worker_ctx: Any) -> WorkerTelemetry:
        # nameko injects dependencies before worker_setup runs: read the id when asked
        return WorkerTelemetry(worker_ctx)


class WorkerTelemetry:
    """What a worker sees of its telemetry: its correlation id."""

    def __init__(self, worker_ctx: Any):
        self._data = worker_ctx.data

    @property
    def correlation_id(self) -> str:
        """The worker's correlation id (the gateway answers it as X-Request-Id)."""
        return str(self._data.get(sblogging.CORRELATION_KEY, ""))
