"""Every Prometheus metric family of the platform, and each process's ``/metrics`` endpoint.

One place lists what an operator can scrape. Nameko processes get the endpoint and the
per-entrypoint figures from ``sbcommon.telemetry.Telemetry`` (one line per service); the
phones' file server, which is not a nameko process, calls ``serve_metrics`` itself. This
module imports neither nameko nor eventlet, so a threaded process can use it.

The endpoint listens on ``SB_METRICS_PORT`` (0 or unset: none) at ``SB_METRICS_ADDRESS``
(0.0.0.0): ``deploy/run.sh`` gives each replica its own port, Kubernetes uses 9100 in every
pod. The same port answers the probes: ``/livez`` (the process serves at all: its event loop
is not stuck) and ``/readyz`` (every readiness check passes: database and broker reachable,
caches loaded; 503 with the failing ones named otherwise).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import make_server

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, make_wsgi_app
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import ThreadingWSGIServer, _SilentHandler
from prometheus_client.registry import Collector

from .config import env, env_int

log = logging.getLogger(__name__)

# Latency buckets from the PBX's few milliseconds to a PDF's several seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0)

RPC_SECONDS = Histogram(
    "switchboard_rpc_duration_seconds",
    "Time a service took to answer an RPC, by method and outcome "
    "(ok, expected: a 4xx answer, error)",
    ["service", "method", "outcome"],
    buckets=BUCKETS,
)
HTTP_SECONDS = Histogram(
    "switchboard_http_request_duration_seconds",
    "Time the gateway took to answer a request, by route template",
    ["service", "method", "route", "status"],
    buckets=BUCKETS,
)
EVENT_SECONDS = Histogram(
    "switchboard_event_handler_duration_seconds",
    "Time an event handler ran, by event (source.type)",
    ["service", "event", "outcome"],
    buckets=BUCKETS,
)
ERRORS = Counter(
    "switchboard_errors_total",
    "Entrypoints that raised, by kind (rpc, http, event, timer) and error type",
    ["service", "kind", "name", "error"],
)
EVENT_LAG = Histogram(
    "switchboard_event_lag_seconds",
    "From an event's occurred_at to its handler starting",
    ["service", "event"],
    buckets=LAG_BUCKETS,
)
EVENT_RETRIES = Counter(
    "switchboard_event_retries_total",
    "Failed event deliveries sent to a delay queue for another attempt",
    ["service", "event"],
)
EVENT_DEAD = Counter(
    "switchboard_event_dead_letters_total",
    "Events parked in the dead-letter queue after their last attempt",
    ["service", "event"],
)
OUTBOX_PUBLISHED = Counter(
    "switchboard_outbox_published_total", "Events the outbox relay published", ["service"]
)
AUTHORIZE = Counter(
    "switchboard_authorize_decisions_total",
    "The PBX's call decisions, by outcome (allow, deny) and the level whose "
    "rule or default decided (customer, reseller, platform)",
    ["outcome", "level"],
)
IMPORTS = Counter(
    "switchboard_number_imports_total",
    "Number imports finished, by outcome (done, failed)",
    ["outcome"],
)
IMPORT_LINES = Counter(
    "switchboard_number_import_lines_total",
    "Lines of number imports, by result (added, rejected)",
    ["result"],
)
DOWNLOADS = Counter(
    "switchboard_provisioning_downloads_total",
    "Phone configuration files served, by protocol and outcome",
    ["protocol", "outcome"],
)
LIFECYCLE = Counter(
    "switchboard_account_lifecycle_total",
    "What the account lifecycle timer did, by action (reminders_7_days, reminders_today, "
    "trials_suspended, archived)",
    ["action"],
)
MAILS = Counter("switchboard_mails_total", "Mails sent or failed, by outcome", ["outcome"])
INFO = Gauge(
    "switchboard_process_info", "The service and replica of this process", ["service", "replica"]
)

_server_lock = threading.Lock()
_server_port: int | None = None
# name -> check; /readyz answers 200 only when every check returns True
READINESS: dict[str, Callable[[], bool]] = {}


def add_readiness_check(name: str, check: Callable[[], bool]) -> None:
    READINESS[name] = check


def readiness() -> list[str]:
    """The names of the checks that fail now."""
    failing = []
    for name, check in list(READINESS.items()):
        try:
            ok = bool(check())
        except Exception:  # a check that cannot tell is a failing one
            ok = False
        if not ok:
            failing.append(name)
    return failing


def _app(metrics_app: Callable[..., Any]) -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/livez":
            return _plain(start_response, "200 OK", "alive\n")
        if path == "/readyz":
            failing = readiness()
            if failing:
                return _plain(start_response, "503 Service Unavailable",
                              "not ready: " + ", ".join(failing) + "\n")
            return _plain(start_response, "200 OK", "ready\n")
        return metrics_app(environ, start_response)

    return app


def _plain(start_response: Callable[..., Any], status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body)))])
    return [body]


def serve_metrics(port: int | None = None) -> int | None:
    """Start this process's ``/metrics``, ``/livez`` and ``/readyz`` endpoint once
    (``SB_METRICS_PORT`` by default); a port in use is a warning, not a reason to stop
    serving calls."""
    global _server_port
    port = env_int("SB_METRICS_PORT", 0) if port is None else port
    with _server_lock:
        if _server_port is not None or port <= 0:
            return _server_port
        # a pod's metrics are scraped from another pod: every interface by default
        address = env("SB_METRICS_ADDRESS", "0.0.0.0")  # noqa: S104
        try:
            server = make_server(address, port, _app(make_wsgi_app(REGISTRY)),
                                 ThreadingWSGIServer, handler_class=_SilentHandler)
        except OSError as exc:
            log.warning("metrics endpoint not started on %s:%d: %s", address, port, exc)
            return None
        threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
        _server_port = port
        log.info("metrics on http://%s:%d/metrics (probes: /livez, /readyz)", address, port)
        return port


class _Scraped(Collector):
    """A gauge family computed at scrape time by ``read`` (e.g. a count in the database)."""

    def __init__(
        self,
        name: str,
        documentation: str,
        labels: list[str],
        read: Callable[[], Iterator[tuple[list[str], float]]],
    ):
        self.name, self.documentation, self.labels, self.read = name, documentation, labels, read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=self.labels)
        try:
            for values, value in self.read():
                family.add_metric(values, value)
        except Exception as exc:  # a scrape must answer even with the database away
            log.debug("could not read %s: %s", self.name, exc)
        yield family


def register_scraped(
    name: str,
    documentation: str,
    labels: list[str],
    read: Callable[[], Iterator[tuple[list[str], float]]],
) -> None:
    """Register a scrape-time gauge once per process (replaced if already there, as a
    test's second container in one process would)."""
    existing = REGISTRY._names_to_collectors.get(name)  # noqa: SLF001
    if existing is not None:
        REGISTRY.unregister(existing)
    REGISTRY.register(_Scraped(name, documentation, labels, read))


ROUTE_KEY = "switchboard.route"  # the WSGI environ key where the gateway notes the route


def http_route(request: Any) -> str:
    """The route template the gateway matched (``/api/v1/customers/{customer_id}``), or a
    coarse name: a path itself would give one series per customer."""
    route = request.environ.get(ROUTE_KEY)
    if route:
        return route
    path = request.path or "/"
    for prefix in ("/api/", "/pbx/", "/static/"):
        if path.startswith(prefix):
            return f"{prefix}(unmatched)"
    return path if path in ("/health", "/metrics") else "portal(unmatched)"
