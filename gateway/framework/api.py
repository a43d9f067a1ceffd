"""The JSON API runner: match a route, check its credentials, parse its query and body with
its pydantic models, call it, serialise the answer; every error is {error, message, details}.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from sbcommon.errors import BadRequest, SwitchboardError
from sbcommon.idempotency import HEADER, client_key
from sbcommon.metrics import ROUTE_KEY
from sbcommon.validation import parse

from .context import Ctx
from .http import (
    bearer_token,
    error_response,
    has_nul,
    json_response,
    query_dict,
    read_json,
)
from .routing import Dispatcher, Route, Router
from .support import audited

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    error: str
    message: str
    details: Any = None


class Accepted(BaseModel):
    status: str = "accepted"
    message: str


class ApiApp:
    """Runs the routes of one router; ``bearer_hint`` says where a bearer token comes from."""

    def __init__(self, router: Router, bearer_hint: str):
        self.dispatcher = Dispatcher(router)
        self.bearer_hint = bearer_hint

    @property
    def routes(self) -> list[Route]:
        return self.dispatcher.router.routes

    def handle(self, ctx: Ctx) -> Response:
        try:
            try:
                route, ctx.args = self.dispatcher.match(ctx.request.path, ctx.request.method)
                ctx.request.environ[ROUTE_KEY] = route.path  # the metrics' route label
            except HTTPException as exc:
                code = "not_found" if exc.code == 404 else "method_not_allowed"
                text = ("no such API route" if exc.code == 404
                        else f"{ctx.request.method} is not allowed on {ctx.request.path}")
                return json_response({"error": code, "message": text}, exc.code or 404)
            if ctx.backends.stamp is not None:
                ctx.backends.stamp.use(client_key(ctx.request.headers.get(HEADER)))
            if route.auth or route.token:
                ctx.token = token = bearer_token(ctx.request, self.bearer_hint)
                if route.auth:
                    ctx.session = ctx.backends.accounts.authenticate(token)
            return audited(ctx, route, ctx.args, lambda: self.call(ctx, route))
        except SwitchboardError as exc:
            return error_response(exc)
        except Exception:
            log.exception("unexpected error on %s %s", ctx.request.method, ctx.request.path)
            return json_response({"error": "internal_error",
                                  "message": "something went wrong on our side"}, 500)

    @staticmethod
    def call(ctx: Ctx, route: Route) -> Response:
        kwargs: dict[str, Any] = dict(_no_nul(ctx.args, "path"))
        if route.query is not None:
            kwargs["query"] = parse(route.query, _no_nul(query_dict(ctx.request), "query"),
                                    "query")
        if route.body is not None:
            kwargs["body"] = parse(route.body, _no_nul(read_json(ctx.request), "body"), "body")
        result = route.handler(ctx, **kwargs)
        if isinstance(result, Response):
            return result
        if route.response is not None and not isinstance(result, BaseModel):
            result = route.response.model_validate(result)
        return json_response(result, route.status)


def _no_nul(data: Any, where: str) -> Any:
    if has_nul(data):
        raise BadRequest(f"the {where} contains a NUL character")
    return data
