"""Portal pages of accounts: sign-in, password reset, home, customer accounts, settings."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from werkzeug.wrappers import Response

from sbcommon.contracts.accounts import CustomerCreate, CustomerQuery, CustomerUpdate

from ...framework.forms import FieldError, Form
from ...framework.i18n import LANGUAGES
from ...framework.portal import (
    CSRF_COOKIE,
    LANG_COOKIE,
    REMEMBER_COOKIE,
    SESSION_COOKIE,
    Page,
    safe_next,
)
from ...framework.routing import STAFF, Router
from ..resellers import home as home_pages

pages = Router()

NEW_FIELDS = ("kind", "name", "email", "identifier", "phone", "contact_name", "language",
              "country")
DETAIL_FIELDS = ("name", "email", "phone", "contact_name", "language", "country")


# -- sign-in ------------------------------------------------------------------------------
@pages.route("GET", "/login", auth=False)
def login_form(page: Page, status: int = 200, values: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, error: str | None = None) -> Response:
    lang = page.request.args.get("lang")
    if lang in LANGUAGES:
        page.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400)
        page.set_language(lang)
    if page.ctx.session and values is None:
        return page.redirect("/")
    notice = None
    if page.request.args.get("expired"):
        notice = page.t("login.expired")
    elif page.request.args.get("bye"):
        notice = page.t("login.signed_out")
    elif page.request.args.get("reset"):
        notice = page.t("login.reset_done")
    remembered = page.request.cookies.get(REMEMBER_COOKIE, "")[:254]
    if values is not None:  # a failed attempt: keep what was typed
        remembered = values["identifier"]
    remember = page.request.form.get("remember") == "on" if values else bool(remembered)
    target = page.request.form.get("next") if values else page.request.args.get("next")
    return page.render("login.html", status=status, notice=notice, identifier=remembered,
                       remember=remember, next=safe_next(target), error=error)


def _login_failed(page: Page, status: int, values: dict[str, str] | None = None,
                  errors: dict[str, str] | None = None, error: str | None = None
                  ) -> Response:
    # Whatever the reason, the page says only that the sign-in failed (or to wait).
    text = page.t("error.rate") if status == 429 else page.t("login.failed")
    return login_form(page, status=401 if status == 422 else status, values=values,
                      error=text)


@pages.route("POST", "/login", auth=False,
             form=Form(_login_failed, fields=("identifier",), max_length=254,
                       on=(401, 422, 429)))
def login_submit(page: Page, values: dict[str, str]) -> Response:
    form = page.request.form
    result = page.backends.accounts.login(
        {"identifier": values["identifier"], "password": form.get("password", "")[:128]},
        page.ctx.client_ip)
    page.set_cookie(SESSION_COOKIE, result["token"])
    page.set_cookie(CSRF_COOKIE, None)
    if form.get("remember") == "on":
        page.set_cookie(REMEMBER_COOKIE, values["identifier"], max_age=365 * 86400)
    else:
        page.set_cookie(REMEMBER_COOKIE, None)
    return page.redirect(safe_next(form.get("next")))


@pages.route("POST", "/logout", auth=False)
def logout(page: Page) -> Response:
    if page.ctx.token:
        page.backends.accounts.logout(page.ctx.token)
    page.set_cookie(SESSION_COOKIE, None)
    return page.redirect("/login?bye=1")


@pages.route("GET", "/forgot", auth=False)
def forgot_form(page: Page) -> Response:
    return page.render("forgot.html", sent=False)


@pages.route("POST", "/forgot", auth=False)
def forgot_submit(page: Page) -> Response:
    identifier = page.request.form.get("identifier", "").strip()[:254]
    if identifier:
        page.backends.accounts.request_password_reset({"identifier": identifier},
                                                      page.ctx.client_ip)
    return page.render("forgot.html", sent=True)


@pages.route("GET", "/reset", auth=False)
def reset_form(page: Page, status: int = 200, values: dict[str, str] | None = None,
               errors: dict[str, str] | None = None, error: str | None = None) -> Response:
    token = (values or {}).get("token") or page.request.args.get("token", "")[:200]
    return page.render("reset.html", status=status, token=token, errors=errors or {},
                       error=error)


@pages.route("POST", "/reset", auth=False,
             form=Form(reset_form, fields=("token",), max_length=200, on=(422,)))
def reset_submit(page: Page, values: dict[str, str]) -> Response:
    form = page.request.form
    if form.get("new_password", "") != form.get("confirm_password", ""):
        raise FieldError("confirm_password", page.t("reset.mismatch"))
    page.backends.accounts.reset_password({"token": values["token"],
                                           "new_password": form.get("new_password")})
    return page.redirect("/login?reset=1")


# -- home -------------------------------------------------------------------------------
@pages.route("GET", "/")
def home(page: Page) -> Response:
    actor = page.actor
    if actor["role"] == "customer":
        customer = page.backends.accounts.get_customer(actor, actor["customer_id"])
        links = page.backends.accounts.custom_links(actor)["items"]
        return page.render("home.html", counts=None, customer=customer, custom_links=links)
    if actor["role"] == "reseller":
        # Until the reseller has finished setting up, signing in opens the wizard.
        if page.backends.accounts.get_reseller_settings(actor)["setup_step"] != "done":
            return page.redirect("/setup")
        return page.render("home_reseller.html", **home_pages.reseller_home(page))
    return page.render("home_admin.html", **home_pages.admin_home(page))


# -- customers --------------------------------------------------------------------------
@pages.route("GET", "/customers", roles=STAFF)
def customers(page: Page) -> Response:
    args = page.request.args
    raw: dict[str, Any] = {k: args.get(k) for k in ("status", "q", "sort", "order", "page")
                           if args.get(k)}
    raw["kind"] = args.get("tab") if args.get("tab") in ("company", "professional") else "company"
    raw["per_page"] = 20
    try:
        query = CustomerQuery.model_validate(raw)
    except ValidationError:
        query = CustomerQuery(kind=raw["kind"], per_page=20)
    result = page.backends.accounts.list_customers(page.actor, query.model_dump())
    base = {k: v for k, v in query.model_dump().items()
            if v not in (None, "") and k not in ("page", "per_page", "kind")}
    base["tab"] = query.kind

    def link(**changes: Any) -> str:
        return "/customers?" + urlencode({**base, **changes})

    return page.render("customers.html", result=result, query=query, link=link)


@pages.route("GET", "/customers/new", roles=STAFF)
def new_customer(page: Page, status: int = 200, values: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None, error: str | None = None,
                 step: int | None = None) -> Response:
    if values is None:
        kind = page.request.args.get("kind")
        values = {"kind": kind if kind in ("company", "professional") else "company",
                  "language": page.lang}
    errors = errors or {}
    if step is None:  # a missing start choice is asked again on step 2; the rest on step 1
        step = 2 if set(errors) == {"start"} else 1
    return page.render("customer_new.html", status=status, step=step,
                       values={k: v for k, v in values.items() if v != ""}, errors=errors,
                       error=error)


NEW_FORM = Form(new_customer, fields=NEW_FIELDS)


@pages.route("POST", "/customers/new", roles=STAFF, form=NEW_FORM)
def new_customer_step(page: Page, values: dict[str, str]) -> Response:
    """Step 1 → 2: validate the details, then ask trial or production."""
    CustomerCreate.model_validate({**_filled(values), "start": "trial"})
    return new_customer(page, values=values, step=2)


@pages.route("POST", "/customers/new/confirm", roles=STAFF, form=NEW_FORM)
def new_customer_create(page: Page, values: dict[str, str]) -> Response:
    if page.request.form.get("back"):
        return new_customer(page, values=values, step=1)
    payload = {**_filled(values), "start": page.request.form.get("start", "")}
    created = page.backends.accounts.create_customer(
        page.actor, CustomerCreate.model_validate(payload).model_dump(mode="json"))
    return page.redirect(f"/customers/{created['id']}", flash="new.created",
                         name=created["name"])


def _filled(values: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in values.items() if v != ""}


@pages.route("GET", "/customers/{customer_id}")
def customer_detail(page: Page, customer_id: str, status: int = 200,
                    values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                    error: str | None = None) -> Response:
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    return page.render("customer.html", status=status, customer=customer,
                       values=values or customer, errors=errors or {}, error=error)


@pages.route("POST", "/customers/{customer_id}", form=Form(customer_detail, DETAIL_FIELDS))
def customer_update(page: Page, customer_id: str, values: dict[str, str]) -> Response:
    page.backends.accounts.get_customer(page.actor, customer_id)
    patch = {k: (v or None) for k, v in values.items()}
    CustomerUpdate.model_validate(patch)
    page.backends.accounts.update_customer(page.actor, customer_id, patch)
    return page.redirect(f"/customers/{customer_id}", flash="detail.saved")


@pages.route("POST", "/customers/{customer_id}/status", roles=STAFF,
             form=Form(customer_detail))
def customer_status(page: Page, customer_id: str) -> Response:
    status = page.request.form.get("status", "")
    page.backends.accounts.update_customer(page.actor, customer_id, {"status": status})
    return page.redirect(f"/customers/{customer_id}", flash="detail.status_changed")


@pages.route("POST", "/customers/{customer_id}/close", roles=STAFF,
             form=Form(customer_detail))
def customer_close(page: Page, customer_id: str) -> Response:
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    if page.request.form.get("confirm", "").strip().lower() != customer["identifier"]:
        raise FieldError("confirm", page.t("detail.close_confirm"), page.t("error.form"))
    page.backends.accounts.close_customer(page.actor, customer_id)
    return page.redirect(f"/customers/{customer_id}", flash="detail.closed")


@pages.route("POST", "/customers/{customer_id}/reopen")
def customer_reopen(page: Page, customer_id: str) -> Response:
    """Only the system administrator brings a closed account back (the service checks)."""
    page.backends.accounts.reopen_customer(page.actor, customer_id)
    return page.redirect(f"/customers/{customer_id}", flash="detail.reopened")


# -- settings ---------------------------------------------------------------------------
@pages.route("GET", "/settings")
def settings(page: Page, status: int = 200, values: dict[str, str] | None = None,
             errors: dict[str, str] | None = None, error: str | None = None) -> Response:
    return page.render("settings.html", status=status, errors=errors or {}, error=error)


@pages.route("POST", "/settings/password",
             form=Form(settings, on=(422,), messages={
                 "current_password": "settings.wrong_current",
                 "new_password": "settings.weak_new"}))
def settings_password(page: Page) -> Response:
    form = page.request.form
    if form.get("new_password", "") != form.get("confirm_password", ""):
        raise FieldError("confirm_password", page.t("reset.mismatch"))
    page.backends.accounts.change_password(page.ctx.session_token, {
        "current_password": form.get("current_password", "")[:128],
        "new_password": form.get("new_password", "")[:200],
    })
    return page.redirect("/settings", flash="settings.changed")


@pages.route("POST", "/settings/language")
def settings_language(page: Page) -> Response:
    language = page.request.form.get("language", "")
    page.backends.accounts.set_preferences(page.actor, {"language": language})
    page.set_cookie(LANG_COOKIE, language, max_age=365 * 86400)
    return page.redirect("/settings", flash="settings.language_saved")

