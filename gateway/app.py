"""The gateway's request handling, independent of nameko: routes a werkzeug Request to the
JSON API, the PBX's door, the portal, static files or the health check."""

from __future__ import annotations

import ipaddress
import mimetypes
import time
from pathlib import Path

from eventlet.semaphore import Semaphore
from werkzeug.wrappers import Request, Response

from sbcommon.errors import Unavailable

from . import registry
from .clients import Backends
from .framework.api import ApiApp
from .framework.bodies import BodyPolicy
from .framework.context import Ctx
from .framework.health import ask_all
from .framework.http import bearer_token, error_response, json_response, secure_headers
from .framework.portal import PortalApp
from .settings import GatewaySettings

STATIC_DIR = Path(__file__).parent / "framework" / "static"
PUBLIC_API = "/api/v1/public/"


class GatewayApp:
    def __init__(self, settings: GatewaySettings):
        self.settings = settings
        self._health_lock = Semaphore(1)
        self._health_cache: tuple[float, dict[str, dict]] = (-1e9, {})
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

    def body_policy(self, method: str, path: str) -> BodyPolicy:
        """How large a body the route of ``method path`` accepts, and whether it streams."""
        if path.startswith("/api/"):
            route = self.api.dispatcher.find(path, method)
        elif path.startswith("/pbx/"):
            route = self.pbx.dispatcher.find(path, method)
        elif path == "/health" or path.startswith("/static/"):
            route = None
        else:
            route = self.portal.dispatcher.find(path, method)
        if route is None or not (route.auth or route.token):
            return BodyPolicy(self.settings.anonymous_max_body)
        if route.upload:
            return BodyPolicy(self.settings.import_max_bytes, stream=True)
        return BodyPolicy(self.settings.max_body)

    def handle(self, request: Request, backends: Backends) -> Response:
        try:
            return self.route(request, backends)
        except Unavailable as exc:  # e.g. the portal's session check with accounts away
            return secure_headers(error_response(exc), request.scheme == "https", html=False)

    def route(self, request: Request, backends: Backends) -> Response:
        path = request.path
        ctx = Ctx(request=request, backends=backends, settings=self.settings)
        if path.startswith(PUBLIC_API):
            return secure_headers(self.public_api(ctx), ctx.is_https, html=False)
        if path.startswith("/api/"):
            return secure_headers(self.api.handle(ctx), ctx.is_https, html=False)
        if path.startswith("/pbx/"):
            return secure_headers(self.pbx.handle(ctx), ctx.is_https, html=False)
        if path == "/health":
            return secure_headers(self.health(ctx), ctx.is_https, html=False)
        if path.startswith("/static/"):
            return secure_headers(self.static(path), ctx.is_https, html=False)
        return secure_headers(self.portal.handle(ctx), ctx.is_https, html=True)

    def public_api(self, ctx: Ctx) -> Response:
        """Routes resellers' own websites call from their visitors' browsers (sign-up):
        any origin may call them, without credentials (no cookie, no token is read)."""
        if ctx.request.method == "OPTIONS":
            response = Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Idempotency-Key"
            response.headers["Access-Control-Max-Age"] = "600"
        else:
            response = self.api.handle(ctx)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    def health(self, ctx: Ctx) -> Response:
        """Public: only "ok" or not (200/503), from a snapshot at most
        ``SB_HEALTH_CACHE_SECONDS`` old, so probing it does not fan out to every service.
        Each service's state (names, dead letters, …) only to a system administrator's token
        or from an address in ``SB_HEALTH_DETAIL_NETWORKS``."""
        detailed = self._may_see_health_detail(ctx)
        services = ask_all(ctx.backends) if detailed else self._snapshot(ctx.backends)
        ok = all(s.get("status") == "ok" for s in services.values())
        status = 200 if ok else 503
        if not detailed:
            return json_response({"status": "ok" if ok else "unavailable"}, status)
        return json_response({"status": "ok" if ok else "degraded", "services": services},
                             status)

    def _may_see_health_detail(self, ctx: Ctx) -> bool:
        if address_in(ctx.client_ip, self.settings.health_detail_networks):
            return True
        if not ctx.request.headers.get("Authorization"):
            return False
        try:
            session = ctx.backends.accounts.authenticate(bearer_token(ctx.request, ""))
        except Exception:  # a bad token or accounts away: the public answer
            return False
        return session.get("user", {}).get("role") == "admin"

    def _snapshot(self, backends: Backends) -> dict[str, dict]:
        with self._health_lock:  # one fan-out at a time; the others take its answer
            taken, services = self._health_cache
            if time.monotonic() - taken > self.settings.health_cache_seconds:
                services = ask_all(backends)
                self._health_cache = (time.monotonic(), services)
            return services

    def static(self, path: str) -> Response:
        name = path[len("/static/"):]
        target = (STATIC_DIR / name).resolve()
        if not target.is_file() or STATIC_DIR.resolve() not in target.parents:
            return Response("not found", status=404, mimetype="text/plain")
        mimetype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        resp = Response(target.read_bytes(), mimetype=mimetype)
        resp.headers["Cache-Control"] = "public, max-age=3600"
        return resp


def address_in(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)
