"""Streaming in and out: uploads read chunk by chunk, CSV exports page by page."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Request, Response

from sbcommon.errors import BadRequest

from .http import PayloadTooLarge, UnsupportedMediaType

log = logging.getLogger(__name__)

CHUNK = 64 * 1024


TEXT_TYPES = ("text/plain", "application/octet-stream", "")
CSV_TYPES = (*TEXT_TYPES, "text/csv", "text/tab-separated-values", "application/csv",
             "application/vnd.ms-excel")


def upload_chunks(request: Request, max_bytes: int, types: tuple[str, ...] = TEXT_TYPES,
                  what: str = "a .txt file as text/plain"
                  ) -> tuple[Iterator[bytes], int | None]:
    """The uploaded file as a stream of chunks: a body of one of ``types`` or a multipart
    ``file``.

    werkzeug spools a large multipart file to disk, so neither way holds it in memory.
    """
    total = request.content_length
    if total is not None and total > max_bytes:
        raise PayloadTooLarge(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
    if request.mimetype == "multipart/form-data":
        request.max_content_length = max_bytes
        try:
            upload = request.files.get("file")
        except RequestEntityTooLarge:
            raise PayloadTooLarge("the file is too large") from None
        if upload is None:
            raise BadRequest("send the file in a multipart field named 'file'")
        return iter(lambda: upload.stream.read(CHUNK), b""), total
    if request.mimetype in types:
        return _limited(iter(lambda: request.stream.read(CHUNK), b""), max_bytes), total
    raise UnsupportedMediaType(f"send {what} or multipart/form-data")


def _limited(chunks: Iterator[bytes], max_bytes: int) -> Iterator[bytes]:
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > max_bytes:
            raise PayloadTooLarge("the file is too large")
        yield chunk


def csv_download(fetch: Callable[[Any], dict[str, Any]], filename: str) -> Response:
    """Stream an export that a service gives page by page (sbcommon.contracts.exports):
    ``fetch(cursor)`` returns one page, starting with ``fetch(None)``.

    The first page is fetched before answering, so a bad filter or a scope error is a clean
    4xx rather than a cut download; neither the gateway nor the service holds the whole.
    """
    first = fetch(None)

    def pages() -> Iterator[bytes]:
        page = first
        yield page["csv"].encode("utf-8")
        while page.get("next") is not None:
            try:
                page = fetch(page["next"])
            except Exception:
                # Headers are gone already: the client sees a truncated download.
                log.exception("CSV export %s stopped after cursor %r", filename, page["next"])
                raise
            yield page["csv"].encode("utf-8")

    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if first.get("total") is not None:
        headers["X-Total-Count"] = str(first["total"])
    return Response(pages(), mimetype="text/csv", headers=headers)
