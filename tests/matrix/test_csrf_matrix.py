"""CSRF, generated from the portal's route table: every state-changing portal route, sent
by A itself on its own objects without a token and with another session's token, is
refused with the CSRF message and changes nothing."""

from __future__ import annotations

import pytest

from tests.matrix.cases import changes, path_fillings, portal_request, refs_for, send_portal
from tests.matrix.routes import all_portal_routes, csrf_refusal_texts
from tests.matrix.world import PortalClient

POSTS = [r for r in all_portal_routes() if r.method not in ("GET", "HEAD", "OPTIONS")]


def test_every_state_changing_portal_route_is_a_post():
    assert POSTS and {r.method for r in all_portal_routes()} <= {"GET", "POST"}


@pytest.mark.parametrize("route", POSTS, ids=lambda r: r.name)
def test_csrf(world_holder, route):
    world = world_holder.get()
    a = world.a
    # A signed-in session for routes that need one; a fresh visitor (with the pre-session
    # cookie the sign-in page sets) for the sign-in forms.
    portal = a.portal
    if not route.auth and route.path != "/logout":
        portal = PortalClient(a.portal.base_url)
        portal.get("/login")
    foreign_token = world.attackers["other_reseller"].csrf()
    texts = csrf_refusal_texts()
    failures = []
    for path in path_fillings(route, a, None):
        for label, token in (("no token", None), ("another session's token", foreign_token)):
            req = portal_request(route, path, refs_for(a), token)
            resp = send_portal(portal, req)
            if resp.status_code != 403 or not any(t in resp.text for t in texts):
                failures.append(f"POST {path} with {label} answered {resp.status_code}: "
                                f"{resp.text[:200]!r}")
            if "sb_session" in resp.headers.get("Set-Cookie", ""):
                failures.append(f"POST {path} with {label} touched the session cookie")
    if a.portal.get("/settings").status_code != 200:
        failures.append(f"{route.name} signed A out")
        world_holder.spoiled()
    changed = changes(world.baseline, a.snapshot())
    if changed:
        world_holder.spoiled()
        failures.append(f"{route.name} changed A's {changed}")
    assert not failures, f"portal {route.name}:\n" + "\n".join(failures)
