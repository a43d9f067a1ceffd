"""The HTTP gateway: one nameko http entrypoint in front of ``GatewayApp``.

It owns no data: every request becomes RPC calls to the services, which enforce tenant
scope themselves.
"""

from __future__ import annotations

from typing import Any

from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from werkzeug.wrappers import Request, Response

from sbcommon.config import env_int, platform_services
from sbcommon.idempotency import Caller

from .app import GatewayApp
from .settings import GatewaySettings
from .web import Backends, TimedProxy

METHODS = "GET,POST,PATCH,DELETE,PUT"
APP = GatewayApp(GatewaySettings.from_env())
RPC_TIMEOUT = env_int("SB_RPC_TIMEOUT_SECONDS", 10)
SERVICES = platform_services()


class GatewayService:
    name = "gateway"
    # Each request's RPCs carry its idempotency key and the time the gateway stops waiting.
    caller = Caller()

    def _backends(self) -> Backends:
        return Backends(stamp=self.caller, **{
            name: TimedProxy(getattr(self, name), name, RPC_TIMEOUT, self.caller)
            for name in SERVICES
        })

    @http(METHODS, "/")
    def root(self, request: Request) -> Response:
        return APP.handle(request, self._backends())

    @http(METHODS, "/<path:path>")
    def everything(self, request: Request, path: str) -> Any:
        return APP.handle(request, self._backends())


# One RPC proxy per service the platform has (services/<name>/service.py); nameko collects
# dependency providers from the class attributes when a container is built.
for _name in SERVICES:
    setattr(GatewayService, _name, RpcProxy(_name))
