"""OpenAPI 3.1 document generated from the API route table and its pydantic models."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from sbcommon.idempotency import HEADER, MAX_CLIENT_KEY

from .api import ErrorBody
from .routing import Route

REF = "#/components/schemas/{model}"
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
IDEMPOTENCY_KEY = {
    "name": HEADER, "in": "header", "required": False,
    "description": "Any unique string (a UUID) naming this request. A repeat with the same key "
                   "within 24 hours gets the first answer (the same result, or the same 409/422) "
                   "instead of running again: retry a timed-out or 503 request with it. The key "
                   "again with another body, or from another user, is refused (422). Sign-in "
                   "and number imports are not deduplicated.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CLIENT_KEY,
               "pattern": "^[\\x20-\\x7e]+$"},
}
ERROR_TEXT = {
    400: "Malformed request", 401: "Not signed in", 403: "Not allowed", 404: "Not found",
    409: "Conflict with the current state", 413: "Body too large",
    414: "Path and query too long", 415: "Unsupported body type",
    422: "Invalid input (details lists each bad field)", 429: "Too many attempts",
    503: "A service did not answer in time; try again shortly",
}


def _schema(model: type[BaseModel], components: dict[str, Any], mode: str) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
    for name, sub in schema.pop("$defs", {}).items():
        components.setdefault(name, sub)
    components.setdefault(model.__name__, schema)
    return {"$ref": REF.format(model=model.__name__)}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation(route: Route, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": route.summary,
        "operationId": route.handler.__name__,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"\{(\w+)\}", route.path)
        ],
        "responses": {},
    }
    if route.query is not None:
        op["parameters"] += _query_parameters(route.query)
    if route.method in MUTATING:
        op["parameters"].append(IDEMPOTENCY_KEY)
    if route.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _schema(route.body, components,
                                                               "validation")}},
        }
    if route.raw_body is not None:
        op["requestBody"] = route.raw_body
    ok: dict[str, Any] = {"description": "Success"}
    if route.content_type is not None:
        ok["content"] = {route.content_type: {"schema": {"type": "string"}}}
    elif route.response is not None:
        ok["content"] = {"application/json": {
            "schema": _schema(route.response, components, "serialization")}}
    op["responses"][str(route.status)] = ok
    error_ref = _schema(ErrorBody, components, "serialization")
    # Statuses any route of its kind can answer, whatever its handler declares.
    codes = set(route.errors) | {400, 414, 503}
    if route.body is not None or route.query is not None or route.method in MUTATING:
        codes.add(422)
    if route.body is not None or route.raw_body is not None:
        codes.add(413)
    if "{" in route.path:
        codes.add(404)
    if route.auth:
        codes.add(401)
        op["security"] = [{"bearer": []}]
    else:
        op["security"] = []
    for code in sorted(codes):
        op["responses"][str(code)] = {
            "description": ERROR_TEXT.get(code, "Error"),
            "content": {"application/json": {"schema": error_ref}},
        }
    return op


def document(routes: Iterable[Route]) -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Switchboard API",
            "version": "1.0.0",
            "description": "Reseller API of the Switchboard hosted-telephony platform. "
                           "Sign in with POST /api/v1/auth/login, then send "
                           "Authorization: Bearer <token>.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
