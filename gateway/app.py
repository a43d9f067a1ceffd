"""The gateway's request handling, independent of nameko: routes a werkzeug Request to the
JSON API, the PBX's door, the portal, static files or the health check."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from werkzeug.wrappers import Request, Response

from sbcommon.errors import Unavailable

from . import registry
from .clients import Backends
from .framework.api import ApiApp
from .framework.context import Ctx
from .framework.health import ask_all
from .framework.http import error_response, json_response, secure_headers
from .framework.portal import PortalApp
from .settings import GatewaySettings

STATIC_DIR = Path(__file__).parent / "framework" / "static"


class GatewayApp:
    def __init__(self, settings: GatewaySettings):
        self.settings = settings
        self.api = ApiApp(registry.API,
                          bearer_hint="<token> (from POST /api/v1/auth/login)")
        self.pbx = ApiApp(registry.PBX, bearer_hint="<PBX token>")
        areas = registry.AREAS
        self.portal = PortalApp(
            settings, registry.PORTAL, registry.CATALOGUE,
            templates=[a.templates for a in areas if a.templates.is_dir()],
            nav=[n for a in areas for n in a.nav], tabs=[t for a in areas for t in a.tabs],
            flash_keys=registry.FLASH_KEYS,
        )

    def handle(self, request: Request, backends: Backends) -> Response:
        try:
            return self.route(request, backends)
        except Unavailable as exc:  # e.g. the portal's session check with accounts away
            return secure_headers(error_response(exc), request.scheme == "https", html=False)

    def route(self, request: Request, backends: Backends) -> Response:
        path = request.path
        ctx = Ctx(request=request, backends=backends, settings=self.settings)
        if path.startswith("/api/"):
            return secure_headers(self.api.handle(ctx), ctx.is_https, html=False)
        if path.startswith("/pbx/"):
            return secure_headers(self.pbx.handle(ctx), ctx.is_https, html=False)
        if path == "/health":
            return secure_headers(self.health(backends), ctx.is_https, html=False)
        if path.startswith("/static/"):
            return secure_headers(self.static(path), ctx.is_https, html=False)
        return secure_headers(self.portal.handle(ctx), ctx.is_https, html=True)

    def health(self, backends: Backends) -> Response:
        services = ask_all(backends)
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
