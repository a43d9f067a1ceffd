"""E-mail and documents (issue 6): send access codes, statements and messages to a customer,
export the customer list (CSV streamed page by page, PDF), and the mail log; API and portal.

Every call passes the actor; the notifications and accounts services enforce scope.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from werkzeug.wrappers import Response

from sbcommon.contracts.notifications import (
    ExportQuery,
    MailLogPage,
    MailLogQuery,
    MailQueued,
    MessageRequest,
)
from sbcommon.errors import SwitchboardError

from ..api import api
from ..portal.views import CUSTOMER_TABS, FLASH_KEYS, NAV, NavItem, Page, field_errors, portal
from ..web import Ctx, parse_model, query_dict

log = logging.getLogger(__name__)

CUSTOMER_TABS.append(NavItem("/emails", "tab.emails", ("admin", "reseller"), order=50))
NAV.append(NavItem("/mail-log", "nav.mail_log", ("admin", "reseller"), order=30))
FLASH_KEYS.update({"mail.queued_access_codes", "mail.queued_statement", "mail.queued_message"})


# -- shared by the API and the portal -----------------------------------------------------
def _export_language(ctx: Ctx, query: ExportQuery) -> str:
    return query.lang or ctx.user.get("language") or "fr"


def _filename(extension: str) -> str:
    return f"customers-{datetime.now(UTC).date()}.{extension}"


def csv_export(ctx: Ctx, query: ExportQuery) -> Response:
    """Streams the CSV one page of 100 customers at a time: neither the gateway nor the
    services ever hold the whole list. The first page is fetched before answering, so a
    bad filter or a scope error is a clean 4xx rather than a cut download."""
    language = _export_language(ctx, query)
    payload = query.model_dump(mode="json")
    notifications = ctx.backends.notifications
    first = notifications.export_csv_page(ctx.actor, payload, 1, language)

    def pages() -> Iterator[bytes]:
        yield first["csv"].encode("utf-8")
        for page in range(2, first["pages"] + 1):
            try:
                chunk = notifications.export_csv_page(ctx.actor, payload, page, language)
            except Exception:
                # Headers are gone already: the client sees a truncated download.
                log.exception("CSV export stopped at page %d of %d", page, first["pages"])
                raise
            yield chunk["csv"].encode("utf-8")

    return Response(pages(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{_filename("csv")}"',
        "X-Total-Count": str(first["total"]),
    })


def pdf_export(ctx: Ctx, query: ExportQuery) -> Response:
    result = ctx.backends.notifications.export_pdf(
        ctx.actor, query.model_dump(mode="json"), _export_language(ctx, query))
    return Response(base64.b64decode(result["pdf"]), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{_filename("pdf")}"',
        "X-Total-Count": str(result["total"]),
    })


def _queued(kind: str, result: dict[str, Any]) -> MailQueued:
    return MailQueued(message=f"the {kind} e-mail to {result['recipient']} is queued",
                      mail_id=result["id"])


# -- API ------------------------------------------------------------------------------------
@api.route("POST", "/customers/{customer_id}/emails/access-codes", response=MailQueued,
           status=202, errors=(403, 404, 409, 429),
           summary="E-mail the customer its identifier and a single-use link to choose a PIN")
def send_access_codes(ctx: Ctx, customer_id: str) -> Any:
    result = ctx.backends.accounts.issue_access_codes(ctx.actor, customer_id)
    return MailQueued(message=f"the access codes are on their way to {result['email']}")


@api.route("POST", "/customers/{customer_id}/emails/statement", response=MailQueued,
           status=202, errors=(403, 404, 422),
           summary="E-mail the customer its subscription statement (PDF attached)")
def send_statement(ctx: Ctx, customer_id: str) -> Any:
    return _queued("statement", ctx.backends.notifications.send_statement(ctx.actor,
                                                                         customer_id))


@api.route("POST", "/customers/{customer_id}/emails/message", body=MessageRequest,
           response=MailQueued, status=202, errors=(403, 404, 413, 422),
           summary="E-mail the customer a message (plain text, shown escaped)")
def send_message(ctx: Ctx, customer_id: str, body: MessageRequest) -> Any:
    return _queued("message", ctx.backends.notifications.send_message(
        ctx.actor, customer_id, body.model_dump()))


@api.route("GET", "/customers/export.csv", query=ExportQuery, errors=(403,),
           content_type="text/csv",
           summary="The customer list as CSV (UTF-8 with BOM, streamed; the list's filters)")
def export_csv(ctx: Ctx, query: ExportQuery) -> Response:
    return csv_export(ctx, query)


@api.route("GET", "/customers/export.pdf", query=ExportQuery, errors=(403,),
           content_type="application/pdf",
           summary="The customer list as a paginated PDF (at most 5 000 rows)")
def export_pdf(ctx: Ctx, query: ExportQuery) -> Response:
    return pdf_export(ctx, query)


@api.route("GET", "/mail-log", query=MailLogQuery, response=MailLogPage, errors=(403,),
           summary="Delivery log of your e-mail: sent, waiting, failed with the reason")
def mail_log(ctx: Ctx, query: MailLogQuery) -> Any:
    return ctx.backends.notifications.list_mail(ctx.actor, query.model_dump())


# -- portal ---------------------------------------------------------------------------------
def _export_query(page: Page) -> ExportQuery:
    return parse_model(ExportQuery, query_dict(page.request), "query")


@portal.route("GET", "/customers/export.csv")
def portal_export_csv(page: Page) -> Response:
    return page.finish(csv_export(page.ctx, _export_query(page)))


@portal.route("GET", "/customers/export.pdf")
def portal_export_pdf(page: Page) -> Response:
    return page.finish(pdf_export(page.ctx, _export_query(page)))


def _emails_page(page: Page, customer_id: str, status: int = 200, **values: Any) -> Response:
    customer = page.accounts.get_customer(page.ctx.actor, customer_id)
    log_page = page.ctx.backends.notifications.list_mail(
        page.ctx.actor, {"customer_id": customer_id, "per_page": 20})
    values.setdefault("values", {})
    values.setdefault("errors", {})
    return page.render("mail_customer.html", status=status, customer=customer,
                       mail=log_page, **values)


@portal.route("GET", "/customers/{customer_id}/emails")
def customer_emails(page: Page, customer_id: str) -> Response:
    if page.ctx.actor["role"] == "customer":
        return page.render("error.html", status=404, message=page.t("error.not_found"))
    return _emails_page(page, customer_id)


def _portal_send(page: Page, customer_id: str, kind: str, send: Any) -> Response:
    try:
        send()
    except SwitchboardError as exc:
        if exc.status not in (409, 422, 429):
            raise
        form = page.request.form
        return _emails_page(page, customer_id, status=exc.status, error=exc.message,
                            errors=field_errors(exc),
                            values={k: form.get(k, "")[:20_000] for k in ("subject", "body")})
    return page.redirect(f"/customers/{customer_id}/emails", flash=f"mail.queued_{kind}")


@portal.route("POST", "/customers/{customer_id}/emails/access-codes")
def portal_access_codes(page: Page, customer_id: str) -> Response:
    return _portal_send(page, customer_id, "access_codes", lambda: (
        page.accounts.issue_access_codes(page.ctx.actor, customer_id)))


@portal.route("POST", "/customers/{customer_id}/emails/statement")
def portal_statement(page: Page, customer_id: str) -> Response:
    return _portal_send(page, customer_id, "statement", lambda: (
        page.ctx.backends.notifications.send_statement(page.ctx.actor, customer_id)))


@portal.route("POST", "/customers/{customer_id}/emails/message")
def portal_message(page: Page, customer_id: str) -> Response:
    form = page.request.form
    payload = {"subject": form.get("subject", "")[:1000], "body": form.get("body", "")[:50_000]}

    def send() -> Any:
        body = parse_model(MessageRequest, payload, "form")
        return page.ctx.backends.notifications.send_message(page.ctx.actor, customer_id,
                                                            body.model_dump())

    return _portal_send(page, customer_id, "message", send)


@portal.route("GET", "/mail-log")
def mail_log_page(page: Page) -> Response:
    if page.ctx.actor["role"] == "customer":
        return page.render("error.html", status=404, message=page.t("error.not_found"))
    args = page.request.args
    raw = {k: args.get(k) for k in ("status", "page") if args.get(k)}
    try:
        query = MailLogQuery.model_validate({**raw, "per_page": 50})
    except ValueError:
        query = MailLogQuery(per_page=50)
    result = page.ctx.backends.notifications.list_mail(page.ctx.actor, query.model_dump())
    return page.render("mail_log.html", result=result, query=query)
