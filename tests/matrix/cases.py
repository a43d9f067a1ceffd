"""Sending one generated request, and checking what came back, for both matrices."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import requests

from tests.matrix.examples import (
    API_BODIES,
    API_QUERIES,
    API_RAW_BODY,
    PORTAL_FORMS,
    fill,
)
from tests.matrix.routes import RouteInfo
from tests.matrix.world import OBJECT_PARAMS, Tenant
from tests.numbering.conftest import fresh_numbers


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    data: Any = None
    files: Any = None
    headers: dict[str, str] | None = None

    def words(self) -> str:
        """Everything the caller itself said: a page may echo it without leaking."""
        return unquote(self.path) + repr(self.json) + repr(self.params) + repr(self.data) \
            + repr(self.files)


class MissingExample(AssertionError):
    pass


def refs_for(tenant: Tenant) -> dict[str, str]:
    return {**tenant.refs, "fresh_number": fresh_numbers(1)[0],
            "a_identifier": tenant.reseller.identifier, "a_password": tenant.reseller.password}


def path_fillings(route: RouteInfo, tenant: Tenant, own_customer: str | None
                  ) -> list[str]:
    """The route's path with A's real ids in every parameter (every combination when a
    parameter has several kinds of object); ``own_customer`` replaces A's customer."""
    missing = [p for p in route.params if p not in OBJECT_PARAMS]
    if missing:
        raise MissingExample(
            f"{route.surface} {route.name}: path parameter(s) {missing} have no entry in the "
            f"object map of tests/matrix/world.py (OBJECT_PARAMS): create one object of that "
            f"kind per tenant so the route's isolation is tested")
    choices = []
    for param in route.params:
        if param == "customer_id" and own_customer is not None:
            choices.append([own_customer])
        else:
            choices.append(tenant.ids[param])
    paths = []
    for combo in itertools.product(*choices):
        path = route.path
        for param, value in zip(route.params, combo, strict=True):
            path = path.replace("{" + param + "}", value)
        paths.append(path)
    return paths


def api_request(route: RouteInfo, path: str, refs: dict[str, str]) -> Request:
    json_body = params = data = headers = None
    if route.body is not None:
        if route.body not in API_BODIES:
            raise MissingExample(f"{route.name}: add an example body for "
                                 f"{route.body.__name__} to tests/matrix/examples.py")
        json_body = fill(API_BODIES[route.body], refs)
    if route.query is not None:
        params = dict(fill(API_QUERIES.get(route.query, {}), refs))
        if "customer_id" in route.query.model_fields:
            params["customer_id"] = refs["customer_id"]
    if route.raw_body:
        data = fill(API_RAW_BODY, refs).encode()
        headers = {"Content-Type": "text/plain"}
    return Request(route.method, path, json=json_body, params=params, data=data,
                   headers=headers)


def portal_request(route: RouteInfo, path: str, refs: dict[str, str],
                   csrf: str | None) -> Request:
    if route.method == "GET":
        return Request("GET", path)
    if route.path not in PORTAL_FORMS:
        raise MissingExample(f"portal {route.name}: add its form to PORTAL_FORMS in "
                             f"tests/matrix/examples.py")
    form = dict(fill(PORTAL_FORMS[route.path], refs))
    files = None
    if "__file__" in form:
        files = {"file": ("numbers.txt", form.pop("__file__").encode(), "text/plain")}
    if csrf is not None:
        form["csrf_token"] = csrf
    return Request("POST", path, data=form, files=files)


def send_api(client: Any, req: Request) -> requests.Response:
    kwargs: dict[str, Any] = {}
    if req.json is not None:
        kwargs["json"] = req.json
    if req.params is not None:
        kwargs["params"] = req.params
    if req.data is not None:
        kwargs["data"] = req.data
    if req.headers:
        kwargs["headers"] = req.headers
    return client.request(req.method, req.path, **kwargs)


def send_portal(portal: Any, req: Request) -> requests.Response:
    if req.method == "GET":
        return portal.get(req.path)
    return portal.post(req.path, req.data, files=req.files)


def leaked(resp: requests.Response, tenant: Tenant, req: Request) -> list[str]:
    """A's strings in the answer that the request did not itself contain."""
    said = req.words()
    body = resp.text
    return sorted(t for t in tenant.traces if t and t in body and t not in said)


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(k for k in before if before[k] != after.get(k))
