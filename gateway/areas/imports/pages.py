"""Portal pages for imports of a company's users: the upload form, the report with its one
progress bar (previewing, then applying) and the apply button."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Response

from sbcommon.contracts.user_imports import UserImportQuery
from sbcommon.errors import NotFound

from ...framework.forms import Form
from ...framework.http import json_response
from ...framework.portal import Page
from ...framework.routing import RESELLER, Router
from .api import receive, report_download

pages = Router()

OUTCOMES = ("create", "update", "unchanged", "skipped", "invalid", "duplicate")
FORMATS = ("google_workspace", "microsoft365", "broadworks")


@pages.route("GET", "/customers/imports", roles=RESELLER)
def upload_form(page: Page, status: int = 200, values: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, error: str | None = None) -> Response:
    companies = page.backends.accounts.list_customers(
        page.actor, {"kind": "company", "per_page": 100})["items"]
    chosen = values or {"customer_id": page.request.args.get("customer_id", "")[:36]}
    return page.render("imports_upload.html", status=status, companies=companies,
                       formats=FORMATS, values=chosen, errors=errors or {}, error=error)


@pages.route("POST", "/customers/imports", roles=RESELLER, upload=True,
             form=Form(upload_form, on=(400, 404, 409, 413, 415, 422)))
def upload(page: Page) -> Response:
    """The upload (multipart ``file`` and the target; the csrf_token comes in the query
    string: nothing is parsed from the body before the token is checked)."""
    form = page.request.form
    options: dict[str, Any] = {}
    if form.get("target") == "new":
        options["new_account_name"] = form.get("new_account_name", "")[:200]
    else:
        options["customer_id"] = form.get("customer_id", "")[:36]
    if form.get("format"):
        options["format"] = form.get("format", "")[:20]
    report = receive(page.ctx, options)
    return page.redirect(f"/customers/imports/{report['import_id']}")


def _id(import_id: str) -> int:
    if not (import_id.isascii() and import_id.isdigit()) or len(import_id) > 18:
        raise NotFound("no such import")
    return int(import_id)


@pages.route("GET", "/customers/imports/{import_id}", roles=RESELLER)
def report(page: Page, import_id: str) -> Response:
    args = page.request.args
    raw = {k: args.get(k) for k in ("page", "outcome") if args.get(k)}
    try:
        query = UserImportQuery.model_validate({**raw, "per_page": 100})
    except ValueError:
        query = UserImportQuery(per_page=100)
    data = page.backends.accounts.user_import_report(page.actor, _id(import_id),
                                                     query.model_dump(exclude_none=True))
    base = {"outcome": query.outcome} if query.outcome else {}

    def link(**changes: Any) -> str:
        return f"/customers/imports/{data['import_id']}?" + urlencode({**base, **changes})

    return page.render("imports_report.html", report=data, outcomes=OUTCOMES, query=query,
                       link=link)


@pages.route("GET", "/customers/imports/{import_id}/report.csv", roles=RESELLER)
def report_csv(page: Page, import_id: str) -> Response:
    return page.finish(report_download(page.ctx, _id(import_id)))


@pages.route("GET", "/customers/imports/{import_id}/progress", roles=RESELLER)
def progress(page: Page, import_id: str) -> Response:
    state = page.backends.accounts.user_import_progress(page.actor, _id(import_id))
    return json_response({k: state[k] for k in ("status", "progress", "rows_read",
                                                "rows_applied", "to_apply")})


@pages.route("POST", "/customers/imports/{import_id}/apply", roles=RESELLER)
def apply(page: Page, import_id: str) -> Response:
    page.backends.accounts.apply_user_import(page.actor, _id(import_id))
    return page.redirect(f"/customers/imports/{import_id}", flash="imports.applying")
