"""Route tables: one ``Route`` per handler, with everything the framework needs to run it.

A route declares what the framework enforces before and after its handler (signed in, a
bearer token, the roles that may see it, the form to re-render on a 4xx), so handlers only
say what the route does. One table drives both dispatch and the OpenAPI document, so a
route cannot exist without being documented (a test checks it too).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

if TYPE_CHECKING:
    from .forms import Form

Handler = Callable[..., Any]

STAFF = ("admin", "reseller")  # everyone but a customer's own users
RESELLER = ("reseller",)


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
    auth: bool = True  # a signed-in session is required
    token: bool = False  # a bearer token that is not a session (the PBX's) is required
    roles: tuple[str, ...] | None = None  # roles that may use it; others get a 404
    form: Form | None = None  # portal: re-render this form with field errors on a 4xx
    errors: tuple[int, ...] = ()
    content_type: str | None = None  # non-JSON response (e.g. text/csv)
    raw_body: dict[str, Any] | None = None  # OpenAPI requestBody of a non-JSON upload
    # a file upload: streamed by its handler up to the import limit (not read ahead), and
    # in the portal its CSRF token comes in the query or a header, never from the body
    upload: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def werkzeug_rule(self) -> str:
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


class Router:
    """Routes collected by decorators, in declaration order, with an optional path prefix."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.routes: list[Route] = []

    def route(self, method: str, path: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method=method, path=self.prefix + path, handler=handler,
                                     **options))
            return handler
        return register

    @classmethod
    def join(cls, routers: Iterable[Router], prefix: str = "") -> Router:
        """One table made of several (each area's), in the order given, under ``prefix``."""
        joined = cls(prefix)
        for router in routers:
            joined.routes.extend(replace(r, path=prefix + r.path) for r in router.routes)
        return joined

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

    def find(self, path: str, method: str) -> Route | None:
        """The route a request would reach, or None (no exception)."""
        try:
            return self.match(path, method)[0]
        except (NotFound, MethodNotAllowed):
            return None
        except Exception:  # e.g. a redirect for a missing slash: not a body's business
            return None

    def match(self, path: str, method: str) -> tuple[Route, dict[str, str]]:
        adapter = self.map.bind("localhost")
        index, args = adapter.match(path, method=method)
        return self.router.routes[index], dict(args)


__all__ = ["RESELLER", "STAFF", "Dispatcher", "MethodNotAllowed", "NotFound", "Route",
           "Router"]
