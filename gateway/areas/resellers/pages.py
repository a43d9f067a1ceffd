"""Portal pages of resellers: the system administrator's Resellers pages; a reseller's
company settings, branding (with a live preview) and set-up wizard; the brand's assets
(logo, favicon, colours) and the reseller's sign-in page under the platform's host."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from werkzeug.wrappers import Response

from sbcommon.contracts.resellers import (
    CHAT_PROVIDERS,
    WIZARD_STEPS,
    BrandingUpdate,
    ResellerAdminUpdate,
    ResellerOnboard,
    ResellerQuery,
    SettingsUpdate,
)
from sbcommon.errors import NotFound

from ...framework.forms import Form
from ...framework.portal import Page
from ...framework.routing import RESELLER, Router
from .uploads import as_payload, image_bytes

pages = Router()
ADMIN = ("admin",)

ONBOARD_FIELDS = ("name", "identifier", "email", "country", "language", "currency",
                  "trial_days")
DETAIL_FIELDS = ("name", "email", "country", "language", "currency", "trial_days",
                 "host_name")
PBX_FIELDS = ("pbx_name", "sip_domain", "sip_proxy", "default_carrier")
SETTINGS_FIELDS = ("address", "email", "phone")
SUPPORT_FIELDS = ("support_phone", "support_email")
BRAND_FIELDS = ("portal_name", "primary_color", "accent_color")
CHAT_FIELDS = ("chat_provider", "chat_site_id")


def _filled(values: dict[str, str]) -> dict[str, Any]:
    """Empty fields are "not given" (the contract's defaults apply)."""
    return {k: v for k, v in values.items() if v != ""}


def _nullable(values: dict[str, str]) -> dict[str, Any]:
    """Empty fields clear the value."""
    return {k: (v or None) for k, v in values.items()}


# -- the system administrator: resellers ---------------------------------------------------------
@pages.route("GET", "/admin/resellers", roles=ADMIN)
def resellers(page: Page) -> Response:
    args = page.request.args
    raw = {k: args.get(k) for k in ("q", "status", "page") if args.get(k)}
    try:
        query = ResellerQuery.model_validate({**raw, "per_page": 20})
    except ValidationError:
        query = ResellerQuery(per_page=20)
    result = page.backends.accounts.list_resellers(page.actor, query.model_dump())
    base = {k: v for k, v in (("q", query.q), ("status", query.status)) if v}

    def link(**changes: Any) -> str:
        return "/admin/resellers?" + urlencode({**base, **changes})

    return page.render("admin_resellers.html", result=result, query=query, link=link)


@pages.route("GET", "/admin/resellers/new", roles=ADMIN)
def new_reseller(page: Page, status: int = 200, values: dict[str, str] | None = None,
                 errors: dict[str, str] | None = None, error: str | None = None) -> Response:
    values = values or {"country": "CA", "language": page.lang, "currency": "CAD",
                        "trial_days": "30"}
    return page.render("admin_reseller_new.html", status=status, values=values,
                       errors=errors or {}, error=error)


@pages.route("POST", "/admin/resellers/new", roles=ADMIN,
             form=Form(new_reseller, fields=ONBOARD_FIELDS))
def new_reseller_submit(page: Page, values: dict[str, str]) -> Response:
    payload = ResellerOnboard.model_validate(_filled(values)).model_dump(mode="json")
    made = page.backends.accounts.onboard_reseller(page.actor, payload)
    return page.redirect(f"/admin/resellers/{made['id']}", flash="resellers.created",
                         name=made["name"])


@pages.route("GET", "/admin/resellers/{reseller_id}", roles=ADMIN)
def reseller_detail(page: Page, reseller_id: str, status: int = 200,
                    values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                    error: str | None = None) -> Response:
    accounts = page.backends.accounts
    reseller = accounts.get_reseller(page.actor, reseller_id)
    settings = accounts.get_reseller_settings(page.actor, reseller_id)
    shown = {**{k: "" if v is None else str(v) for k, v in reseller.items()
                if not isinstance(v, dict)},
             **{k: v or "" for k, v in reseller["pbx"].items()}}
    return page.render("admin_reseller.html", status=status, reseller=reseller,
                       settings=settings, values={**shown, **(values or {})},
                       errors=errors or {}, error=error)


@pages.route("POST", "/admin/resellers/{reseller_id}", roles=ADMIN,
             form=Form(reseller_detail, fields=DETAIL_FIELDS))
def reseller_update(page: Page, reseller_id: str, values: dict[str, str]) -> Response:
    patch = _nullable(values)
    patch["chat_enabled"] = page.request.form.get("chat_enabled") == "on"
    for key in ("name", "email", "country", "language", "currency"):
        if patch.get(key) is None:
            patch.pop(key)
    payload = ResellerAdminUpdate.model_validate(patch).model_dump(mode="json",
                                                                   exclude_unset=True)
    page.backends.accounts.update_reseller(page.actor, reseller_id, payload)
    return page.redirect(f"/admin/resellers/{reseller_id}", flash="resellers.saved")


@pages.route("POST", "/admin/resellers/{reseller_id}/pbx", roles=ADMIN,
             form=Form(reseller_detail, fields=PBX_FIELDS))
def reseller_pbx(page: Page, reseller_id: str, values: dict[str, str]) -> Response:
    payload = ResellerAdminUpdate.model_validate(_nullable(values)).model_dump(
        mode="json", exclude_unset=True)
    page.backends.accounts.update_reseller(page.actor, reseller_id, payload)
    return page.redirect(f"/admin/resellers/{reseller_id}", flash="resellers.pbx_saved")


@pages.route("POST", "/admin/resellers/{reseller_id}/suspend", roles=ADMIN,
             form=Form(reseller_detail))
def reseller_suspend(page: Page, reseller_id: str) -> Response:
    page.backends.accounts.suspend_reseller(page.actor, reseller_id)
    return page.redirect(f"/admin/resellers/{reseller_id}", flash="resellers.suspended")


@pages.route("POST", "/admin/resellers/{reseller_id}/reactivate", roles=ADMIN,
             form=Form(reseller_detail))
def reseller_reactivate(page: Page, reseller_id: str) -> Response:
    page.backends.accounts.reactivate_reseller(page.actor, reseller_id)
    return page.redirect(f"/admin/resellers/{reseller_id}", flash="resellers.reactivated")


# -- the reseller: company settings and support contact -----------------------------------------
@pages.route("GET", "/reseller/settings", roles=RESELLER)
def company(page: Page, status: int = 200, values: dict[str, str] | None = None,
            errors: dict[str, str] | None = None, error: str | None = None) -> Response:
    current = page.backends.accounts.get_reseller_settings(page.actor)
    shown = {k: v or "" for k, v in current.items() if not isinstance(v, dict)}
    return page.render("reseller_settings.html", status=status, current=current,
                       values={**shown, **(values or {})}, errors=errors or {}, error=error)


@pages.route("POST", "/reseller/settings", roles=RESELLER,
             form=Form(company, fields=SETTINGS_FIELDS, max_length=500))
def company_save(page: Page, values: dict[str, str]) -> Response:
    _save_settings(page, values)
    return page.redirect("/reseller/settings", flash="resellers.settings_saved")


@pages.route("POST", "/reseller/settings/support", roles=RESELLER,
             form=Form(company, fields=SUPPORT_FIELDS))
def support_save(page: Page, values: dict[str, str]) -> Response:
    _save_settings(page, values)
    return page.redirect("/reseller/settings", flash="resellers.support_saved")


def _save_settings(page: Page, values: dict[str, str]) -> None:
    patch = _nullable(values)
    if "email" in patch and patch["email"] is None:
        patch.pop("email")
    payload = SettingsUpdate.model_validate(patch).model_dump(mode="json", exclude_unset=True)
    page.backends.accounts.update_reseller_settings(page.actor, payload)


# -- the reseller: branding -------------------------------------------------------------------
@pages.route("GET", "/reseller/branding", roles=RESELLER)
def branding(page: Page, status: int = 200, values: dict[str, str] | None = None,
             errors: dict[str, str] | None = None, error: str | None = None) -> Response:
    current = page.backends.accounts.get_reseller_branding(page.actor)
    settings = page.backends.accounts.get_reseller_settings(page.actor)
    shown = {k: "" if v is None else str(v) for k, v in current.items()}
    return page.render("reseller_branding.html", status=status, current=current,
                       settings=settings, providers=CHAT_PROVIDERS,
                       reseller_id=page.actor["reseller_id"],
                       values={**shown, **(values or {})}, errors=errors or {}, error=error)


@pages.route("POST", "/reseller/branding", roles=RESELLER,
             form=Form(branding, fields=BRAND_FIELDS))
def branding_save(page: Page, values: dict[str, str]) -> Response:
    _save_brand(page, values)
    return page.redirect("/reseller/branding", flash="resellers.branding_saved")


def _save_brand(page: Page, values: dict[str, str]) -> None:
    payload = BrandingUpdate.model_validate(_filled(values)).model_dump(mode="json",
                                                                        exclude_unset=True)
    page.backends.accounts.update_reseller_branding(page.actor, payload)


@pages.route("POST", "/reseller/branding/chat", roles=RESELLER,
             form=Form(branding, fields=CHAT_FIELDS))
def chat_save(page: Page, values: dict[str, str]) -> Response:
    payload = BrandingUpdate.model_validate(_nullable(values)).model_dump(mode="json")
    page.backends.accounts.update_reseller_branding(page.actor, payload)
    return page.redirect("/reseller/branding", flash="resellers.chat_saved")


def _image_form(kind: str) -> Form:
    return Form(branding, on=(400, 413, 415, 422), field=kind)


# Multipart uploads: streamed after sign-in, their CSRF token in the query string.
@pages.route("POST", "/reseller/branding/logo", roles=RESELLER, upload=True,
             form=_image_form("logo"))
def logo_upload(page: Page) -> Response:
    return _upload(page, "logo")


@pages.route("POST", "/reseller/branding/favicon", roles=RESELLER, upload=True,
             form=_image_form("favicon"))
def favicon_upload(page: Page) -> Response:
    return _upload(page, "favicon")


def _upload(page: Page, kind: str) -> Response:
    data = image_bytes(page.request)
    page.backends.accounts.set_branding_image(page.actor, kind, as_payload(data))
    return page.redirect("/reseller/branding", flash=f"resellers.{kind}_saved")


@pages.route("POST", "/reseller/branding/{kind}/remove", roles=RESELLER)
def image_remove(page: Page, kind: str) -> Response:
    if kind not in ("logo", "favicon"):
        raise NotFound("no such page")
    page.backends.accounts.remove_branding_image(page.actor, kind)
    return page.redirect("/reseller/branding", flash="resellers.image_removed")


# -- the brand's assets (public: the sign-in page and e-mails show them) ----------------------
def _asset(content: bytes, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    # The URL carries the brand's version: a new logo is a new URL.
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@pages.route("GET", "/brand/{reseller_id}/logo.png", auth=False)
def brand_logo(page: Page, reseller_id: str) -> Response:
    image = page.backends.accounts.brand_image(reseller_id, "logo")
    return _asset(base64.b64decode(image["content"]), "image/png")


@pages.route("GET", "/brand/{reseller_id}/favicon.png", auth=False)
def brand_favicon(page: Page, reseller_id: str) -> Response:
    image = page.backends.accounts.brand_image(reseller_id, "favicon")
    return _asset(base64.b64decode(image["content"]), "image/png")


@pages.route("GET", "/brand/{reseller_id}/theme.css", auth=False)
def brand_theme(page: Page, reseller_id: str) -> Response:
    """The brand's colours as CSS (a stylesheet, so the policy needs no inline style)."""
    brand = page.backends.accounts.portal_brand(reseller_id=reseller_id)
    if brand is None:
        raise NotFound("no such brand")
    # Both colours passed the service's #rrggbb check: nothing else reaches this CSS.
    css = (f":root {{ --brand: {brand['primary_color']}; --brand-dark: "
           f"{brand['primary_color']}; }}\n"
           f".topbar {{ background: {brand['accent_color']}; }}\n"
           f".auth-card {{ border-top: 6px solid {brand['accent_color']}; }}\n"
           f"button.primary, .button.primary, .avatar {{ background: "
           f"{brand['primary_color']}; border-color: {brand['primary_color']}; }}\n")
    return _asset(css.encode(), "text/css")


@pages.route("GET", "/p/{slug}", auth=False)
def portal_login(page: Page, slug: str) -> Response:
    """The reseller's subscriber portal under the platform's host: its sign-in page."""
    brand = page.backends.accounts.portal_brand(slug=slug)
    if brand is None:
        raise NotFound("no such portal")
    page.use_brand(brand)
    from ..accounts.pages import login_form  # here: accounts' pages import this area's home

    return login_form(page)


# -- the set-up wizard -------------------------------------------------------------------------
@pages.route("GET", "/setup", roles=RESELLER)
def setup(page: Page, status: int = 200, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, error: str | None = None,
          step: str | None = None) -> Response:
    accounts = page.backends.accounts
    settings = accounts.get_reseller_settings(page.actor)
    current = step or page.request.args.get("step") or settings["setup_step"]
    if current not in WIZARD_STEPS:
        current = WIZARD_STEPS[0]
    look = accounts.get_reseller_branding(page.actor)
    shown = {**{k: v or "" for k, v in settings.items() if not isinstance(v, dict)},
             **{k: "" if v is None else str(v) for k, v in look.items()},
             "action": "deny"}
    reached = settings["setup_step"]
    done = WIZARD_STEPS[:WIZARD_STEPS.index(reached)] if reached in WIZARD_STEPS \
        else WIZARD_STEPS
    return page.render("setup.html", status=status, step=current, steps=WIZARD_STEPS,
                       done=done, settings=settings, look=look,
                       values={**shown, **(values or {})}, errors=errors or {}, error=error)


def _next(step: str) -> str:
    index = WIZARD_STEPS.index(step)
    return WIZARD_STEPS[index + 1] if index + 1 < len(WIZARD_STEPS) else "done"


def _advance(page: Page, step: str) -> Response:
    following = _next(step)
    page.backends.accounts.set_wizard_step(page.actor, {"step": following})
    if following == "done":
        return page.redirect("/", flash="resellers.setup_done")
    return page.redirect(f"/setup?step={following}")


def _setup_form(step: str, fields: tuple[str, ...]) -> Form:
    def again(page: Page, **kwargs: Any) -> Response:
        return setup(page, step=step, **kwargs)
    return Form(again, fields=fields, max_length=500, on=(400, 409, 413, 415, 422))


@pages.route("POST", "/setup/settings", roles=RESELLER,
             form=_setup_form("settings", SETTINGS_FIELDS))
def setup_settings(page: Page, values: dict[str, str]) -> Response:
    _save_settings(page, values)
    return _advance(page, "settings")


@pages.route("POST", "/setup/support", roles=RESELLER,
             form=_setup_form("support", SUPPORT_FIELDS))
def setup_support(page: Page, values: dict[str, str]) -> Response:
    _save_settings(page, values)
    return _advance(page, "support")


@pages.route("POST", "/setup/branding", roles=RESELLER, upload=True,
             form=_setup_form("branding", BRAND_FIELDS))
def setup_branding(page: Page, values: dict[str, str]) -> Response:
    if page.request.form.get("skip"):
        return _advance(page, "branding")
    _save_brand(page, values)
    upload = page.request.files.get("logo")
    if upload is not None and upload.filename:
        data = upload.stream.read(2 * 1024 * 1024 + 1)
        page.backends.accounts.set_branding_image(page.actor, "logo", as_payload(data))
    return _advance(page, "branding")


@pages.route("POST", "/setup/restrictions", roles=RESELLER,
             form=_setup_form("restrictions", ("action",)))
def setup_restrictions(page: Page, values: dict[str, str]) -> Response:
    if not page.request.form.get("skip"):
        page.backends.routing_policy.set_default(page.actor, {"action": values["action"]})
    return _advance(page, "restrictions")


@pages.route("POST", "/setup/numbers", roles=RESELLER,
             form=_setup_form("numbers", ("number",)))
def setup_numbers(page: Page, values: dict[str, str]) -> Response:
    if not page.request.form.get("skip") and values["number"]:
        page.backends.numbering.add_number(page.actor, {"number": values["number"]})
        return page.redirect("/setup?step=numbers", flash="resellers.number_added",
                             number=values["number"])
    return _advance(page, "numbers")
