"""The direct PBX server: each routing_policy replica answers ``/pbx/v1/*`` itself, from its
in-memory cache, on ``SB_PBX_HTTP_ADDRESS``.

A call's question then costs one HTTP request and a dict lookup: no gateway, no RabbitMQ
round trip (that hop capped the gateway's ``/pbx/v1`` at a sixth of what one process can
answer). The socket is opened with ``SO_REUSEPORT``, so every replica on a host binds the
same address and the kernel spreads connections among them; in Kubernetes a Service does
the same. Reads are bounded in time (a silent client cannot hold a green thread), the
number of connections is capped, and nothing is logged per request: the answers carry SIP
digests, and the access log would be the only place they could leak from.
"""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import eventlet
import eventlet.wsgi
from nameko.extensions import DependencyProvider

from .domain import pbx
from .domain.cache import PolicyCache

log = logging.getLogger(__name__)
JSON = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
           405: "Method Not Allowed", 422: "Unprocessable Entity", 500: "Internal Server Error"}


def parse_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise RuntimeError(f"SB_PBX_HTTP_ADDRESS must be host:port, got {address!r}")
    return host.strip("[]"), int(port)


def listen(address: str, backlog: int = 1024) -> socket.socket:
    host, port = parse_address(address)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = eventlet.listen((host, port), family=family, backlog=backlog, reuse_addr=True,
                           reuse_port=True)
    return sock


class Application:
    """The WSGI application: moves bytes in and out of ``pbx.handle``."""

    def __init__(self, cache: PolicyCache, health: Any):
        self.cache = cache
        self.health = health

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        # An answer does no I/O, and a kept-alive connection whose next request is already
        # buffered never waits: without this yield one busy connection starves the others
        # (measured: p99 of hundreds of ms at 8 connections).
        eventlet.sleep(0)
        try:
            status, body = pbx.handle(
                self.cache, environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                environ.get("QUERY_STRING", ""), environ.get("HTTP_AUTHORIZATION"),
                self.health)
        except Exception:  # a bug: answer 500 without details, keep the trace in the log
            log.exception("direct PBX request failed: %s %s", environ.get("REQUEST_METHOD"),
                          environ.get("PATH_INFO", "")[:64])
            status, body = 500, {"error": "internal_error", "message": "internal error"}
        payload = json.dumps(body, separators=(",", ":")).encode()
        headers = [*JSON, ("Content-Length", str(len(payload)))]
        if status == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="pbx"'))
        start_response(f"{status} {REASONS.get(status, 'Error')}", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [payload]


class PbxHttpServer(DependencyProvider):
    """Serves the direct PBX address inside the routing_policy container, next to its RPCs.

    It answers from the container's ``Cache`` (found by attribute name), and starts after
    the cache is warm: a replica never answers from an empty cache."""

    def __init__(self, address: str, cache_attr: str = "cache", read_timeout: float = 10.0,
                 idle_timeout: float = 75.0, max_connections: int = 1000):
        self.address = address
        self.cache_attr = cache_attr
        self.read_timeout = read_timeout
        self.idle_timeout = idle_timeout
        self.max_connections = max_connections
        self.sock: socket.socket | None = None
        self.thread: Any = None

    def setup(self) -> None:
        self.cache_provider = next(d for d in self.container.dependencies
                                   if d.attr_name == self.cache_attr)

    def start(self) -> None:
        self.sock = listen(self.address)
        self.thread = self.container.spawn_managed_thread(self._serve)

    def _serve(self) -> None:
        cache = self.cache_provider.cache
        # Extensions start together: connections wait in the backlog until the cache is
        # warm, rather than getting answers from an empty one.
        while not cache.loaded_at:
            eventlet.sleep(0.05)
        assert self.sock is not None
        host, port = self.sock.getsockname()[:2]
        log.info("direct PBX server listening on http://%s:%d/pbx/v1", host, port)
        eventlet.wsgi.server(
            self.sock, Application(cache, self._health), log=None, log_output=False,
            max_size=self.max_connections, keepalive=self.idle_timeout,
            socket_timeout=self.read_timeout, url_length_limit=2048, debug=False)

    def _health(self) -> dict[str, Any]:
        from .service import REPLICA  # the process's name, defined with the service

        return {"status": "ok", "replica": REPLICA,
                "generation": self.cache_provider.cache.generation}

    def stop(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.thread is not None:
            self.thread.kill()
            self.thread = None

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: Any) -> str:
        return self.address
