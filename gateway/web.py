"""Request context, JSON responses, error mapping and security headers."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import eventlet
from pydantic import BaseModel, ValidationError
from werkzeug.wrappers import Request, Response

from sbcommon.errors import (
    BadRequest,
    SwitchboardError,
    Unauthorized,
    invalid_from_pydantic,
)

from .settings import GatewaySettings

log = logging.getLogger(__name__)

MAX_JSON_BODY = 1024 * 1024

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class ServiceUnavailable(SwitchboardError):
    status = 503
    code = "service_unavailable"


class TimedProxy:
    """Wraps a nameko RPC proxy so no call waits longer than ``seconds``.

    nameko's RpcProxy has no timeout: with a service down, a request would hang until the
    client gave up. A late reply is dropped by nameko's reply listener.
    """

    def __init__(self, proxy: Any, service: str, seconds: float):
        self._proxy = proxy
        self._service = service
        self._seconds = seconds

    def __getattr__(self, method: str) -> Any:
        target = getattr(self._proxy, method)

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                with eventlet.Timeout(self._seconds):
                    return target(*args, **kwargs)
            except eventlet.Timeout:
                log.error("%s.%s did not answer within %ss", self._service, method,
                          self._seconds)
                raise ServiceUnavailable(
                    f"the {self._service} service did not answer; try again shortly") from None

        return call


class Backends:
    """RPC proxies to the services the gateway talks to, by service name
    (``backends.accounts``, ``backends.numbering``, …)."""

    def __init__(self, **proxies: Any):
        self._proxies = proxies

    def __getattr__(self, name: str) -> Any:
        try:
            return self._proxies[name]
        except KeyError:
            raise AttributeError(name) from None

    def names(self) -> list[str]:
        return sorted(self._proxies)


@dataclass
class Ctx:
    request: Request
    backends: Backends
    settings: GatewaySettings
    args: dict[str, str] = field(default_factory=dict)
    session: dict[str, Any] | None = None
    token: str | None = None

    @property
    def actor(self) -> dict[str, Any]:
        if self.session is None:
            raise Unauthorized("sign in first")
        return self.session["actor"]

    @property
    def user(self) -> dict[str, Any]:
        if self.session is None:
            raise Unauthorized("sign in first")
        return self.session["user"]

    @property
    def client_ip(self) -> str:
        if self.settings.trust_proxy:
            # The right-most entry is the one our proxy appended; entries to its left come
            # from the client and could be forged to dodge the per-address sign-in limit.
            forwarded = self.request.headers.get("X-Forwarded-For", "")
            if forwarded.strip():
                return forwarded.split(",")[-1].strip()[:64]
        return (self.request.remote_addr or "")[:64]

    @property
    def is_https(self) -> bool:
        if self.settings.trust_proxy and self.request.headers.get("X-Forwarded-Proto") == "https":
            return True
        return self.request.scheme == "https"


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None
                  ) -> Response:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    resp = Response(body, status=status, mimetype="application/json", headers=headers)
    return resp


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


class PayloadTooLarge(SwitchboardError):
    status = 413
    code = "payload_too_large"


def has_nul(value: Any) -> bool:
    """True if any text in a parsed body, query or path holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


def parse_model(model: type[BaseModel], data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise BadRequest(f"the {where} must be a JSON object")
    if has_nul(data):
        # PostgreSQL text cannot hold NUL: refuse it here rather than fail in a service.
        raise BadRequest(f"the {where} contains a NUL character (\\u0000)")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from_pydantic(exc, where) from None


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
