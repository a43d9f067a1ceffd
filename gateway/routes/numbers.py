"""Phone numbers: the reseller's pool, imports, and customers' numbers (API /api/v1)."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from typing import Any

import eventlet
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from sbcommon.config import env_int
from sbcommon.contracts.numbering import (
    ImportReport,
    NumberAdd,
    NumberList,
    NumberPage,
    NumberQuery,
    NumberRequest,
    PhoneNumber,
    PoolSettings,
)
from sbcommon.errors import BadRequest, SwitchboardError
from sbcommon.textlines import BinaryFile, iter_lines

from ..api import api
from ..web import Ctx, PayloadTooLarge, query_dict

MAX_IMPORT_BYTES = env_int("SB_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
BATCH_LINES = 2000
IN_FLIGHT = 2
CHUNK = 64 * 1024
UPLOAD_BODY = {
    "required": True,
    "content": {
        "text/plain": {"schema": {"type": "string"},
                       "example": "+1 (514) 555-1212\n+44 7979-123456\n"},
        "multipart/form-data": {"schema": {
            "type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
            "required": ["file"]}},
    },
}


class UnsupportedMediaType(SwitchboardError):
    status = 415
    code = "unsupported_media_type"


@api.route("POST", "/numbers", body=NumberAdd, response=PhoneNumber, status=201,
           errors=(409, 422), summary="Add one number to your pool (F61)")
def add_number(ctx: Ctx, body: NumberAdd) -> Any:
    return ctx.backends.numbering.add_number(ctx.actor, body.model_dump())


@api.route("GET", "/numbers", query=NumberQuery, response=NumberPage,
           summary="Search the inventory by state, country, prefix, area code, customer")
def list_numbers(ctx: Ctx, query: NumberQuery) -> Any:
    return ctx.backends.numbering.list_numbers(ctx.actor, query.model_dump())


@api.route("GET", "/numbers/export.csv", query=NumberQuery, content_type="text/csv",
           summary="The search as CSV (all pages)")
def export_numbers(ctx: Ctx, query: NumberQuery) -> Response:
    rows = stream_numbers(ctx, query)
    return Response(csv_lines(rows), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="numbers.csv"'})


@api.route("POST", "/numbers/import", response=ImportReport, raw_body=UPLOAD_BODY,
           errors=(413, 415), summary="Import numbers from a .txt file, one per line (F62)")
def import_numbers(ctx: Ctx) -> Any:
    chunks, total = upload_chunks(ctx.request)
    return run_import(ctx, chunks, total)


@api.route("GET", "/numbers/imports/{import_id}", response=ImportReport, errors=(404,),
           summary="An import's progress and report")
def import_report(ctx: Ctx, import_id: str) -> Any:
    return ctx.backends.numbering.import_report(ctx.actor, _import_id(import_id))


@api.route("GET", "/numbers/settings", response=PoolSettings, summary="Pool settings")
def get_settings(ctx: Ctx) -> Any:
    return ctx.backends.numbering.get_pool_settings(ctx.actor)


@api.route("PUT", "/numbers/settings", body=PoolSettings, response=PoolSettings,
           summary="Set the aging period of released numbers")
def put_settings(ctx: Ctx, body: PoolSettings) -> Any:
    return ctx.backends.numbering.set_pool_settings(ctx.actor, body.model_dump())


@api.route("GET", "/customers/{customer_id}/numbers", response=NumberList, errors=(404,),
           summary="A customer's numbers")
def customer_numbers(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.numbering.customer_numbers(ctx.actor, customer_id)


@api.route("POST", "/customers/{customer_id}/numbers", body=NumberRequest, response=NumberList,
           status=201, errors=(404, 409),
           summary="Assign given numbers, or order count numbers by country/area code (F60)")
def request_numbers(ctx: Ctx, customer_id: str, body: NumberRequest) -> Any:
    return ctx.backends.numbering.request_numbers(ctx.actor, customer_id,
                                                  body.model_dump(exclude_none=True))


@api.route("DELETE", "/customers/{customer_id}/numbers/{number}", response=PhoneNumber,
           errors=(404,), summary="Return a number to the pool (through aging if set)")
def unassign_number(ctx: Ctx, customer_id: str, number: str) -> Any:
    return ctx.backends.numbering.unassign_number(ctx.actor, customer_id, number)


# -- helpers shared with the portal ---------------------------------------------------------
def _import_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # "³" is a digit to Python
        raise BadRequest("import ids are numbers")
    return int(raw)


def upload_chunks(request: Request) -> tuple[Iterator[bytes], int | None]:
    """The uploaded file as a stream of chunks: a text/plain body or a multipart `file`.

    werkzeug spools a large multipart file to disk, so neither way holds it in memory.
    """
    total = request.content_length
    if total is not None and total > MAX_IMPORT_BYTES:
        raise PayloadTooLarge(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    if request.mimetype == "multipart/form-data":
        request.max_content_length = MAX_IMPORT_BYTES
        try:
            upload = request.files.get("file")
        except RequestEntityTooLarge:
            raise PayloadTooLarge("the file is too large") from None
        if upload is None:
            raise BadRequest("send the file in a multipart field named 'file'")
        return iter(lambda: upload.stream.read(CHUNK), b""), total
    if request.mimetype in ("text/plain", "application/octet-stream", ""):
        return _limited(iter(lambda: request.stream.read(CHUNK), b"")), total
    raise UnsupportedMediaType("send a .txt file as text/plain or multipart/form-data")


def _limited(chunks: Iterator[bytes]) -> Iterator[bytes]:
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > MAX_IMPORT_BYTES:
            raise PayloadTooLarge("the file is too large")
        yield chunk


def run_import(ctx: Ctx, chunks: Iterator[bytes], total: int | None,
               import_id: int | None = None) -> dict[str, Any]:
    """Stream the upload to the numbering service in batches, two in flight: while one
    batch is written to PostgreSQL the next is parsed, so both cores work."""
    numbering = ctx.backends.numbering
    first = next(chunks, b"")
    if b"\x00" in first:
        raise UnsupportedMediaType("the file holds binary data; send a text file")
    if import_id is None:
        import_id = numbering.start_import(ctx.actor, total)
    in_flight: list[Any] = []

    def send(batch: list[list[Any]], read: int) -> None:
        if len(in_flight) >= IN_FLIGHT:
            in_flight.pop(0).wait()  # re-raises the batch's error, if any
        in_flight.append(eventlet.spawn(numbering.import_batch, ctx.actor, import_id, batch,
                                        read))

    try:
        batch: list[list[Any]] = []
        read = 0
        for line_no, text, read in iter_lines(_chain(first, chunks)):
            batch.append([line_no, text])
            if len(batch) >= BATCH_LINES:
                send(batch, read)
                batch = []
        if batch:
            send(batch, read)
        for pending in in_flight:
            pending.wait()
    except BinaryFile as exc:
        _abandon(numbering, ctx, import_id, in_flight)
        raise UnsupportedMediaType(f"{exc}; the lines before it were imported") from None
    except Exception:
        _abandon(numbering, ctx, import_id, in_flight)
        raise
    return numbering.finish_import(ctx.actor, import_id)


def _abandon(numbering: Any, ctx: Ctx, import_id: int, in_flight: list[Any]) -> None:
    for pending in in_flight:
        # The first error is the one reported; later batches only need to have ended.
        with contextlib.suppress(Exception):
            pending.wait()
    numbering.finish_import(ctx.actor, import_id, True)


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def stream_numbers(ctx: Ctx, query: NumberQuery) -> Iterator[dict[str, Any]]:
    after = None
    while True:
        chunk = ctx.backends.numbering.export_numbers(ctx.actor, query.model_dump(), after)
        yield from chunk
        if len(chunk) < 2000:
            return
        after = chunk[-1]["number"]


CSV_FIELDS = ("number", "state", "country", "area_code", "number_type", "region",
              "customer_id", "available_at", "created_at")


def csv_lines(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for row in rows:
        writer.writerow([row.get(f) or "" for f in CSV_FIELDS])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


__all__ = ["query_dict", "run_import", "upload_chunks"]
