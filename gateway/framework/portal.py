"""The portal runtime: server-rendered pages (Jinja2, autoescaped) over the same RPCs as the
API. Every POST carries a CSRF token; the session lives in an HttpOnly cookie; a flash
message survives one redirect in a cookie; areas add links to the top bar and tabs to a
customer's page."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.exceptions import HTTPException
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from sbcommon import keys
from sbcommon.errors import NotFound, SwitchboardError, TooManyRequests, Unauthorized, Unavailable
from sbcommon.metrics import ROUTE_KEY

from . import branding, forms
from .context import Ctx
from .i18n import LANGUAGES, Catalogue, pick_language
from .routing import Dispatcher, Route, Router
from .support import audited

if TYPE_CHECKING:
    from ..clients import Backends
    from ..settings import GatewaySettings

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"
SESSION_COOKIE = "sb_session"
CSRF_COOKIE = "sb_csrf"
LANG_COOKIE = "sb_lang"
REMEMBER_COOKIE = "sb_remember"
FLASH_COOKIE = "sb_flash"
# The reseller's own session while it is inside a subscriber's account (direct access):
# leaving brings it back; signing out forgets it.
STAFF_COOKIE = "sb_staff_session"


@dataclass(frozen=True)
class NavItem:
    """A link an area adds to the top bar (``Area.nav``) or to a customer's tabs
    (``Area.tabs``, path relative to /customers/<id>)."""

    path: str
    label: str  # catalogue key
    roles: tuple[str, ...] = ("admin", "reseller", "customer")
    order: int = 50  # position among the links, whatever the order of the areas
    # Pages of the caller's own set-up (company, brand, templates) go in the account menu:
    # the top bar keeps the daily work and fits a laptop screen in French.
    in_menu: bool = False


class CsrfError(SwitchboardError):
    status = 403
    code = "csrf"


class Page:
    """Per-request helper: language, CSRF, rendering, cookies to set."""

    def __init__(self, ctx: Ctx, app: PortalApp):
        self.ctx = ctx
        self.app = app
        self.request = ctx.request
        self.cookies: list[tuple[str, str | None, dict[str, Any]]] = []
        user_lang = ctx.session["user"]["language"] if ctx.session else None
        self.set_language(user_lang or pick_language(self.request.headers.get("Accept-Language"),
                                                     self.request.cookies.get(LANG_COOKIE)))
        self._brand: dict[str, Any] | None | bool = False  # False: not looked up yet
        self._csrf_seed = ctx.token or self.request.cookies.get(CSRF_COOKIE)
        if not self._csrf_seed:
            self._csrf_seed = secrets.token_urlsafe(24)
            self.set_cookie(CSRF_COOKIE, self._csrf_seed, samesite="Strict")

    def set_language(self, language: str) -> None:
        self.lang = language
        self.t = self.app.catalogue.translator(language)

    @property
    def backends(self) -> Backends:
        return self.ctx.backends

    @property
    def actor(self) -> dict[str, Any]:
        return self.ctx.actor

    @property
    def brand(self) -> dict[str, Any] | None:
        """The reseller brand this page wears (None: the platform's), looked up once."""
        if self._brand is False:
            try:
                self._brand = branding.resolve(self.ctx)
            except SwitchboardError:  # accounts away: the page still shows, unbranded
                log.warning("brand lookup failed; showing the platform's look")
                self._brand = None
        return self._brand  # type: ignore[return-value]

    @property
    def support(self) -> dict[str, Any] | None:
        """Who is inside the subscriber's account through direct access (None: nobody)."""
        return self.ctx.session.get("support") if self.ctx.session else None

    @property
    def settings_locked(self) -> bool:
        """The subscriber's reseller locked its settings and the subscriber itself is here
        (its reseller's support is not held by the lock): forms show disabled."""
        session = self.ctx.session
        return bool(session and session.get("customer_locked") and not session.get("support"))

    def use_brand(self, brand: dict[str, Any] | None) -> None:
        self._brand = brand

    # -- CSRF: the token is an HMAC of the session token (or of a pre-session cookie) --------
    def _csrf_for(self, key: keys.Key) -> str:
        return hmac.new(key.derive("csrf"), f"csrf:{self._csrf_seed}".encode(),
                        hashlib.sha256).hexdigest()

    @property
    def csrf_token(self) -> str:
        return self._csrf_for(keys.ring().current)

    def check_csrf(self, upload: bool = False) -> None:
        """The token from a header or the query string, or from a small form body. An
        upload's body is never parsed before its token is checked: an upload must send the
        token in the query string or the ``X-CSRF-Token`` header."""
        sent = (self.request.headers.get("X-CSRF-Token")
                or self.request.args.get("csrf_token") or "")
        if not sent and not upload and self.request.mimetype != "multipart/form-data":
            sent = self.request.form.get("csrf_token", "")
        # Any key of the ring: a page rendered before a key change still posts.
        if not any(hmac.compare_digest(sent, self._csrf_for(k)) for k in keys.ring().keys):
            raise CsrfError("missing or wrong CSRF token")

    # -- responses ----------------------------------------------------------------------
    def set_cookie(self, name: str, value: str | None, **options: Any) -> None:
        self.cookies.append((name, value, options))

    def finish(self, response: Response) -> Response:
        for name, value, options in self.cookies:
            if value is None:
                response.delete_cookie(name, path="/")
                continue
            response.set_cookie(
                name, value, path="/", httponly=True, secure=self.ctx.is_https,
                samesite=options.pop("samesite", "Lax"), **options,
            )
        return response

    def render(self, template: str, status: int = 200, **values: Any) -> Response:
        flash = self._take_flash()
        brand = values.pop("brand", None) or self.brand
        csp = values.pop("csp", None) or branding.csp_for(brand)
        html = self.app.env.get_template(template).render(
            brand=brand, chat_script=branding.chat_script(brand),
            app_name=brand["portal_name"] if brand else self.t("app.name"),
            t=self.t, tn=self.app.catalogue.plural_translator(self.lang), lang=self.lang,
            languages=LANGUAGES, csrf_token=self.csrf_token,
            session=self.ctx.session, user=self.ctx.session["user"] if self.ctx.session else None,
            nav_items=self._visible(self.app.nav), customer_tabs=self._visible(self.app.tabs),
            path=self.request.path, flash=flash, support=self.support,
            settings_locked=self.settings_locked, **values,
        )
        response = Response(html, status=status, mimetype="text/html")
        response.headers["Content-Security-Policy"] = csp
        return self.finish(response)

    def _visible(self, items: list[NavItem]) -> list[NavItem]:
        return [item for item in items if self.ctx.role in item.roles]

    def redirect(self, url: str, flash: str | None = None, **flash_values: Any) -> Response:
        if flash in self.app.flash_keys:
            self.set_cookie(FLASH_COOKIE, encode_flash({"k": flash, "v": flash_values}),
                            max_age=60)
        return self.finish(redirect(url, code=303))

    def _take_flash(self) -> str | None:
        raw = self.request.cookies.get(FLASH_COOKIE)
        if not raw:
            return None
        self.set_cookie(FLASH_COOKIE, None)
        try:
            data = decode_flash(raw)
            if data.get("k") in self.app.flash_keys and isinstance(data.get("v"), dict):
                return self.t(data["k"], **{k: str(v)[:200] for k, v in data["v"].items()})
        except (ValueError, AttributeError, KeyError, IndexError):
            pass  # a mangled or forged flash is dropped, not an error page
        return None


def encode_flash(data: dict[str, Any]) -> str:
    """JSON in base64url: raw JSON needs a quoted cookie value, which clients other than
    browsers (Python's cookiejar, some proxies) unescape wrongly."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_flash(value: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


def safe_next(target: str | None) -> str:
    """A same-site path to go to after sign-in, or "/".

    Browsers drop tabs and newlines from URLs and read a backslash as "/", so a slash, a
    tab, then "/evil.example" would become the off-site "//evil.example": any whitespace,
    control character or backslash disqualifies the target.
    """
    if not target or len(target) > 2000 or not target.startswith("/"):
        return "/"
    if target.startswith("//") or "\\" in target:
        return "/"
    if any(ord(c) <= 32 or ord(c) == 127 for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def login_url(ctx: Ctx, expired: bool) -> str:
    """The sign-in page, bringing the user back to the page asked for (query included)."""
    wanted = ctx.request.full_path.rstrip("?") if ctx.request.method == "GET" else "/"
    params = {"next": wanted}
    if expired:
        params["expired"] = "1"
    return "/login?" + urlencode(params)


class PortalApp:
    def __init__(self, settings: GatewaySettings, router: Router, catalogue: Catalogue,
                 templates: Iterable[Path], nav: Iterable[NavItem] = (),
                 tabs: Iterable[NavItem] = (), flash_keys: Iterable[str] = ()):
        self.settings = settings
        self.dispatcher = Dispatcher(router)
        self.catalogue = catalogue
        self.nav = sorted(nav, key=lambda i: i.order)
        self.tabs = sorted(tabs, key=lambda i: i.order)
        self.flash_keys = frozenset(flash_keys)
        self.env = Environment(
            loader=FileSystemLoader([str(TEMPLATES), *map(str, templates)]),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True, lstrip_blocks=True,
        )

    @property
    def routes(self) -> list[Route]:
        return self.dispatcher.router.routes

    def handle(self, ctx: Ctx) -> Response:
        token = ctx.request.cookies.get(SESSION_COOKIE)
        if token:
            try:
                ctx.session = ctx.backends.accounts.authenticate(token)
                ctx.token = token
            except Unauthorized:
                ctx.session = None
        page = Page(ctx, self)
        try:
            route, args = self.dispatcher.match(ctx.request.path, ctx.request.method)
            ctx.request.environ[ROUTE_KEY] = route.path  # the metrics' route label
        except HTTPException as exc:
            return page.render("error.html", status=exc.code or 404,
                               message=page.t("error.not_found"))
        if route.auth and ctx.session is None:
            return page.redirect(login_url(ctx, expired=bool(token)))
        try:
            if ctx.request.method == "POST":
                page.check_csrf(upload=route.upload)
            if route.roles is not None and ctx.actor["role"] not in route.roles:
                raise NotFound("no such page")
            return audited(ctx, route, args,
                           lambda: forms.run(route.form, page, route.handler, args))
        except CsrfError:
            return page.render("error.html", status=403, message=page.t("error.csrf"))
        except NotFound:
            return page.render("error.html", status=404, message=page.t("error.not_found"))
        except TooManyRequests:
            return page.render("error.html", status=429, message=page.t("error.rate"))
        except Unauthorized:
            page.set_cookie(SESSION_COOKIE, None)
            return page.redirect("/login?expired=1")
        except SwitchboardError as exc:
            response = page.render("error.html", status=exc.status, message=exc.message)
            if isinstance(exc, Unavailable):
                response.headers["Retry-After"] = str(exc.details.get("retry_after", 5))
            return response
        except Exception:
            log.exception("portal error on %s %s", ctx.request.method, ctx.request.path)
            return page.render("error.html", status=500, message=page.t("error.internal"))
