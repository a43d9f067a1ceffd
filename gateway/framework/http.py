"""JSON responses, error mapping, request bodies and security headers."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from werkzeug.wrappers import Request, Response

from sbcommon.errors import BadRequest, SwitchboardError, Unauthorized

MAX_JSON_BODY = 1024 * 1024

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class PayloadTooLarge(SwitchboardError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(SwitchboardError):
    status = 415
    code = "unsupported_media_type"


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None
                  ) -> Response:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json", headers=headers)


def error_response(error: SwitchboardError) -> Response:
    headers = {}
    if isinstance(error.details, dict) and "retry_after" in error.details:
        headers["Retry-After"] = str(error.details["retry_after"])
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="switchboard"'
    return json_response(error.to_dict(), error.status, headers)


def read_json(request: Request) -> Any:
    if request.content_length and request.content_length > MAX_JSON_BODY:
        raise PayloadTooLarge(f"the body is larger than {MAX_JSON_BODY} bytes")
    mimetype = request.mimetype or ""
    if mimetype != "application/json":
        raise BadRequest("send the body as JSON with Content-Type: application/json")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BODY:
        raise PayloadTooLarge(f"the body is larger than {MAX_JSON_BODY} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from None


def query_dict(request: Request) -> dict[str, Any]:
    """Query string as a dict; a repeated parameter is an error, not silently dropped."""
    out: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        if len(values) > 1:
            raise BadRequest(f"query parameter {key!r} is given more than once")
        if values[0] != "":
            out[key] = values[0]
    return out


def has_nul(value: Any) -> bool:
    """True if any text in a parsed body, query or path holds a NUL character (PostgreSQL
    text cannot hold one: refuse it at the edge rather than fail in a service)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def bearer_token(request: Request, hint: str) -> str:
    """The token of an ``Authorization: Bearer`` header; ``hint`` says where to get one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(f"send Authorization: Bearer {hint}")
    return token.strip()


def secure_headers(response: Response, https: bool, html: bool) -> Response:
    h = response.headers
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    h.setdefault("Content-Security-Policy", CSP)
    if html or "Cache-Control" not in h:
        h.setdefault("Cache-Control", "no-store")
    if https:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
