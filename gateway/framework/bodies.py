"""Request bodies bounded before any worker or parser sees them.

nameko's web server reads each connection in its own green thread, then hands the request
to one of the gateway's workers. A body read inside a worker lets a client that trickles
it hold the worker: about fifty such clients stopped the portal, the API and the PBX's
door together. So the body is read here, in the connection's green thread, before a worker
is taken:
- a ``Content-Length`` over the route's limit is refused at once (413);
- the body must arrive whole within ``SB_HTTP_BODY_SECONDS`` (else 408), and never beyond
  the limit while it streams (413, also for chunked bodies);
- it is then handed on from memory, so parsing (JSON, forms) never waits on the network.
Uploads (number imports) are the exception: they stream to the service in chunks inside an
authenticated worker, bounded by the import limit and the socket's read timeout.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import Any

import eventlet

CHUNK = 64 * 1024
# Bodies of routes anyone may call without signing in (sign-in, forgotten password, …).
ANONYMOUS_MAX_BODY = 16 * 1024


@dataclass(frozen=True)
class BodyPolicy:
    limit: int  # bytes
    stream: bool = False  # an upload: not read ahead, streamed by its handler


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _content_length(environ: dict[str, Any]) -> int | None:
    raw = environ.get("CONTENT_LENGTH") or ""
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise Refused(400, "bad_request", "Content-Length is not a number") from None
    if value < 0:
        raise Refused(400, "bad_request", "Content-Length is negative")
    return value


def _too_large(limit: int) -> Refused:
    return Refused(413, "payload_too_large",
                   f"the body of this request may not be larger than {limit} bytes")


def check_length(environ: dict[str, Any], policy: BodyPolicy) -> None:
    length = _content_length(environ)
    if length is not None and length > policy.limit:
        raise _too_large(policy.limit)


def read_ahead(environ: dict[str, Any], policy: BodyPolicy, seconds: float) -> None:
    """Read the whole body (within ``seconds`` and ``policy.limit``) and put it back as an
    in-memory stream; raises ``Refused``."""
    length = _content_length(environ)
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if not length and not chunked:
        environ["wsgi.input"] = io.BytesIO(b"")
        return
    stream = environ["wsgi.input"]
    parts: list[bytes] = []
    seen = 0
    want = length if length is not None else policy.limit + 1
    try:
        with eventlet.Timeout(seconds):
            while seen < want:
                chunk = stream.read(min(CHUNK, want - seen))
                if not chunk:
                    break
                parts.append(chunk)
                seen += len(chunk)
                if seen > policy.limit:
                    raise _too_large(policy.limit)
    except eventlet.Timeout:
        raise Refused(408, "request_timeout",
                      f"the body did not arrive within {seconds:g} seconds") from None
    except OSError:
        raise Refused(408, "request_timeout", "the connection stalled while sending the "
                      "body") from None
    if length is not None and seen < length:
        raise Refused(400, "bad_request", "the body is shorter than its Content-Length")
    body = b"".join(parts)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)


def refusal(environ: dict[str, Any], start_response: Any, refused: Refused) -> list[bytes]:
    """Answer without a worker and close the connection (the rest of the body is not read:
    keeping the connection would mean reading it)."""
    protocol = environ.get("sb.protocol")
    if protocol is not None:
        protocol.close_connection = 1
    body = json.dumps({"error": refused.code, "message": refused.message}).encode()
    start_response(f"{refused.status} {_REASONS.get(refused.status, 'Error')}", [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("X-Content-Type-Options", "nosniff"),
        ("Cache-Control", "no-store"),
        ("Connection", "close"),
    ])
    return [body]


_REASONS = {400: "Bad Request", 408: "Request Timeout", 413: "Payload Too Large"}
