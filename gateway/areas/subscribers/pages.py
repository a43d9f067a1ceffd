"""Portal pages of subscribers: direct access (enter, leave), locked settings, the audit
log, and what support may do inside an account (send its access codes)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from werkzeug.wrappers import Response

from sbcommon.contracts.accounts import AUDIT_ACTIONS, AuditQuery
from sbcommon.errors import NotFound

from ...framework.forms import Form
from ...framework.portal import SESSION_COOKIE, STAFF_COOKIE, Page
from ...framework.routing import STAFF, Router
from ..accounts.pages import customer_detail, settings
from .api import audit_csv

pages = Router()

AUDIT_FILTERS = ("customer_id", "action", "actor_user_id", "since", "until")


# -- direct access ----------------------------------------------------------------------------
@pages.route("POST", "/customers/{customer_id}/direct-access", roles=STAFF,
             form=Form(customer_detail, on=(409,)))
def enter(page: Page, customer_id: str) -> Response:
    opened = page.backends.accounts.open_direct_access(page.actor, customer_id)
    page.set_cookie(STAFF_COOKIE, page.ctx.token, samesite="Strict")
    page.set_cookie(SESSION_COOKIE, opened["token"])
    return page.redirect("/")


@pages.route("POST", "/direct-access/leave")
def leave(page: Page) -> Response:
    """End the visit (its audit entry) and go back to the customer's page as oneself."""
    if not page.support:
        raise NotFound("not inside a direct access")
    customer_id = page.support["customer_id"]
    page.backends.accounts.end_direct_access(page.ctx.session_token)
    staff = page.request.cookies.get(STAFF_COOKIE, "")[:200]
    page.set_cookie(STAFF_COOKIE, None)
    page.set_cookie(SESSION_COOKIE, staff or None)
    target = f"/customers/{customer_id}"
    if not staff:
        return page.redirect("/login?" + urlencode({"next": target}))
    return page.redirect(target, flash="subscribers.left")


@pages.route("POST", "/support/access-codes", roles=("customer",),
             form=Form(settings, on=(409, 422, 429)))
def send_access_codes(page: Page) -> Response:
    """Support inside the account cannot see or set the PIN; it sends the access codes."""
    if not page.support:
        raise NotFound("not inside a direct access")
    page.backends.accounts.issue_access_codes(page.actor, page.actor["customer_id"])
    return page.redirect("/settings", flash="subscribers.codes_sent")


# -- locked settings --------------------------------------------------------------------------
@pages.route("POST", "/customers/{customer_id}/lock", roles=STAFF,
             form=Form(customer_detail, on=(409,)))
def lock(page: Page, customer_id: str) -> Response:
    locked = page.request.form.get("locked") == "1"
    page.backends.accounts.set_customer_lock(page.actor, customer_id, locked)
    return page.redirect(f"/customers/{customer_id}",
                         flash="subscribers.locked" if locked else "subscribers.unlocked")


# -- the audit log ----------------------------------------------------------------------------
def _audit_query(page: Page, per_page: int = 50) -> AuditQuery:
    args = page.request.args
    raw: dict[str, Any] = {k: args.get(k, "").strip()[:40] for k in (*AUDIT_FILTERS, "page")
                           if args.get(k, "").strip()}
    try:
        return AuditQuery.model_validate({**raw, "per_page": per_page})
    except ValidationError:
        return AuditQuery(per_page=per_page)


@pages.route("GET", "/audit-log", roles=STAFF)
def audit_log(page: Page) -> Response:
    query = _audit_query(page)
    result = page.backends.accounts.list_audit(page.actor, query.model_dump(mode="json"))
    base = {k: v for k, v in page.request.args.items() if k in AUDIT_FILTERS and v}

    def link(**changes: Any) -> str:
        return "/audit-log?" + urlencode({**base, **changes})

    return page.render("audit_log.html", result=result, query=query, link=link,
                       filters=base, actions=AUDIT_ACTIONS,
                       export_link="/audit-log/export.csv?" + urlencode(base))


@pages.route("GET", "/audit-log/export.csv", roles=STAFF)
def audit_export(page: Page) -> Response:
    return page.finish(audit_csv(page.ctx, _audit_query(page)))
