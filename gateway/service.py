"""The HTTP gateway: one nameko http entrypoint in front of ``GatewayApp``.

It owns no data: every request becomes RPC calls to the services, which enforce tenant
scope themselves.
"""

from __future__ import annotations

from typing import Any

from nameko.rpc import RpcProxy
from nameko.web.handlers import http
from werkzeug.wrappers import Request, Response

from sbcommon.config import env_int

from .app import GatewayApp
from .settings import GatewaySettings
from .web import Backends, TimedProxy

METHODS = "GET,POST,PATCH,DELETE,PUT"
APP = GatewayApp(GatewaySettings.from_env())
RPC_TIMEOUT = env_int("SB_RPC_TIMEOUT_SECONDS", 10)


class GatewayService:
    name = "gateway"

    accounts = RpcProxy("accounts")

    def _backends(self) -> Backends:
        return Backends(accounts=TimedProxy(self.accounts, "accounts", RPC_TIMEOUT))

    @http(METHODS, "/")
    def root(self, request: Request) -> Response:
        return APP.handle(request, self._backends())

    @http(METHODS, "/<path:path>")
    def everything(self, request: Request, path: str) -> Any:
        return APP.handle(request, self._backends())
