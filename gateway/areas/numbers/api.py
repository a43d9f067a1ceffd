"""Phone numbers in the JSON API: the reseller's pool, imports, and customers' numbers."""

from __future__ import annotations

import base64
import contextlib
from collections.abc import Iterator
from itertools import chain
from typing import Any

import eventlet
from werkzeug.wrappers import Response

from sbcommon.actor import sign_actor
from sbcommon.contracts.numbering import (
    ImportReport,
    NumberAdd,
    NumberHolder,
    NumberList,
    NumberPage,
    NumberQuery,
    NumberQuota,
    NumberQuotaSet,
    NumberRequest,
    PhoneNumber,
    PoolSettings,
)
from sbcommon.contracts.rpc import NumberingRpc
from sbcommon.errors import BadRequest
from sbcommon.textlines import BinaryFile, line_blocks

from ...framework.context import Ctx
from ...framework.http import UnsupportedMediaType
from ...framework.routing import STAFF, Router
from ...framework.streams import csv_download, upload_chunks

api = Router()

IN_FLIGHT = 2  # blocks sent at once: while one is written to PostgreSQL the next is parsed
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


@api.route("POST", "/numbers", body=NumberAdd, response=PhoneNumber, status=201,
           errors=(409, 422), summary="Add one number to your pool")
def add_number(ctx: Ctx, body: NumberAdd) -> Any:
    return ctx.backends.numbering.add_number(ctx.actor, body.model_dump())


@api.route("GET", "/numbers", query=NumberQuery, response=NumberPage,
           summary="Search the inventory by state, country, prefix, area code, customer")
def list_numbers(ctx: Ctx, query: NumberQuery) -> Any:
    return ctx.backends.numbering.list_numbers(ctx.actor, query.model_dump())


@api.route("GET", "/numbers/export.csv", query=NumberQuery, content_type="text/csv",
           summary="The search as CSV (all pages)")
def export_numbers(ctx: Ctx, query: NumberQuery) -> Response:
    return numbers_csv(ctx, query)


@api.route("POST", "/numbers/import", response=ImportReport, raw_body=UPLOAD_BODY, upload=True,
           errors=(413, 415), summary="Import numbers from a .txt file, one per line")
def import_numbers(ctx: Ctx) -> Any:
    chunks, total = upload_chunks(ctx.request, ctx.settings.import_max_bytes)
    return stream_import(ctx.backends.numbering, ctx.actor, chunks, total)


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
           summary="Assign given numbers, or order count numbers by country/area code")
def request_numbers(ctx: Ctx, customer_id: str, body: NumberRequest) -> Any:
    return ctx.backends.numbering.request_numbers(ctx.actor, customer_id,
                                                  body.model_dump(exclude_none=True))


@api.route("GET", "/customers/{customer_id}/number-quota", response=NumberQuota,
           errors=(404,), summary="How many numbers the customer may hold when it orders "
                                  "them itself, and how many it holds")
def get_number_quota(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.numbering.get_number_quota(ctx.actor, customer_id)


@api.route("PUT", "/customers/{customer_id}/number-quota", body=NumberQuotaSet,
           response=NumberQuota, roles=STAFF, errors=(404, 403),
           summary="Set the customer's number quota (null: the platform's default)")
def set_number_quota(ctx: Ctx, customer_id: str, body: NumberQuotaSet) -> Any:
    return ctx.backends.numbering.set_number_quota(ctx.actor, customer_id, body.model_dump())


@api.route("DELETE", "/customers/{customer_id}/numbers/{number}", response=PhoneNumber,
           errors=(404,), summary="Return a number to the pool (through aging if set)")
def unassign_number(ctx: Ctx, customer_id: str, number: str) -> Any:
    return ctx.backends.numbering.unassign_number(ctx.actor, customer_id, number)


@api.route("PUT", "/customers/{customer_id}/numbers/{number}/user", body=NumberHolder,
           response=PhoneNumber, errors=(403, 404, 409, 422),
           summary="Give one of the account's numbers to one of its users (null: the account)")
def set_number_user(ctx: Ctx, customer_id: str, number: str, body: NumberHolder) -> Any:
    return ctx.backends.numbering.set_number_user(ctx.actor, customer_id, number,
                                                  body.model_dump())


# -- shared with the portal -----------------------------------------------------------------
def _import_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:  # "³" is a digit to Python
        raise BadRequest("import ids are numbers")
    return int(raw)


def numbers_csv(ctx: Ctx, query: NumberQuery) -> Response:
    numbering, payload = ctx.backends.numbering, query.model_dump()
    return csv_download(lambda after: numbering.export_numbers(ctx.actor, payload, after),
                        "numbers.csv")


def stream_import(numbering: NumberingRpc, actor: dict[str, Any], chunks: Iterator[bytes],
                  total: int | None, import_id: int | None = None) -> dict[str, Any]:
    """Stream the upload to numbering in blocks of whole lines; numbering reads them, keeps
    the import's state and fails it by itself if the blocks stop coming (this process
    restarting mid-upload, say)."""
    blocks = line_blocks(chunks)
    try:
        first = next(blocks, None)
    except BinaryFile:
        raise UnsupportedMediaType("the file holds binary data; send a text file") from None
    if import_id is None:
        import_id = numbering.start_import(actor, total)
    in_flight: list[Any] = []
    try:
        for first_line, block, read in chain([first] if first else [], blocks):
            if len(in_flight) >= IN_FLIGHT:
                in_flight.pop(0).wait()  # re-raises the block's error, if any
            # signed anew for each block: an upload may outlast one actor signature
            in_flight.append(eventlet.spawn(numbering.feed_import, sign_actor(actor),
                                            import_id, first_line,
                                            base64.b64encode(block).decode(), read))
        for pending in in_flight:
            pending.wait()
    except BinaryFile as exc:
        failure = f"{exc}; the lines before it were imported"
        _stop(numbering, actor, import_id, in_flight, failure)
        raise UnsupportedMediaType(failure) from None
    except Exception as exc:
        _stop(numbering, actor, import_id, in_flight, f"the upload stopped: {exc}")
        raise
    return numbering.finish_import(sign_actor(actor), import_id)


def _stop(numbering: NumberingRpc, actor: dict[str, Any], import_id: int,
          in_flight: list[Any], failure: str) -> None:
    for pending in in_flight:
        # The first error is the one reported; later blocks only need to have ended.
        with contextlib.suppress(Exception):
            pending.wait()
    numbering.finish_import(sign_actor(actor), import_id, failure)
