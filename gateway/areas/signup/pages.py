"""Portal pages of the sign-up: the reseller's integration guide (links, copy buttons, the
HTML to paste on its website) and the public sign-up in the reseller's brand — plan,
details, numbers, terms, then the e-mailed verification link where the PIN is chosen.

The public pages answer under ``/signup/...`` (on the reseller's own host name, or the
platform's) and under ``/p/<slug>/signup/...``; the brand is always the link's reseller.
The wizard keeps what was typed in the form itself (hidden fields): nothing is stored
before the last step, and accounts validates everything again then.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from werkzeug.wrappers import Response

from sbcommon.contracts.signup import MAX_NUMBERS, TERMS_VERSION, PublicSignup
from sbcommon.errors import (
    Conflict,
    Invalid,
    NotFound,
    SwitchboardError,
    invalid_from_pydantic,
)

from ...framework.forms import Form, field_errors
from ...framework.i18n import LANGUAGES
from ...framework.portal import LANG_COOKIE, Page
from ...framework.routing import RESELLER, Router
from . import flow
from .api import check_offer

pages = Router()

SNIPPET = Path(__file__).parent / "snippet.html"
STEPS = ("plan", "details", "numbers", "confirm")
DETAILS = ("name", "contact_name", "email", "identifier", "phone", "country", "language")
CARRIED = ("form_token", "hold_key", "plan_id", *DETAILS, "numbers")
NUMBERS_HOLD_SECONDS = 1800  # while the visitor finishes the form; the start holds longer


# -- the reseller's integration guide --------------------------------------------------------
def snippet_for(signup_url: str, api_base: str, link_token: str, plan_id: str) -> str:
    """The HTML a reseller pastes on its website (docs/signup-integration.md shows it)."""
    return (SNIPPET.read_text().replace("__SIGNUP_URL__", signup_url)
            .replace("__API_BASE__", api_base).replace("__LINK__", link_token)
            .replace("__PLAN_ID__", plan_id))


def _plans(page: Page) -> list[dict[str, Any]]:
    return [i for i in page.backends.catalogue.get_offer(page.actor)["items"]
            if i["offered"] and i["kind"] == "plan"]


@pages.route("GET", "/signup-links", roles=RESELLER)
def guide(page: Page, status: int = 200, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, error: str | None = None) -> Response:
    links = page.backends.accounts.list_signup_links(page.actor)["items"]
    signup = [link for link in links if link["kind"] != "custom"]
    plans = _plans(page)
    snippet = None
    if signup:
        first = signup[0]
        token = first["url"].rsplit("/", 1)[-1]
        plan = first["plan_id"] or (plans[0]["item_id"] if plans else "")
        snippet = snippet_for(first["url"], page.ctx.settings.public_url.rstrip("/") + "/api/v1",
                              token, plan)
    return page.render(
        "signup_guide.html", status=status, links=signup,
        custom=[link for link in links if link["kind"] == "custom"], plans=plans,
        promotions=page.backends.catalogue.list_promotions(page.actor)["items"],
        snippet=snippet, values=values or {}, errors=errors or {}, error=error)


LINK_FIELDS = ("kind", "plan_id", "promotion_id", "label", "url")


@pages.route("POST", "/signup-links", roles=RESELLER,
             form=Form(guide, LINK_FIELDS, max_length=500))
def create_link(page: Page, values: dict[str, str]) -> Response:
    from sbcommon.contracts.signup import SignupLinkCreate

    body = SignupLinkCreate.model_validate({k: v for k, v in values.items() if v})
    check_offer(page.ctx, body)
    page.backends.accounts.create_signup_link(page.actor, body.model_dump(mode="json"))
    return page.redirect("/signup-links", flash="signup.link_created")


@pages.route("POST", "/signup-links/{link_id}/revoke", roles=RESELLER)
def revoke_link(page: Page, link_id: str) -> Response:
    page.backends.accounts.revoke_signup_link(page.actor, link_id)
    return page.redirect("/signup-links", flash="signup.link_revoked")


# -- the public sign-up -------------------------------------------------------------------
def _language_switch(page: Page) -> None:
    lang = page.request.args.get("lang")
    if lang in LANGUAGES:
        page.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400)
        page.set_language(lang)


def _branded(page: Page, reseller_id: str, slug: str | None) -> dict[str, Any]:
    brand = page.backends.accounts.portal_brand(reseller_id=reseller_id)
    if brand is None or (slug is not None and brand["slug"] != slug):
        raise NotFound("no such sign-up")
    page.use_brand(brand)
    return brand


def _numbers(values: dict[str, str]) -> list[str]:
    return [n for n in values.get("numbers", "").split(",") if n][:MAX_NUMBERS]


def _wizard(page: Page, token: str, slug: str | None, step: str = "plan",
            values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
            error: str | None = None, status: int = 200, area: str | None = None
            ) -> Response:
    link = flow.link_of(page.ctx, token)
    _branded(page, link["reseller_id"], slug)
    offer = flow.offer_of(page.ctx, link)
    values = dict(values or {})
    values.setdefault("form_token", flow.form_token())
    values.setdefault("plan_id", link["plan_id"] or "")
    values.setdefault("country", link["country"])
    values.setdefault("language", page.lang)
    numbers = None
    if step == "numbers":
        country, _, code = (area or "").partition(":")
        numbers = page.backends.numbering.signup_numbers(
            link["reseller_id"], country or None, code or None)
        chosen = numbers["numbers"][0] if numbers["numbers"] else None
        numbers["chosen_area"] = f"{chosen['country']}:{chosen['area_code']}" if chosen else ""
    plan = next((p for p in offer["plans"] if p["item_id"] == values["plan_id"]), None)
    base = f"/p/{slug}" if slug else ""
    return page.render(
        "signup.html", status=status, step=step, steps=STEPS, link=link, offer=offer,
        plan=plan, values=values, errors=errors or {}, error=error, numbers=numbers,
        picked=_numbers(values), action=f"{base}/signup/{token}", base=base,
        carried=[k for k in CARRIED if k in values], terms_version=TERMS_VERSION,
        max_numbers=MAX_NUMBERS)


@pages.route("GET", "/signup/{token}", auth=False)
def signup_form(page: Page, token: str) -> Response:
    _language_switch(page)
    return _wizard(page, token, None)


@pages.route("GET", "/p/{slug}/signup/{token}", auth=False)
def portal_signup_form(page: Page, slug: str, token: str) -> Response:
    _language_switch(page)
    return _wizard(page, token, slug)


def _details_check(values: dict[str, str]) -> None:
    """The details step's fields, checked with the contract the last step uses."""
    sample = {k: values[k] for k in DETAILS if values.get(k)}
    PublicSignup.model_validate({**sample, "link": "x" * 10, "form_token": "",
                                 "terms_accepted": True})


def _advance(page: Page, token: str, slug: str | None, values: dict[str, str]
             ) -> Response:
    action = page.request.form.get("action", "")
    link = flow.link_of(page.ctx, token)
    if action == "plan":
        flow.plan_of(flow.offer_of(page.ctx, link), values.get("plan_id"))
        return _wizard(page, token, slug, "details", values)
    if action == "details":
        _details_check(values)
        return _wizard(page, token, slug, "numbers", values)
    if action == "search":
        return _wizard(page, token, slug, "numbers", values,
                       area=page.request.form.get("area", "")[:20])
    if action == "numbers":
        picked = [n.strip()[:32] for n in page.request.form.getlist("number")][:MAX_NUMBERS + 1]
        if len(picked) > MAX_NUMBERS:
            raise Invalid(page.t("signup.too_many_numbers", n=MAX_NUMBERS),
                          [{"field": "numbers", "message": page.t(
                              "signup.too_many_numbers", n=MAX_NUMBERS)}])
        if not values.get("hold_key"):
            values["hold_key"] = str(uuid.uuid4())
        # Held now, so nobody else takes them while the visitor finishes (and replaced
        # when the visitor comes back to this step and picks others).
        flow.hold(page.ctx, link, values["hold_key"], picked, NUMBERS_HOLD_SECONDS)
        values["numbers"] = ",".join(picked)
        return _wizard(page, token, slug, "confirm", values)
    if action == "confirm":
        data = PublicSignup.model_validate({
            **{k: values[k] for k in DETAILS if values.get(k)},
            "link": token, "form_token": values.get("form_token", ""),
            "plan_id": values.get("plan_id") or None, "numbers": _numbers(values),
            "terms_accepted": page.request.form.get("terms_accepted") == "on",
            "website": page.request.form.get("website", "")[:200]})
        flow.start(page.ctx, data, hold_key=values.get("hold_key") or None)
        return page.render("signup_sent.html", email=data.email)
    back = page.request.form.get("back", "")
    if back in STEPS:
        return _wizard(page, token, slug, back, values)
    raise NotFound("no such step")


STEP_OF = {"plan": "plan", "details": "details", "search": "numbers", "numbers": "numbers",
           "confirm": "confirm"}


def _post(page: Page, token: str, slug: str | None) -> Response:
    form = page.request.form
    values = {k: form.get(k, "").strip()[:300] for k in CARRIED if k in form}
    try:
        return _advance(page, token, slug, values)
    except ValidationError as exc:
        problem: SwitchboardError = invalid_from_pydantic(exc)
    except (Invalid, Conflict) as exc:
        problem = exc
    step = STEP_OF.get(form.get("action", ""), "plan")
    errors = field_errors(problem)
    if "form_token" in errors:  # the time trap: a new timestamp, and the form again
        values.pop("form_token", None)
        errors["terms_accepted"] = page.t("signup.too_fast")
    summary = page.t("error.form") if errors else problem.message
    if any(k in errors for k in DETAILS):  # found at the last step: back to the details
        step = "details"
    elif "numbers" in errors:
        step = "numbers"
    return _wizard(page, token, slug, step, values, errors, summary, status=problem.status)


@pages.route("POST", "/signup/{token}", auth=False)
def signup_step(page: Page, token: str) -> Response:
    return _post(page, token, None)


@pages.route("POST", "/p/{slug}/signup/{token}", auth=False)
def portal_signup_step(page: Page, slug: str, token: str) -> Response:
    return _post(page, token, slug)


# -- verification: the e-mailed link, where the PIN is chosen ------------------------------------
REASONS = {"used": 409, "expired": 410, "email_in_use": 409}


def _verify_page(page: Page, slug: str | None, status: int = 200,
                 errors: dict[str, str] | None = None, error: str | None = None,
                 token: str | None = None) -> Response:
    token = token or page.request.args.get("token", "")[:200]
    try:
        found = page.backends.accounts.signup_status(token)
    except NotFound:
        return page.render("signup_verify.html", status=404, state="invalid", token="",
                           found=None, errors={}, error=None, base="")
    _branded(page, found["reseller_id"], slug)
    if not page.request.args.get("lang") and page.request.method == "GET":
        page.set_language(found["language"])
    _language_switch(page)
    state = found["state"]
    code = {"completed": 409, "expired": 410}.get(state, status)
    return page.render("signup_verify.html", status=code, state=state, token=token,
                       found=found, errors=errors or {}, error=error,
                       base=f"/p/{slug}" if slug else "")


@pages.route("GET", "/signup/verify", auth=False)
def verify_form(page: Page) -> Response:
    return _verify_page(page, None)


@pages.route("GET", "/p/{slug}/signup/verify", auth=False)
def portal_verify_form(page: Page, slug: str) -> Response:
    return _verify_page(page, slug)


def _complete(page: Page, slug: str | None) -> Response:
    form = page.request.form
    token = form.get("token", "")[:200]
    password = form.get("new_password", "")[:128]
    if password != form.get("confirm_password", "")[:128]:
        return _verify_page(page, slug, 422, {"confirm_password": page.t("reset.mismatch")},
                            page.t("error.form"), token=token)
    try:
        done = page.backends.accounts.complete_signup({"token": token, "password": password})
    except Conflict as exc:
        reason = exc.details.get("reason") if isinstance(exc.details, dict) else None
        if reason in REASONS:
            found = page.backends.accounts.signup_status(token)
            _branded(page, found["reseller_id"], slug)
            return page.render("signup_verify.html", status=REASONS[reason],
                               state="email_in_use" if reason == "email_in_use" else (
                                   "completed" if reason == "used" else "expired"),
                               token="", found=found, errors={}, error=None,
                               base=f"/p/{slug}" if slug else "")
        raise
    except Invalid as exc:
        return _verify_page(page, slug, 422, {"new_password": page.t("signup.pin_rule")},
                            exc.message, token=token)
    found = page.backends.accounts.signup_status(token)
    _branded(page, found["reseller_id"], slug)
    return page.render("signup_done.html", done=done, found=found,
                       identifier_changed=bool(done.get("wanted_identifier")) and
                       done["wanted_identifier"] != done["identifier"])


@pages.route("POST", "/signup/verify", auth=False)
def verify_submit(page: Page) -> Response:
    return _complete(page, None)


@pages.route("POST", "/p/{slug}/signup/verify", auth=False)
def portal_verify_submit(page: Page, slug: str) -> Response:
    return _complete(page, slug)
