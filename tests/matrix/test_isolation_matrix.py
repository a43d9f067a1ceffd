"""Tenant isolation, generated from the route tables: every API route and portal page with
a path parameter, called by another reseller and by another reseller's subscriber with the
real ids of tenant A's objects in every parameter, answers 404 (or 403), shows nothing of
A's, and changes nothing. Mixed ids (the caller's own customer with A's device, rule or
number) too. A list or export without parameters never shows A's objects either."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.matrix.cases import (
    api_request,
    changes,
    leaked,
    path_fillings,
    portal_request,
    refs_for,
    send_api,
    send_portal,
)
from tests.matrix.examples import API_BODIES, PORTAL_FORMS, names_foreign_object
from tests.matrix.routes import RouteInfo, all_api_routes, all_portal_routes
from tests.matrix.world import OBJECT_PARAMS, OWN_SCOPE_PARAMS

ATTACKERS = ("other_reseller", "other_subscriber")
REFUSED = {403, 404}


@dataclass(frozen=True)
class Case:
    route: RouteInfo
    attacker: str
    # "foreign": all of A's ids; "mixed": own customer + A's objects; "list"; "own": the
    # path names the caller's own things (OWN_SCOPE_PARAMS): nothing of A's may show
    variant: str

    def __str__(self) -> str:
        return f"{self.route.surface} {self.route.name} [{self.attacker}, {self.variant}]"


def _example(route: RouteInfo) -> object:
    if route.surface == "portal":
        return PORTAL_FORMS.get(route.path)
    return API_BODIES.get(route.body)


def generate() -> list[Case]:
    out = []
    for route in all_api_routes() + all_portal_routes():
        if not route.auth:
            continue
        if route.params and all(p in OWN_SCOPE_PARAMS for p in route.params):
            variants = ["own"]
        elif route.params:
            variants = ["foreign"]
            others = [p for p in route.params if p != "customer_id"]
            if "customer_id" in route.params and (others or names_foreign_object(
                    _example(route))):
                variants.append("mixed")
        elif route.method == "GET":
            variants = ["list"]
        else:
            continue  # creates in the caller's own tenant: nothing of A's to name
        out += [Case(route, who, v) for who in ATTACKERS for v in variants]
    return out


CASES = generate()


def test_the_matrix_covers_every_kind_of_route():
    names = {(c.route.surface, c.route.name) for c in CASES}
    assert ("api", "GET /api/v1/customers/{customer_id}/devices/{device_id}") in names
    assert ("portal", "GET /customers/{customer_id}/boot-configuration") in names
    assert ("api", "GET /api/v1/numbers/imports/{import_id}") in names
    assert {c.variant for c in CASES} == {"foreign", "mixed", "list", "own"}
    # every path parameter of every route has real objects to fill it
    unknown = {(r.surface, r.name): [p for p in r.params if p not in OBJECT_PARAMS]
               for r in all_api_routes() + all_portal_routes()}
    assert not {k: v for k, v in unknown.items() if v}, \
        "add these path parameters to OBJECT_PARAMS and build_world (tests/matrix/world.py)"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_isolation(world_holder, case: Case):
    world = world_holder.get()
    a, attacker = world.a, world.attackers[case.attacker]
    route = case.route
    own = attacker.own_customer_id if case.variant == "mixed" else None
    paths = path_fillings(route, a, own) if route.params else [route.path]
    failures = []
    for path in paths:
        refs = refs_for(a)
        if route.surface == "api":
            req = api_request(route, path, refs)
            resp = send_api(attacker.api, req)
        else:
            req = portal_request(route, path, refs, attacker.csrf())
            resp = send_portal(attacker.portal, req)
        where = f"{case}: {req.method} {req.path}"
        if case.variant in ("list", "own"):
            if resp.status_code >= 500:
                failures.append(f"{where} answered {resp.status_code}")
        elif resp.status_code not in REFUSED:
            failures.append(f"{where} answered {resp.status_code}, not 404/403: "
                            f"{resp.text[:200]!r}")
        if found := leaked(resp, a, req):
            failures.append(f"{where} shows A's {found}")
    if route.method != "GET":
        changed = changes(world.baseline, a.snapshot())
        if changed:
            world_holder.spoiled()
            failures.append(f"{case} changed A's {changed}")
    assert not failures, "\n".join(failures)
