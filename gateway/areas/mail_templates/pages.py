"""Portal pages of mail templates: the list, and one template's editor with its preview."""

from __future__ import annotations

from werkzeug.wrappers import Response

from ...framework.forms import Form
from ...framework.portal import Page
from ...framework.routing import STAFF, Router

pages = Router()
FIELDS = ("subject", "html", "text")
# The preview frame shows an e-mail as written, with its inline styles; it is sandboxed (no
# script, no same-origin access), and the page's scripts stay limited to its own.
PREVIEW_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
               "script-src 'self'; form-action 'self'; frame-ancestors 'none'; "
               "base-uri 'none'; object-src 'none'")


@pages.route("GET", "/mail-templates", roles=STAFF)
def templates(page: Page) -> Response:
    listing = page.backends.notifications.list_templates(page.actor)
    return page.render("mail_templates.html", items=listing["items"])


@pages.route("GET", "/mail-templates/{kind}/{language}", roles=STAFF)
def template(page: Page, kind: str, language: str, status: int = 200,
             values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
             error: str | None = None, preview: dict[str, str] | None = None) -> Response:
    current = page.backends.notifications.get_template(page.actor, kind, language)
    return page.render("mail_template.html", status=status, current=current,
                       values=values or current, errors=errors or {}, error=error,
                       preview=preview, csp=PREVIEW_CSP if preview else None)


FORM = Form(template, fields=FIELDS, max_length=20_000, on=(422,))


@pages.route("POST", "/mail-templates/{kind}/{language}", roles=STAFF, form=FORM)
def template_save(page: Page, kind: str, language: str, values: dict[str, str]) -> Response:
    notifications = page.backends.notifications
    if page.request.form.get("preview"):
        shown = notifications.preview_template(page.actor, kind, language, values)
        return template(page, kind, language, values=values, preview=shown)
    notifications.save_template(page.actor, kind, language, values)
    return page.redirect(f"/mail-templates/{kind}/{language}", flash="mail_templates.saved")


@pages.route("POST", "/mail-templates/{kind}/{language}/reset", roles=STAFF)
def template_reset(page: Page, kind: str, language: str) -> Response:
    page.backends.notifications.reset_template(page.actor, kind, language)
    return page.redirect(f"/mail-templates/{kind}/{language}", flash="mail_templates.reset")
