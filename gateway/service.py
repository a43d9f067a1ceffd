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
from nameko.web.server import WebServer, WsgiApp
from werkzeug.wrappers import Request, Response

from sbcommon.config import env_int, platform_services

from .app import GatewayApp
from .settings import GatewaySettings
from .web import Backends, TimedProxy

APP = GatewayApp(GatewaySettings.from_env())
RPC_TIMEOUT = env_int("SB_RPC_TIMEOUT_SECONDS", 10)
SERVICES = platform_services()


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
        (rule,) = self.url_map.iter_rules()
        request = Request(environ, shallow=True)
        request.path_values = {}
        return rule.endpoint.handle_request(request)(environ, start_response)


class GatewayWebServer(WebServer):
    def get_wsgi_app(self) -> WsgiApp:
        return EveryRequest(self)


class GatewayHttp(HttpRequestHandler):
    server = GatewayWebServer()

    def __init__(self, **kwargs: Any):
        super().__init__("GET", "/", **kwargs)  # the rule only names the entrypoint


class GatewayService:
    name = "gateway"

    def _backends(self) -> Backends:
        return Backends(**{
            name: TimedProxy(getattr(self, name), name, RPC_TIMEOUT) for name in SERVICES
        })

    @GatewayHttp.decorator
    def everything(self, request: Request) -> Response:
        return APP.handle(request, self._backends())


# One RPC proxy per service the platform has (services/<name>/service.py); nameko collects
# dependency providers from the class attributes when a container is built.
for _name in SERVICES:
    setattr(GatewayService, _name, RpcProxy(_name))
