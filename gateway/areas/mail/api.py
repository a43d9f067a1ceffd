"""E-mail and documents in the JSON API: send access codes, statements and messages to a
customer, export the customer list (CSV streamed page by page, PDF), and the mail log.

Every call passes the actor; the notifications and accounts services enforce scope.
"""

from __future__ import annotations

import base64
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

from ...framework.context import Ctx
from ...framework.routing import Router
from ...framework.streams import csv_download

api = Router()


# -- shared by the API and the portal -----------------------------------------------------
def _export_language(ctx: Ctx, query: ExportQuery) -> str:
    return query.lang or ctx.user.get("language") or "fr"


def _filename(extension: str) -> str:
    return f"customers-{datetime.now(UTC).date()}.{extension}"


def csv_export(ctx: Ctx, query: ExportQuery) -> Response:
    """The customer list as CSV, one page of customers at a time."""
    language = _export_language(ctx, query)
    payload = query.model_dump(mode="json")
    notifications = ctx.backends.notifications
    return csv_download(
        lambda page: notifications.export_csv_page(ctx.actor, payload, page or 1, language),
        _filename("csv"))


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
