"""Portal pages for phone numbers: the pool (filters, add, import with progress) and a
customer's Numbers tab (assign, order by area code, return to the pool)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from werkzeug.wrappers import Response

from sbcommon.contracts.numbering import NumberQuery
from sbcommon.errors import NotFound, SwitchboardError

from ..portal.views import CUSTOMER_TABS, FLASH_KEYS, NAV, NavItem, Page, field_errors, portal
from ..web import json_response
from .numbers import csv_lines, run_import, stream_numbers, upload_chunks

NAV.append(NavItem("/numbers", "nav.numbers", ("reseller",), order=10))
CUSTOMER_TABS.append(NavItem("/numbers", "tab.numbers", order=10))
FLASH_KEYS.update({"numbers.added", "numbers.assigned", "numbers.released",
                   "numbers.settings_saved"})
STATES = ("available", "reserved", "assigned", "aging")


def _reseller(page: Page) -> None:
    if page.ctx.actor["role"] != "reseller":
        raise NotFound("no such page")


def _query(page: Page) -> NumberQuery:
    args = page.request.args
    raw = {k: args.get(k) for k in ("state", "country", "prefix", "area_code", "page")
           if args.get(k)}
    try:
        return NumberQuery.model_validate({**raw, "per_page": 50})
    except ValidationError:
        return NumberQuery(per_page=50)


@portal.route("GET", "/numbers")
def pool(page: Page, errors: dict[str, str] | None = None, status: int = 200,
         error: str | None = None) -> Response:
    _reseller(page)
    query = _query(page)
    result = page.ctx.backends.numbering.list_numbers(page.ctx.actor, query.model_dump())
    settings = page.ctx.backends.numbering.get_pool_settings(page.ctx.actor)
    base = {k: v for k, v in query.model_dump().items()
            if v not in (None, "") and k not in ("page", "per_page")}

    def link(**changes: Any) -> str:
        return "/numbers?" + urlencode({**base, **changes})

    return page.render("numbers.html", status=status, result=result, query=query,
                       states=STATES, settings=settings, link=link, errors=errors or {},
                       error=error, export_link="/numbers/export.csv?" + urlencode(base))


@portal.route("POST", "/numbers/add")
def add(page: Page) -> Response:
    _reseller(page)
    number = page.request.form.get("number", "")[:64]
    try:
        added = page.ctx.backends.numbering.add_number(page.ctx.actor, {"number": number})
    except SwitchboardError as exc:
        if exc.status not in (409, 422):
            raise
        return pool(page, errors={"number": exc.message}, status=exc.status, error=exc.message)
    return page.redirect("/numbers", flash="numbers.added", number=added["number"])


@portal.route("POST", "/numbers/settings")
def settings(page: Page) -> Response:
    _reseller(page)
    raw = page.request.form.get("aging_days", "").strip()
    try:
        page.ctx.backends.numbering.set_pool_settings(
            page.ctx.actor, {"aging_days": int(raw) if raw.isdigit() else raw})
    except SwitchboardError as exc:
        if exc.status != 422:
            raise
        return pool(page, errors={"aging_days": page.t("numbers.aging_invalid")}, status=422,
                    error=page.t("error.form"))
    return page.redirect("/numbers", flash="numbers.settings_saved")


@portal.route("GET", "/numbers/export.csv")
def export(page: Page) -> Response:
    _reseller(page)
    rows = stream_numbers(page.ctx, _query(page))
    return Response(csv_lines(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="numbers.csv"'})


# -- import: a plain form works without script; portal.js adds the progress bar --------------
@portal.route("POST", "/numbers/imports")
def import_start(page: Page) -> Response:
    """Script path, step 1: open an import so its progress can be polled."""
    _reseller(page)
    size = page.request.form.get("size", "")
    total = int(size) if size.isdigit() else None
    import_id = page.ctx.backends.numbering.start_import(page.ctx.actor, total)
    return json_response({"import_id": import_id}, 201)


@portal.route("POST", "/numbers/import")
def import_file(page: Page) -> Response:
    """The upload (multipart: csrf_token, file and, from the script, import_id)."""
    _reseller(page)
    chunks, total = upload_chunks(page.request)
    raw_id = page.request.form.get("import_id", "")
    try:
        report = run_import(page.ctx, chunks, total, int(raw_id) if raw_id.isdigit() else None)
    except SwitchboardError as exc:
        if exc.status not in (400, 413, 415, 422):
            raise
        return pool(page, status=exc.status, error=exc.message)
    return page.redirect(f"/numbers/imports/{report['import_id']}")


@portal.route("GET", "/numbers/imports/{import_id}/progress")
def import_progress(page: Page, import_id: str) -> Response:
    _reseller(page)
    if not import_id.isdigit():
        raise NotFound("no such import")
    report = page.ctx.backends.numbering.import_report(page.ctx.actor, int(import_id), False)
    return json_response({k: report[k] for k in ("status", "lines_read", "added", "rejected",
                                                 "bytes_read", "bytes_total")})


@portal.route("GET", "/numbers/imports/{import_id}")
def import_result(page: Page, import_id: str) -> Response:
    _reseller(page)
    if not import_id.isdigit():
        raise NotFound("no such import")
    report = page.ctx.backends.numbering.import_report(page.ctx.actor, int(import_id))
    return page.render("numbers_import.html", report=report)


# -- a customer's numbers ---------------------------------------------------------------------
@portal.route("GET", "/customers/{customer_id}/numbers")
def customer_numbers(page: Page, customer_id: str, errors: dict[str, str] | None = None,
                     status: int = 200, error: str | None = None,
                     values: dict[str, str] | None = None) -> Response:
    customer = page.accounts.get_customer(page.ctx.actor, customer_id)
    numbers = page.ctx.backends.numbering.customer_numbers(page.ctx.actor, customer_id)
    return page.render("numbers_customer.html", status=status, customer=customer,
                       numbers=numbers["numbers"], errors=errors or {}, error=error,
                       values=values or {"country": customer["country"]})


def _request(page: Page, customer_id: str, payload: dict[str, Any], values: dict[str, str]
             ) -> Response:
    try:
        page.ctx.backends.numbering.request_numbers(page.ctx.actor, customer_id, payload)
    except SwitchboardError as exc:
        if exc.status not in (404, 409, 422) or exc.message == "no such customer":
            raise
        return customer_numbers(page, customer_id, errors=field_errors(exc), status=exc.status,
                                error=exc.message, values=values)
    return page.redirect(f"/customers/{customer_id}/numbers", flash="numbers.assigned")


@portal.route("POST", "/customers/{customer_id}/numbers/assign")
def assign(page: Page, customer_id: str) -> Response:
    form = page.request.form
    text = form.get("numbers", "")[:20_000]
    wanted = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
    payload = {"numbers": wanted or [""], "reserve": form.get("reserve") == "on"}
    return _request(page, customer_id, payload, {"numbers": text})


@portal.route("POST", "/customers/{customer_id}/numbers/order")
def order(page: Page, customer_id: str) -> Response:
    form = page.request.form
    values = {k: form.get(k, "").strip()[:8] for k in ("count", "country", "area_code")}
    payload: dict[str, Any] = {"count": int(values["count"]) if values["count"].isdigit()
                               else values["count"]}
    payload.update({k: values[k] for k in ("country", "area_code") if values[k]})
    return _request(page, customer_id, payload, values)


@portal.route("POST", "/customers/{customer_id}/numbers/release")
def release(page: Page, customer_id: str) -> Response:
    number = page.request.form.get("number", "")[:64]
    page.ctx.backends.numbering.unassign_number(page.ctx.actor, customer_id, number)
    return page.redirect(f"/customers/{customer_id}/numbers", flash="numbers.released",
                         number=number)
