"""The reseller portal: server-rendered pages (Jinja2, autoescaped) over the same RPCs as the
API. Every POST carries a CSRF token; the session lives in an HttpOnly cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from sbcommon.contracts.accounts import CustomerCreate, CustomerQuery, CustomerUpdate
from sbcommon.errors import (
    Invalid,
    NotFound,
    SwitchboardError,
    TooManyRequests,
    Unauthorized,
    Unavailable,
    invalid_from_pydantic,
)

from ..routing import Dispatcher, Router
from ..settings import GatewaySettings
from ..web import Ctx
from .i18n import LANGUAGES, pick_language, plural_translator, translator

log = logging.getLogger(__name__)

portal = Router()

SESSION_COOKIE = "sb_session"
CSRF_COOKIE = "sb_csrf"
LANG_COOKIE = "sb_lang"
REMEMBER_COOKIE = "sb_remember"
FLASH_COOKIE = "sb_flash"
FLASH_KEYS = {"new.created", "detail.saved", "detail.closed", "detail.status_changed",
              "detail.reopened", "settings.changed", "settings.language_saved"}


@dataclass(frozen=True)
class NavItem:
    """A link an area adds to the top bar (``NAV``) or to a customer's tabs
    (``CUSTOMER_TABS``, path relative to /customers/<id>)."""

    path: str
    label: str  # catalogue key
    roles: tuple[str, ...] = ("admin", "reseller", "customer")
    order: int = 50  # position among the links, whatever order the areas are imported in


NAV: list[NavItem] = []
CUSTOMER_TABS: list[NavItem] = [NavItem("", "tab.account", order=0)]


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
        self.lang = user_lang or pick_language(self.request.headers.get("Accept-Language"),
                                               self.request.cookies.get(LANG_COOKIE))
        self.t = translator(self.lang)
        self._csrf_seed = ctx.token or self.request.cookies.get(CSRF_COOKIE)
        if not self._csrf_seed:
            self._csrf_seed = secrets.token_urlsafe(24)
            self.set_cookie(CSRF_COOKIE, self._csrf_seed, samesite="Strict")

    # -- CSRF: the token is an HMAC of the session token (or of a pre-session cookie) --------
    @property
    def csrf_token(self) -> str:
        return hmac.new(self.ctx.settings.secret_key, f"csrf:{self._csrf_seed}".encode(),
                        hashlib.sha256).hexdigest()

    def check_csrf(self) -> None:
        sent = self.request.form.get("csrf_token", "")
        if not hmac.compare_digest(sent, self.csrf_token):
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
        html = self.app.env.get_template(template).render(
            t=self.t, tn=plural_translator(self.lang), lang=self.lang, languages=LANGUAGES,
            csrf_token=self.csrf_token,
            session=self.ctx.session, user=self.ctx.session["user"] if self.ctx.session else None,
            nav_items=self._visible(NAV), customer_tabs=self._visible(CUSTOMER_TABS),
            path=self.request.path, flash=flash, **values,
        )
        return self.finish(Response(html, status=status, mimetype="text/html"))

    def _visible(self, items: list[NavItem]) -> list[NavItem]:
        role = self.ctx.session["user"]["role"] if self.ctx.session else None
        return sorted((item for item in items if role in item.roles), key=lambda i: i.order)

    def redirect(self, url: str, flash: str | None = None, **flash_values: Any) -> Response:
        if flash in FLASH_KEYS:
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
            if data.get("k") in FLASH_KEYS and isinstance(data.get("v"), dict):
                return self.t(data["k"], **{k: str(v)[:200] for k, v in data["v"].items()})
        except (ValueError, AttributeError, KeyError, IndexError):
            pass  # a mangled or forged flash is dropped, not an error page
        return None

    @property
    def accounts(self) -> Any:
        return self.ctx.backends.accounts


def encode_flash(data: dict[str, Any]) -> str:
    """JSON in base64url: raw JSON needs a quoted cookie value, which clients other than
    browsers (Python's cookiejar, some proxies) unescape wrongly."""
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_flash(value: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


def field_errors(error: SwitchboardError) -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(error.details, list):
        for item in error.details:
            if isinstance(item, dict) and item.get("field"):
                out[str(item["field"]).split(".")[-1]] = str(item.get("message", ""))
    return out


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
    def __init__(self, settings: GatewaySettings):
        self.settings = settings
        self.dispatcher = Dispatcher(portal)
        self.env = Environment(
            loader=PackageLoader("gateway.portal", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True, lstrip_blocks=True,
        )

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
        except HTTPException as exc:
            return page.render("error.html", status=exc.code or 404,
                               message=page.t("error.not_found"))
        if route.auth and ctx.session is None:
            return page.redirect(login_url(ctx, expired=bool(token)))
        try:
            if ctx.request.method == "POST":
                page.check_csrf()
            return route.handler(page, **args)
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


# -- sign-in ------------------------------------------------------------------------------
@portal.route("GET", "/login", auth=False)
def login_form(page: Page) -> Response:
    lang = page.request.args.get("lang")
    if lang in LANGUAGES:
        page.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400)
        page.lang, page.t = lang, translator(lang)
    if page.ctx.session:
        return page.redirect("/")
    notice = None
    if page.request.args.get("expired"):
        notice = page.t("login.expired")
    elif page.request.args.get("bye"):
        notice = page.t("login.signed_out")
    elif page.request.args.get("reset"):
        notice = page.t("login.reset_done")
    remembered = page.request.cookies.get(REMEMBER_COOKIE, "")[:254]
    return page.render("login.html", notice=notice, identifier=remembered,
                       remember=bool(remembered), next=safe_next(page.request.args.get("next")))


@portal.route("POST", "/login", auth=False)
def login_submit(page: Page) -> Response:
    form = page.request.form
    identifier = form.get("identifier", "").strip()[:254]
    remember = form.get("remember") == "on"
    try:
        result = page.accounts.login(
            {"identifier": identifier, "password": form.get("password", "")[:128]},
            page.ctx.client_ip)
    except (Unauthorized, Invalid):
        return page.render("login.html", status=401, error=page.t("login.failed"),
                           identifier=identifier, remember=remember,
                           next=safe_next(form.get("next")))
    except TooManyRequests:
        return page.render("login.html", status=429, error=page.t("error.rate"),
                           identifier=identifier, remember=remember,
                           next=safe_next(form.get("next")))
    page.set_cookie(SESSION_COOKIE, result["token"])
    page.set_cookie(CSRF_COOKIE, None)
    if remember:
        page.set_cookie(REMEMBER_COOKIE, identifier, max_age=365 * 86400)
    else:
        page.set_cookie(REMEMBER_COOKIE, None)
    return page.redirect(safe_next(form.get("next")))


@portal.route("POST", "/logout", auth=False)
def logout(page: Page) -> Response:
    if page.ctx.token:
        page.accounts.logout(page.ctx.token)
    page.set_cookie(SESSION_COOKIE, None)
    return page.redirect("/login?bye=1")


@portal.route("GET", "/forgot", auth=False)
def forgot_form(page: Page) -> Response:
    return page.render("forgot.html", sent=False)


@portal.route("POST", "/forgot", auth=False)
def forgot_submit(page: Page) -> Response:
    identifier = page.request.form.get("identifier", "").strip()[:254]
    if identifier:
        page.accounts.request_password_reset({"identifier": identifier})
    return page.render("forgot.html", sent=True)


@portal.route("GET", "/reset", auth=False)
def reset_form(page: Page) -> Response:
    return page.render("reset.html", token=page.request.args.get("token", "")[:200], errors={})


@portal.route("POST", "/reset", auth=False)
def reset_submit(page: Page) -> Response:
    form = page.request.form
    token = form.get("token", "")[:200]
    if form.get("new_password", "") != form.get("confirm_password", ""):
        return page.render("reset.html", status=422, token=token,
                           errors={"confirm_password": page.t("reset.mismatch")})
    try:
        page.accounts.reset_password({"token": token, "new_password": form.get("new_password")})
    except Invalid as exc:
        return page.render("reset.html", status=422, token=token, errors=field_errors(exc),
                           error=exc.message)
    return page.redirect("/login?reset=1")


# -- home -------------------------------------------------------------------------------
@portal.route("GET", "/")
def home(page: Page) -> Response:
    actor = page.ctx.actor
    if actor["role"] == "customer":
        customer = page.accounts.get_customer(actor, actor["customer_id"])
        return page.render("home.html", counts=None, customer=customer)
    counts = page.accounts.customer_counts(actor)
    return page.render("home.html", counts=counts, customer=None)


# -- customers --------------------------------------------------------------------------
def _reseller_only(page: Page) -> None:
    if page.ctx.actor["role"] == "customer":
        raise NotFound("no such page")


@portal.route("GET", "/customers")
def customers(page: Page) -> Response:
    _reseller_only(page)
    args = page.request.args
    raw = {k: args.get(k) for k in ("status", "q", "sort", "order", "page") if args.get(k)}
    raw["kind"] = args.get("tab") if args.get("tab") in ("company", "professional") else "company"
    raw["per_page"] = 20
    try:
        query = CustomerQuery.model_validate(raw)
    except ValidationError:
        query = CustomerQuery(kind=raw["kind"], per_page=20)
    result = page.accounts.list_customers(page.ctx.actor, query.model_dump())
    base = {k: v for k, v in query.model_dump().items()
            if v not in (None, "") and k not in ("page", "per_page", "kind")}
    base["tab"] = query.kind

    def link(**changes: Any) -> str:
        return "/customers?" + urlencode({**base, **changes})

    return page.render("customers.html", result=result, query=query, link=link)


def _new_form_values(form: Any) -> dict[str, Any]:
    keys = ("kind", "name", "email", "identifier", "phone", "contact_name", "language",
            "country")
    values = {k: form.get(k, "").strip()[:300] for k in keys}
    return {k: v for k, v in values.items() if v != ""}


@portal.route("GET", "/customers/new")
def new_customer(page: Page) -> Response:
    _reseller_only(page)
    kind = page.request.args.get("kind")
    kind = kind if kind in ("company", "professional") else "company"
    return page.render("customer_new.html", step=1, values={"kind": kind, "language": page.lang},
                       errors={})


@portal.route("POST", "/customers/new")
def new_customer_step(page: Page) -> Response:
    """Step 1 → 2: validate the details, then ask trial or production (F21)."""
    _reseller_only(page)
    values = _new_form_values(page.request.form)
    try:
        CustomerCreate.model_validate({**values, "start": "trial"})
    except ValidationError as exc:
        errors = field_errors(invalid_from_pydantic(exc))
        return page.render("customer_new.html", status=422, step=1, values=values,
                           errors=errors, error=page.t("error.form"))
    return page.render("customer_new.html", step=2, values=values, errors={})


@portal.route("POST", "/customers/new/confirm")
def new_customer_create(page: Page) -> Response:
    _reseller_only(page)
    values = _new_form_values(page.request.form)
    if page.request.form.get("back"):
        return page.render("customer_new.html", step=1, values=values, errors={})
    payload = {**values, "start": page.request.form.get("start", "")}
    try:
        created = page.accounts.create_customer(
            page.ctx.actor, CustomerCreate.model_validate(payload).model_dump(mode="json"))
    except ValidationError as exc:
        errors = field_errors(invalid_from_pydantic(exc))
        step = 2 if set(errors) == {"start"} else 1
        return page.render("customer_new.html", status=422, step=step, values=values,
                           errors=errors, error=page.t("error.form"))
    except (Invalid, SwitchboardError) as exc:
        if exc.status not in (409, 422):
            raise
        return page.render("customer_new.html", status=exc.status, step=1, values=values,
                           errors=field_errors(exc), error=exc.message)
    return page.redirect(f"/customers/{created['id']}", flash="new.created",
                         name=created["name"])


@portal.route("GET", "/customers/{customer_id}")
def customer_detail(page: Page, customer_id: str) -> Response:
    customer = page.accounts.get_customer(page.ctx.actor, customer_id)
    return page.render("customer.html", customer=customer, values=customer, errors={})


@portal.route("POST", "/customers/{customer_id}")
def customer_update(page: Page, customer_id: str) -> Response:
    customer = page.accounts.get_customer(page.ctx.actor, customer_id)
    form = page.request.form
    values = {k: form.get(k, "").strip()[:300]
              for k in ("name", "email", "phone", "contact_name", "language", "country")}
    patch = {k: (v or None) for k, v in values.items()}
    try:
        CustomerUpdate.model_validate(patch)
        page.accounts.update_customer(page.ctx.actor, customer_id, patch)
    except ValidationError as exc:
        return page.render("customer.html", status=422, customer=customer, values=values,
                           errors=field_errors(invalid_from_pydantic(exc)),
                           error=page.t("error.form"))
    except SwitchboardError as exc:
        if exc.status not in (409, 422):
            raise
        return page.render("customer.html", status=exc.status, customer=customer,
                           values=values, errors=field_errors(exc), error=exc.message)
    return page.redirect(f"/customers/{customer_id}", flash="detail.saved")


@portal.route("POST", "/customers/{customer_id}/status")
def customer_status(page: Page, customer_id: str) -> Response:
    _reseller_only(page)
    status = page.request.form.get("status", "")
    try:
        page.accounts.update_customer(page.ctx.actor, customer_id, {"status": status})
    except SwitchboardError as exc:
        if exc.status not in (409, 422):
            raise
        customer = page.accounts.get_customer(page.ctx.actor, customer_id)
        return page.render("customer.html", status=exc.status, customer=customer,
                           values=customer, errors={}, error=exc.message)
    return page.redirect(f"/customers/{customer_id}", flash="detail.status_changed")


@portal.route("POST", "/customers/{customer_id}/close")
def customer_close(page: Page, customer_id: str) -> Response:
    _reseller_only(page)
    customer = page.accounts.get_customer(page.ctx.actor, customer_id)
    if page.request.form.get("confirm", "").strip().lower() != customer["identifier"]:
        return page.render("customer.html", status=422, customer=customer, values=customer,
                           errors={"confirm": page.t("detail.close_confirm")},
                           error=page.t("error.form"))
    page.accounts.close_customer(page.ctx.actor, customer_id)
    return page.redirect(f"/customers/{customer_id}", flash="detail.closed")


@portal.route("POST", "/customers/{customer_id}/reopen")
def customer_reopen(page: Page, customer_id: str) -> Response:
    """F34: only the system administrator brings a closed account back."""
    page.accounts.reopen_customer(page.ctx.actor, customer_id)
    return page.redirect(f"/customers/{customer_id}", flash="detail.reopened")


# -- settings ---------------------------------------------------------------------------
@portal.route("GET", "/settings")
def settings(page: Page) -> Response:
    return page.render("settings.html", errors={})


@portal.route("POST", "/settings/password")
def settings_password(page: Page) -> Response:
    form = page.request.form
    if form.get("new_password", "") != form.get("confirm_password", ""):
        return page.render("settings.html", status=422,
                           errors={"confirm_password": page.t("reset.mismatch")})
    try:
        page.accounts.change_password(page.ctx.token, {
            "current_password": form.get("current_password", "")[:128],
            "new_password": form.get("new_password", "")[:200],
        })
    except Invalid as exc:
        errors = field_errors(exc)
        # The service words its errors in English; the ones a user can cause are translated.
        if "current_password" in errors:
            errors["current_password"] = page.t("settings.wrong_current")
        if "new_password" in errors:
            errors["new_password"] = page.t("settings.weak_new")
        return page.render("settings.html", status=422, errors=errors,
                           error=page.t("error.form"))
    return page.redirect("/settings", flash="settings.changed")


@portal.route("POST", "/settings/language")
def settings_language(page: Page) -> Response:
    language = page.request.form.get("language", "")
    page.accounts.set_preferences(page.ctx.actor, {"language": language})
    page.set_cookie(LANG_COOKIE, language, max_age=365 * 86400)
    return page.redirect("/settings", flash="settings.language_saved")
