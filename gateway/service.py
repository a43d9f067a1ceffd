"""The HTTP gateway: one nameko http entrypoint in front of ``GatewayApp``.

It owns no data: every request becomes RPC calls to the services, which enforce tenant
scope themselves.
"""

from __future__ import annotations

import json
from typing import Any

from eventlet import wsgi
from nameko.rpc import RpcProxy
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.wrappers import Request, Response

from sbcommon import keys
from sbcommon.idempotency import Caller
from sbcommon.logging import REQUEST_ID_HEADER
from sbcommon.telemetry import Telemetry

from .app import GatewayApp
from .clients import SERVICES, Backends
from .framework import bodies
from .framework.rpc import TimedProxy
from .settings import GatewaySettings

# Refuse to start without a real SB_SECRET_KEY (outside development): it signs the actor
# of every request and the CSRF tokens.
keys.require()
SETTINGS = GatewaySettings()
APP = GatewayApp(SETTINGS)


def uri_too_long_response() -> bytes:
    body = json.dumps({"error": "uri_too_long", "message": "the path and query are longer "
                       f"than {wsgi.MAX_REQUEST_LINE} bytes"}).encode()
    return (b"HTTP/1.0 414 Request URI Too Long\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nX-Content-Type-Options: nosniff\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body))


# eventlet refuses a request line over its limit itself, before any application code, with
# an empty 414 (a module constant it writes as is): give that answer the API's error body.
wsgi.RESPONSE_414 = uri_too_long_response()


class EveryRequest(WsgiApp):
    """Hands every request to the gateway's one entrypoint, whatever its path and method:
    nameko's URL map would answer a path its converter refuses (a newline in it) or an
    unlisted method with werkzeug's HTML 404/405 pages, outside the gateway's contract."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        # The body is bounded and read here, in the connection's green thread, before a
        # worker is taken (see framework.bodies).
        policy = APP.body_policy(environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        try:
            bodies.check_length(environ, policy)
            if not policy.stream:
                bodies.read_ahead(environ, policy, SETTINGS.body_seconds)
        except bodies.Refused as refused:
            return bodies.refusal(environ, start_response, refused)
        (rule,) = self.url_map.iter_rules()
        request = Request(environ, shallow=True)
        request.path_values = {}
        return rule.endpoint.handle_request(request)(environ, start_response)


class GatewayProtocol(HttpOnlyProtocol):
    """Lets the application close a connection whose body it refused to read."""

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ["sb.protocol"] = self
        return environ


class GatewayWebServer(WebServer):
    def get_wsgi_app(self) -> WsgiApp:
        return EveryRequest(self)

    def get_wsgi_server(self, sock: Any, wsgi_app: Any, protocol: Any = GatewayProtocol,
                        debug: bool = False) -> wsgi.Server:
        # nameko passes no timeout: a client that stops reading or writing would hold its
        # connection (and, before the body is read ahead, a worker) for ever.
        server = super().get_wsgi_server(sock, wsgi_app, protocol=protocol, debug=debug)
        server.socket_timeout = SETTINGS.socket_timeout
        return server


class GatewayHttp(HttpRequestHandler):
    server = GatewayWebServer()

    def __init__(self, **kwargs: Any):
        super().__init__("GET", "/", **kwargs)  # the rule only names the entrypoint


class GatewayService:
    name = "gateway"
    # Each request's RPCs carry its idempotency key and the time the gateway stops waiting.
    caller = Caller()
    # Metrics per route, and the request's correlation id: the client's X-Request-Id when
    # valid, else a new one; every RPC and event of the request carries it.
    telemetry = Telemetry()

    # One RPC proxy per service the gateway calls (gateway.clients.SERVICES; a test checks
    # the two lists agree).
    accounts = RpcProxy("accounts")
    numbering = RpcProxy("numbering")
    routing_policy = RpcProxy("routing_policy")
    provisioning = RpcProxy("provisioning")
    notifications = RpcProxy("notifications")
    catalogue = RpcProxy("catalogue")

    def _backends(self) -> Backends:
        seconds = SETTINGS.rpc_timeout_seconds
        return Backends(stamp=self.caller, **{
            name: TimedProxy(getattr(self, name), name, seconds, self.caller)
            for name in SERVICES})

    @GatewayHttp.decorator
    def everything(self, request: Request) -> Response:
        response = APP.handle(request, self._backends())
        response.headers[REQUEST_ID_HEADER] = self.telemetry.correlation_id
        return response
