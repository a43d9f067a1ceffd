"""The HTTP gateway: one nameko http entrypoint in front of ``GatewayApp``.

It owns no data: every request becomes RPC calls to the services, which enforce tenant
scope themselves.
"""

from __future__ import annotations

from typing import Any

from eventlet import wsgi
from nameko.rpc import RpcProxy
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer, WsgiApp
from werkzeug.wrappers import Request, Response

from sbcommon.config import env_int, platform_services

from .app import GatewayApp
from .settings import GatewaySettings
from .web import MAX_URI_BYTES, Backends, TimedProxy

APP = GatewayApp(GatewaySettings.from_env())
RPC_TIMEOUT = env_int("SB_RPC_TIMEOUT_SECONDS", 10)
SERVICES = platform_services()
# eventlet answers a longer request line itself with a bare 414; up to this length the
# gateway reads it and answers its own 414 (JSON on the API) above MAX_URI_BYTES.
REQUEST_LINE_LIMIT = 8 * MAX_URI_BYTES


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

    def get_wsgi_server(self, sock: Any, wsgi_app: Any, protocol: Any = HttpOnlyProtocol,
                        debug: bool = False) -> wsgi.Server:
        server = super().get_wsgi_server(sock, wsgi_app, protocol, debug)
        server.url_length_limit = REQUEST_LINE_LIMIT
        return server


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
