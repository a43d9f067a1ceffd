"""A small route table shared by the JSON API and the portal.

One table drives both the dispatcher and the OpenAPI document, so a route cannot exist
without being documented (a test checks it too).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

Handler = Callable[..., Any]


@dataclass
class Route:
    method: str
    path: str  # OpenAPI style: /customers/{customer_id}
    handler: Handler
    summary: str = ""
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    errors: tuple[int, ...] = ()
    content_type: str | None = None  # non-JSON response (e.g. text/csv)
    raw_body: dict[str, Any] | None = None  # OpenAPI requestBody of a non-JSON upload
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def werkzeug_rule(self) -> str:
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


class Router:
    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.routes: list[Route] = []

    def route(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method=method, path=self.prefix + path, handler=handler,
                                     **options))
            return handler
        return register

    def url_map(self) -> Map:
        rules = [
            Rule(r.werkzeug_rule, methods=[r.method], endpoint=index, strict_slashes=False)
            for index, r in enumerate(self.routes)
        ]
        return Map(rules, strict_slashes=False)


class Dispatcher:
    """Matches a path and method to a route; raises werkzeug's 404/405."""

    def __init__(self, router: Router):
        self.router = router
        self.map = router.url_map()

    def match(self, path: str, method: str) -> tuple[Route, dict[str, str]]:
        adapter = self.map.bind("localhost")
        index, args = adapter.match(path, method=method)
        return self.router.routes[index], args


__all__ = ["Dispatcher", "MethodNotAllowed", "NotFound", "Route", "Router"]
