"""Portal pages for phone numbers: the pool (filters, add, import with progress) and a
customer's Numbers tab (assign, order by area code, return to the pool)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError
from werkzeug.wrappers import Response

from sbcommon.contracts.numbering import NumberQuery
from sbcommon.errors import NotFound

from ...framework.forms import Form
from ...framework.http import json_response
from ...framework.portal import Page
from ...framework.routing import RESELLER, Router
from ...framework.streams import upload_chunks
from .api import numbers_csv, stream_import

pages = Router()

STATES = ("available", "reserved", "assigned", "aging")


def _query(page: Page) -> NumberQuery:
    args = page.request.args
    raw = {k: args.get(k) for k in ("state", "country", "prefix", "area_code", "page")
           if args.get(k)}
    try:
        return NumberQuery.model_validate({**raw, "per_page": 50})
    except ValidationError:
        return NumberQuery(per_page=50)


@pages.route("GET", "/numbers", roles=RESELLER)
def pool(page: Page, status: int = 200, values: dict[str, str] | None = None,
         errors: dict[str, str] | None = None, error: str | None = None) -> Response:
    query = _query(page)
    result = page.backends.numbering.list_numbers(page.actor, query.model_dump())
    settings = page.backends.numbering.get_pool_settings(page.actor)
    base = {k: v for k, v in query.model_dump().items()
            if v not in (None, "") and k not in ("page", "per_page")}

    def link(**changes: Any) -> str:
        return "/numbers?" + urlencode({**base, **changes})

    return page.render("numbers.html", status=status, result=result, query=query,
                       states=STATES, settings=settings, link=link, errors=errors or {},
                       error=error, export_link="/numbers/export.csv?" + urlencode(base))


@pages.route("POST", "/numbers/add", roles=RESELLER,
             form=Form(pool, fields=("number",), max_length=64, field="number"))
def add(page: Page, values: dict[str, str]) -> Response:
    added = page.backends.numbering.add_number(page.actor, values)
    return page.redirect("/numbers", flash="numbers.added", number=added["number"])


@pages.route("POST", "/numbers/settings", roles=RESELLER,
             form=Form(pool, fields=("aging_days",), on=(422,), field="aging_days",
                       messages={"aging_days": "numbers.aging_invalid"}))
def settings(page: Page, values: dict[str, str]) -> Response:
    raw = values["aging_days"]
    page.backends.numbering.set_pool_settings(
        page.actor, {"aging_days": int(raw) if raw.isdigit() else raw})
    return page.redirect("/numbers", flash="numbers.settings_saved")


@pages.route("GET", "/numbers/export.csv", roles=RESELLER)
def export(page: Page) -> Response:
    return page.finish(numbers_csv(page.ctx, _query(page)))


# -- import: a plain form works without script; portal.js adds the progress bar --------------
@pages.route("POST", "/numbers/imports", roles=RESELLER)
def import_start(page: Page) -> Response:
    """Script path, step 1: open an import so its progress can be polled."""
    size = page.request.form.get("size", "")
    total = int(size) if size.isdigit() else None
    import_id = page.backends.numbering.start_import(page.actor, total)
    return json_response({"import_id": import_id}, 201)


@pages.route("POST", "/numbers/import", roles=RESELLER, upload=True,
             form=Form(pool, on=(400, 413, 415, 422)))
def import_file(page: Page) -> Response:
    """The upload (multipart ``file``; csrf_token and, from the script, import_id in the
    query string: nothing is parsed from the body before the token is checked)."""
    chunks, total = upload_chunks(page.request, page.ctx.settings.import_max_bytes)
    raw_id = page.request.args.get("import_id", "")
    report = stream_import(page.backends.numbering, page.actor, chunks, total,
                           int(raw_id) if raw_id.isdigit() else None)
    return page.redirect(f"/numbers/imports/{report['import_id']}")


def _report(page: Page, import_id: str, with_rejections: bool) -> dict[str, Any]:
    if not import_id.isdigit():
        raise NotFound("no such import")
    return page.backends.numbering.import_report(page.actor, int(import_id), with_rejections)


@pages.route("GET", "/numbers/imports/{import_id}/progress", roles=RESELLER)
def import_progress(page: Page, import_id: str) -> Response:
    report = _report(page, import_id, False)
    return json_response({k: report[k] for k in ("status", "lines_read", "added", "rejected",
                                                 "bytes_read", "bytes_total")})


@pages.route("GET", "/numbers/imports/{import_id}", roles=RESELLER)
def import_result(page: Page, import_id: str) -> Response:
    return page.render("numbers_import.html", report=_report(page, import_id, True))


# -- a customer's numbers ---------------------------------------------------------------------
@pages.route("GET", "/customers/{customer_id}/numbers")
def customer_numbers(page: Page, customer_id: str, status: int = 200,
                     values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                     error: str | None = None) -> Response:
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    numbers = page.backends.numbering.customer_numbers(page.actor, customer_id)
    people = [] if page.actor.get("account_role") == "user" else \
        page.backends.accounts.list_account_users(page.actor, customer_id,
                                                  {"per_page": 500})["items"]
    return page.render("numbers_customer.html", status=status, customer=customer,
                       numbers=numbers["numbers"], errors=errors or {}, error=error,
                       values=values or {"country": customer["country"]}, people=people)


# A number that is not in the pool is a 404 the form shows; an unknown customer still ends
# on the error page, because the page itself cannot be drawn again.
ASSIGN = Form(customer_numbers, fields=("numbers",), max_length=20_000, on=(404, 409, 422))
ORDER = Form(customer_numbers, fields=("count", "country", "area_code"), max_length=8,
             on=(404, 409, 422))


@pages.route("POST", "/customers/{customer_id}/numbers/assign", form=ASSIGN)
def assign(page: Page, customer_id: str, values: dict[str, str]) -> Response:
    text = values["numbers"]
    wanted = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
    payload = {"numbers": wanted or [""], "reserve": page.request.form.get("reserve") == "on"}
    page.backends.numbering.request_numbers(page.actor, customer_id, payload)
    return page.redirect(f"/customers/{customer_id}/numbers", flash="numbers.assigned")


@pages.route("POST", "/customers/{customer_id}/numbers/order", form=ORDER)
def order(page: Page, customer_id: str, values: dict[str, str]) -> Response:
    payload: dict[str, Any] = {"count": int(values["count"]) if values["count"].isdigit()
                               else values["count"]}
    payload.update({k: values[k] for k in ("country", "area_code") if values[k]})
    page.backends.numbering.request_numbers(page.actor, customer_id, payload)
    return page.redirect(f"/customers/{customer_id}/numbers", flash="numbers.assigned")


@pages.route("POST", "/customers/{customer_id}/numbers/user")
def give_to_user(page: Page, customer_id: str) -> Response:
    """One of the account's numbers to one of its users, or back to the account."""
    number = page.request.form.get("number", "")[:64]
    user_id = page.request.form.get("user_id", "")[:64] or None
    page.backends.numbering.set_number_user(page.actor, customer_id, number,
                                            {"user_id": user_id})
    return page.redirect(f"/customers/{customer_id}/numbers", flash="numbers.user_set",
                         number=number)


@pages.route("POST", "/customers/{customer_id}/numbers/release")
def release(page: Page, customer_id: str) -> Response:
    number = page.request.form.get("number", "")[:64]
    page.backends.numbering.unassign_number(page.actor, customer_id, number)
    return page.redirect(f"/customers/{customer_id}/numbers", flash="numbers.released",
                         number=number)
