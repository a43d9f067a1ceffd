"""The gateway framework's route options, through the real GatewayApp: a role the route does
not admit gets a 404 page, a form is drawn again with the field's error on a 4xx it lists,
other errors stay error pages, and the route tables list every area's routes. The services
stand outside the gateway's boundary, so small stand-ins play them here."""

from __future__ import annotations

from typing import Any

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from gateway import registry
from gateway.app import GatewayApp
from gateway.clients import Backends
from gateway.settings import GatewaySettings
from sbcommon.errors import Conflict, Forbidden

SETTINGS = GatewaySettings(secret_key=b"k")


class Accounts:
    def __init__(self, role: str):
        self.role = role

    def authenticate(self, token: str) -> dict[str, Any]:
        user = {"id": "u1", "role": self.role, "identifier": "u1", "email": "u1@x.example",
                "display_name": "User", "language": "en", "reseller_id": "r1",
                "customer_id": "c1"}
        return {"user": user, "actor": {"user_id": "u1", "role": self.role,
                                        "reseller_id": "r1", "customer_id": "c1"}}

    def portal_brand(self, **where: str) -> None:
        return None  # the platform's look


class Numbering:
    def __init__(self, error: Exception):
        self.error = error

    def add_number(self, actor: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        raise self.error

    def list_numbers(self, actor: dict[str, Any], query: dict[str, Any]) -> dict[str, Any]:
        return {"items": [], "total": 0, "page": 1, "pages": 1, "per_page": 50}

    def get_pool_settings(self, actor: dict[str, Any]) -> dict[str, int]:
        return {"aging_days": 0}


def post_add(role: str, error: Exception) -> Any:
    app = GatewayApp(SETTINGS)
    page = app.portal
    token = "session-token"
    # the CSRF token of a signed-in page is an HMAC of its session token
    from gateway.framework.context import Ctx
    from gateway.framework.portal import Page

    probe = Request(EnvironBuilder(path="/").get_environ())
    csrf = Page(Ctx(probe, Backends(), SETTINGS, token=token), page).csrf_token
    environ = EnvironBuilder(path="/numbers/add", method="POST",
                             data={"number": "+1 514 555 1212", "csrf_token": csrf},
                             headers={"Cookie": f"sb_session={token}"}).get_environ()
    backends = Backends(accounts=Accounts(role), numbering=Numbering(error))
    return app.handle(Request(environ), backends)


def test_a_listed_error_draws_the_form_again_with_the_field_error():
    response = post_add("reseller", Conflict("+15145551212 is already in your pool"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert html.count("+15145551212 is already in your pool") >= 2  # summary and field
    assert 'aria-invalid="true"' in html or "field-error" in html


def test_an_error_the_form_does_not_list_is_an_error_page():
    response = post_add("reseller", Forbidden("not yours"))
    assert response.status_code == 403
    assert "not yours" in response.get_data(as_text=True)


def test_a_role_the_route_does_not_admit_gets_a_404_page():
    response = post_add("customer", Conflict("never reached"))
    assert response.status_code == 404
    assert "never reached" not in response.get_data(as_text=True)


def test_the_route_tables_hold_every_area_and_no_route_twice():
    routes = registry.all_routes()
    assert {r.path for r in routes["pbx"]} == {"/pbx/v1/authorize", "/pbx/v1/echo",
                                               "/pbx/v1/directory"}
    for kind, table in routes.items():
        keys = [(r.method, r.path) for r in table]
        assert len(keys) == len(set(keys)), kind
    for area in registry.AREAS:
        assert {id(r.handler) for r in area.pages.routes} <= {
            id(r.handler) for r in routes["portal"]}
        assert {id(r.handler) for r in area.api.routes} <= {
            id(r.handler) for r in routes["api"]}
    assert all(r.path.startswith("/api/v1/") for r in routes["api"])
