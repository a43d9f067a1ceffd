"""The areas of the gateway, in one explicit list, and the tables built from it.

Adding an area is one folder under ``gateway/areas/`` and one line in ``AREAS``
(docs/architecture.md shows it with the numbers area).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from werkzeug.wrappers import Response

from .areas import (
    accounts,
    call_restrictions,
    catalogue,
    devices,
    imports,
    mail,
    mail_templates,
    numbers,
    organisations,
    resellers,
    signup,
    subscribers,
    users,
)
from .framework import openapi
from .framework.area import Area
from .framework.context import Ctx
from .framework.http import json_response
from .framework.i18n import CORE_MESSAGES, Catalogue
from .framework.routing import Route, Router

AREAS: tuple[Area, ...] = (
    accounts.area,
    call_restrictions.area,
    catalogue.area,
    devices.area,
    imports.area,
    mail.area,
    numbers.area,
    organisations.area,
    resellers.area,
    mail_templates.area,
    users.area,
    subscribers.area,
    signup.area,
)

API_PREFIX = "/api/v1"
PBX_PREFIX = "/pbx/v1"

# The gateway's own API route (the OpenAPI document) comes after the areas'.
core_api = Router()


@core_api.route("GET", "/openapi.json", auth=False, summary="This document")
def openapi_document(ctx: Ctx) -> Response:
    return json_response(openapi_json())


@cache
def openapi_json() -> dict[str, Any]:
    return openapi.document(api_routes())


CATALOGUE = Catalogue.merge([("the framework", CORE_MESSAGES),
                             *((f"area {a.name}", a.messages) for a in AREAS)])
MESSAGES = CATALOGUE.messages
translator = CATALOGUE.translator
plural_translator = CATALOGUE.plural_translator
FLASH_KEYS = frozenset(key for a in AREAS for key in a.flash)


def api_router() -> Router:
    return Router.join([*(a.api for a in AREAS), core_api], prefix=API_PREFIX)


def pbx_router() -> Router:
    return Router.join((a.pbx for a in AREAS), prefix=PBX_PREFIX)


def portal_router() -> Router:
    return Router.join(a.pages for a in AREAS)


# The route tables the gateway serves: read them to enumerate routes (tests do).
API = api_router()
PBX = pbx_router()
PORTAL = portal_router()


def api_routes() -> list[Route]:
    """Every JSON API route (/api/v1), as the gateway serves and documents them."""
    return list(API.routes)


def pbx_routes() -> list[Route]:
    """Every route of the PBX's door (/pbx/v1)."""
    return list(PBX.routes)


def portal_routes() -> list[Route]:
    """Every portal page and form target."""
    return list(PORTAL.routes)


def all_routes() -> dict[str, list[Route]]:
    """All routes by kind: ``{"api": …, "pbx": …, "portal": …}``."""
    return {"api": api_routes(), "pbx": pbx_routes(), "portal": portal_routes()}
