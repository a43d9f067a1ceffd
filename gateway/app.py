"""The gateway's request handling, independent of nameko: routes a werkzeug Request to the
JSON API, the portal, static files or the health check, and maps errors to responses."""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

import eventlet
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request, Response

from sbcommon.errors import BadRequest, SwitchboardError, Unauthorized

from . import openapi, routes  # noqa: F401  (routes: registers every area's routes)
from .api import api, bearer_token, call
from .portal.views import PortalApp
from .routes.call_restrictions import pbx
from .routing import Dispatcher
from .settings import GatewaySettings
from .web import Backends, Ctx, error_response, has_nul, json_response, secure_headers

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "portal" / "static"
HEALTH_TIMEOUT = 2.0  # a health check must answer fast, above all when a service is down


@api.route("GET", "/openapi.json", auth=False, summary="This document")
def openapi_document(ctx: Ctx) -> Response:
    return json_response(openapi.document())


class GatewayApp:
    def __init__(self, settings: GatewaySettings):
        self.settings = settings
        self.api = Dispatcher(api)
        self.pbx = Dispatcher(pbx)  # /pbx/v1: the PBX's door, authenticated by PBX tokens
        self.portal = PortalApp(settings)

    def handle(self, request: Request, backends: Backends) -> Response:
        path = request.path
        ctx = Ctx(request=request, backends=backends, settings=self.settings)
        if path.startswith("/api/"):
            response = self.handle_api(ctx)
            return secure_headers(response, ctx.is_https, html=False)
        if path.startswith("/pbx/"):
            return secure_headers(self.handle_api(ctx, self.pbx), ctx.is_https, html=False)
        if path == "/health":
            return secure_headers(self.health(backends), ctx.is_https, html=False)
        if path.startswith("/static/"):
            return secure_headers(self.static(path), ctx.is_https, html=False)
        return secure_headers(self.portal.handle(ctx), ctx.is_https, html=True)

    def handle_api(self, ctx: Ctx, dispatcher: Dispatcher | None = None) -> Response:
        try:
            try:
                route, ctx.args = (dispatcher or self.api).match(ctx.request.path,
                                                                 ctx.request.method)
            except HTTPException as exc:
                code = "not_found" if exc.code == 404 else "method_not_allowed"
                text = ("no such API route" if exc.code == 404
                        else f"{ctx.request.method} is not allowed on {ctx.request.path}")
                return json_response({"error": code, "message": text}, exc.code or 404)
            if has_nul(ctx.args):
                raise BadRequest("the path contains a NUL character (%00)")
            if route.auth:
                ctx.token = bearer_token(ctx)
                ctx.session = ctx.backends.accounts.authenticate(ctx.token)
            return call(ctx, route)
        except SwitchboardError as exc:
            return error_response(exc)
        except Exception:
            log.exception("unexpected error on %s %s", ctx.request.method, ctx.request.path)
            return json_response({"error": "internal_error",
                                  "message": "something went wrong on our side"}, 500)

    def health(self, backends: Backends) -> Response:
        services = {}
        for name in backends.names():
            try:
                with eventlet.Timeout(HEALTH_TIMEOUT):
                    services[name] = getattr(backends, name).health()
            except (Exception, eventlet.Timeout) as exc:  # a down service is what it reports
                services[name] = {"status": "down", "error": type(exc).__name__}
        ok = all(s.get("status") == "ok" for s in services.values())
        return json_response({"status": "ok" if ok else "degraded", "services": services},
                             200 if ok else 503)

    def static(self, path: str) -> Response:
        name = path[len("/static/"):]
        target = (STATIC_DIR / name).resolve()
        if not target.is_file() or STATIC_DIR.resolve() not in target.parents:
            return Response("not found", status=404, mimetype="text/plain")
        mimetype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        resp = Response(target.read_bytes(), mimetype=mimetype)
        resp.headers["Cache-Control"] = "public, max-age=3600"
        return resp


__all__ = ["GatewayApp", "Unauthorized"]
