"""The HTTP gateway: one nameko http entrypoint in front of ``GatewayApp``.

It owns no data: every request becomes RPC calls to the services, which enforce tenant
scope themselves.
"""

from __future__ import annotations

from typing import Any

from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from werkzeug.wrappers import Request, Response

from sbcommon.idempotency import Caller

from .app import GatewayApp
from .clients import SERVICES, Backends
from .framework.rpc import TimedProxy
from .settings import GatewaySettings

METHODS = "GET,POST,PATCH,DELETE,PUT"
SETTINGS = GatewaySettings()
APP = GatewayApp(SETTINGS)


class GatewayService:
    name = "gateway"
    # Each request's RPCs carry its idempotency key and the time the gateway stops waiting.
    caller = Caller()

    # One RPC proxy per service the gateway calls (gateway.clients.SERVICES; a test checks
    # the two lists agree).
    accounts = RpcProxy("accounts")
    numbering = RpcProxy("numbering")
    routing_policy = RpcProxy("routing_policy")
    provisioning = RpcProxy("provisioning")
    notifications = RpcProxy("notifications")

    def _backends(self) -> Backends:
        seconds = SETTINGS.rpc_timeout_seconds
        return Backends(stamp=self.caller, **{
            name: TimedProxy(getattr(self, name), name, seconds, self.caller)
            for name in SERVICES})

    @http(METHODS, "/")
    def root(self, request: Request) -> Response:
        return APP.handle(request, self._backends())

    @http(METHODS, "/<path:path>")
    def everything(self, request: Request, path: str) -> Any:
        return APP.handle(request, self._backends())
