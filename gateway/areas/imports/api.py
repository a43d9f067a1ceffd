"""Imports of a company's users in the JSON API: upload (preview), apply, report."""

from __future__ import annotations

import base64
import contextlib
import time
from collections.abc import Iterator
from typing import Annotated, Any

import eventlet
from pydantic import Field, StringConstraints
from werkzeug.wrappers import Response

from sbcommon.actor import sign_actor
from sbcommon.contracts.accounts import Strict
from sbcommon.contracts.rpc import AccountsRpc
from sbcommon.contracts.user_imports import (
    ImportFormat,
    UserImportQuery,
    UserImportReport,
    UserImportStart,
    UserImportSummary,
)
from sbcommon.errors import BadRequest
from sbcommon.validation import parse

from ...framework.context import Ctx
from ...framework.http import json_response
from ...framework.routing import RESELLER, Router
from ...framework.streams import CSV_TYPES, csv_download, upload_chunks

api = Router()

FEED_BYTES = 256 * 1024  # bytes of one chunk sent to accounts
PREVIEW_WAIT = 15.0  # seconds the upload's answer waits for the preview before a 202
UPLOAD_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"},
                     "example": "User Id,Last Name,First Name,Phone Number,Extension,"
                                "Email Address\n5145551221@voip.example.net,Girard,Hélène,"
                                "5145551221,1221,helene.girard@example.net\n"},
        "multipart/form-data": {"schema": {
            "type": "object", "properties": {
                "file": {"type": "string", "format": "binary"},
                "customer_id": {"type": "string"}, "new_account_name": {"type": "string"},
                "format": {"type": "string"}},
            "required": ["file"]}},
    },
}


class UploadOptions(Strict):
    """Where the users go (one of the two), and the format if it must be forced; in the
    query string, or as fields of a multipart upload."""

    customer_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    new_account_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    format: ImportFormat | None = Field(default=None, description="Recognised when omitted")


@api.route("POST", "/customers/imports", query=UploadOptions, response=UserImportReport,
           status=201, raw_body=UPLOAD_BODY, upload=True, roles=RESELLER,
           errors=(404, 409, 413, 415, 422),
           summary="Preview an import of a company's users from a Google Workspace, "
                   "Microsoft 365 or BroadWorks CSV export (the answer waits up to 15 s for "
                   "the preview; status previewing: poll the import until it is ready)")
def upload(ctx: Ctx, query: UploadOptions) -> Any:
    return receive(ctx, query.model_dump(exclude_none=True))


@api.route("POST", "/customers/imports/{import_id}/apply", response=UserImportSummary,
           status=202, roles=RESELLER, errors=(404, 409),
           summary="Apply a previewed import (in the background; poll its progress)")
def apply(ctx: Ctx, import_id: str) -> Any:
    out = ctx.backends.accounts.apply_user_import(ctx.actor, import_id_of(import_id))
    return json_response(out, 202)


@api.route("GET", "/customers/imports/{import_id}", query=UserImportQuery,
           response=UserImportReport, roles=RESELLER, errors=(404,),
           summary="An import's status, progress, counts and report rows (paged)")
def read(ctx: Ctx, import_id: str, query: UserImportQuery) -> Any:
    return ctx.backends.accounts.user_import_report(ctx.actor, import_id_of(import_id),
                                                    query.model_dump(exclude_none=True))


@api.route("GET", "/customers/imports/{import_id}/report.csv", roles=RESELLER,
           content_type="text/csv", errors=(404,),
           summary="The import's report as CSV (cells that a spreadsheet would run as "
                   "formulas are written with a leading apostrophe)")
def report_csv(ctx: Ctx, import_id: str) -> Response:
    return report_download(ctx, import_id_of(import_id))


# -- shared with the portal -----------------------------------------------------------------
def report_download(ctx: Ctx, import_id: int) -> Response:
    accounts, actor = ctx.backends.accounts, ctx.actor
    return csv_download(lambda after: accounts.export_user_import(actor, import_id, after),
                        f"user-import-{import_id}.csv")


def import_id_of(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        raise BadRequest("import ids are numbers")
    return int(raw)


def receive(ctx: Ctx, options: dict[str, Any], import_id: int | None = None) -> dict[str, Any]:
    """Stream the upload to accounts, then wait a little for the preview."""
    chunks, total = upload_chunks(ctx.request, ctx.settings.import_max_bytes, CSV_TYPES,
                                  "a .csv or .txt file as text/csv")
    if ctx.request.mimetype == "multipart/form-data":
        form = ctx.request.form
        options = {**{k: form[k] for k in ("customer_id", "new_account_name", "format")
                      if form.get(k)}, **options}
    accounts = ctx.backends.accounts
    if import_id is None:
        start = parse(UserImportStart, options)
        import_id = accounts.start_user_import(ctx.actor, start.model_dump(exclude_none=True),
                                               total)["import_id"]
    stream_file(accounts, ctx.actor, import_id, chunks)
    return wait_for_preview(accounts, ctx.actor, import_id, PREVIEW_WAIT)


def _pieces(chunks: Iterator[bytes]) -> Iterator[bytes]:
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        if len(buffer) >= FEED_BYTES:
            yield buffer
            buffer = b""
    if buffer:
        yield buffer


def stream_file(accounts: AccountsRpc, actor: dict[str, Any], import_id: int,
                chunks: Iterator[bytes]) -> dict[str, Any]:
    """Feed the file in order; an upload that stops fails the import (accounts would fail
    it by itself if this process went away)."""
    try:
        for seq, piece in enumerate(_pieces(chunks), 1):
            # signed anew for each chunk: an upload may outlast one actor signature
            accounts.feed_user_import(sign_actor(actor), import_id, seq,
                                      base64.b64encode(piece).decode())
    except Exception as exc:
        with contextlib.suppress(Exception):
            accounts.finish_user_import(sign_actor(actor), import_id,
                                        f"the upload stopped: {str(exc)[:150]}")
        raise
    return accounts.finish_user_import(sign_actor(actor), import_id)


def wait_for_preview(accounts: AccountsRpc, actor: dict[str, Any], import_id: int,
                     seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = accounts.user_import_progress(sign_actor(actor), import_id)
        if state["status"] != "previewing":
            break
        eventlet.sleep(0.2)
    return accounts.user_import_report(sign_actor(actor), import_id, {})


