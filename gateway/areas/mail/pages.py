"""Portal pages of e-mail and documents: a customer's E-mails tab (send access codes, a
statement or a message; its mail log), the customer list's exports and the mail log."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sbcommon.contracts.notifications import ExportQuery, MailLogQuery, MessageRequest
from sbcommon.validation import parse

from ...framework.forms import Form
from ...framework.http import query_dict
from ...framework.portal import Page
from ...framework.routing import STAFF, Router
from .api import csv_export, pdf_export

pages = Router()


def _export_query(page: Page) -> ExportQuery:
    return parse(ExportQuery, query_dict(page.request), "query")


@pages.route("GET", "/customers/export.csv")
def portal_export_csv(page: Page) -> Response:
    return page.finish(csv_export(page.ctx, _export_query(page)))


@pages.route("GET", "/customers/export.pdf")
def portal_export_pdf(page: Page) -> Response:
    return page.finish(pdf_export(page.ctx, _export_query(page)))


@pages.route("GET", "/customers/{customer_id}/emails", roles=STAFF)
def customer_emails(page: Page, customer_id: str, status: int = 200, **values: Any
                    ) -> Response:
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    log_page = page.backends.notifications.list_mail(
        page.actor, {"customer_id": customer_id, "per_page": 20})
    values["values"] = values.get("values") or {}
    values["errors"] = values.get("errors") or {}
    return page.render("mail_customer.html", status=status, customer=customer,
                       mail=log_page, **values)


# What was typed stays in the form when the e-mail cannot be sent.
SEND = Form(customer_emails, fields=("subject", "body"), max_length=20_000,
            on=(409, 422, 429))


@pages.route("POST", "/customers/{customer_id}/emails/access-codes", form=SEND)
def portal_access_codes(page: Page, customer_id: str, values: dict[str, str]) -> Response:
    page.backends.accounts.issue_access_codes(page.actor, customer_id)
    return _sent(page, customer_id, "access_codes")


@pages.route("POST", "/customers/{customer_id}/emails/statement", form=SEND)
def portal_statement(page: Page, customer_id: str, values: dict[str, str]) -> Response:
    page.backends.notifications.send_statement(page.actor, customer_id)
    return _sent(page, customer_id, "statement")


@pages.route("POST", "/customers/{customer_id}/emails/message", form=SEND)
def portal_message(page: Page, customer_id: str, values: dict[str, str]) -> Response:
    form = page.request.form
    payload = {"subject": form.get("subject", "")[:1000], "body": form.get("body", "")[:50_000]}
    body = parse(MessageRequest, payload, "form")
    page.backends.notifications.send_message(page.actor, customer_id, body.model_dump())
    return _sent(page, customer_id, "message")


def _sent(page: Page, customer_id: str, kind: str) -> Response:
    return page.redirect(f"/customers/{customer_id}/emails", flash=f"mail.queued_{kind}")


@pages.route("GET", "/mail-log", roles=STAFF)
def mail_log_page(page: Page) -> Response:
    args = page.request.args
    raw = {k: args.get(k) for k in ("status", "page") if args.get(k)}
    try:
        query = MailLogQuery.model_validate({**raw, "per_page": 50})
    except ValueError:
        query = MailLogQuery(per_page=50)
    result = page.backends.notifications.list_mail(page.actor, query.model_dump())
    return page.render("mail_log.html", result=result, query=query)
