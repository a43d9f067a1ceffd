"""The gateway's route tables, read in one place.

The isolation and CSRF matrices are generated from what this module returns; when the
gateway's modules move, only the imports below change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

PARAM = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class RouteInfo:
    surface: str  # "api", "pbx" or "portal"
    method: str
    path: str  # with {name} placeholders
    auth: bool
    body: Any = None  # pydantic model of a JSON body (API)
    query: Any = None  # pydantic model of the query string (API)
    raw_body: bool = False  # a non-JSON upload (API)

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def _info(surface: str, route: Any) -> RouteInfo:
    return RouteInfo(surface, route.method, route.path, route.auth, route.body, route.query,
                     route.raw_body is not None)


def all_api_routes() -> list[RouteInfo]:
    """Every /api/v1 route of every area."""
    from gateway.registry import api_routes

    return [_info("api", r) for r in api_routes()]


def all_pbx_routes() -> list[RouteInfo]:
    from gateway.registry import pbx_routes

    return [_info("pbx", r) for r in pbx_routes()]


def all_portal_routes() -> list[RouteInfo]:
    """Every portal page and form of every area."""
    from gateway.registry import portal_routes

    return [_info("portal", r) for r in portal_routes()]


def csrf_refusal_texts() -> set[str]:
    """The portal's CSRF error message in every language it speaks."""
    from gateway.framework.i18n import LANGUAGES
    from gateway.registry import translator

    return {translator(lang)("error.csrf") for lang in LANGUAGES}
