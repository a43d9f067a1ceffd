"""Tenant isolation: reseller B gets 404 (not 403, not data) on every customer route of
reseller A's customer; a subscriber sees only itself."""

from __future__ import annotations

import re

import pytest

from gateway.registry import API as api_routes
from sbcommon.contracts.accounts import CustomerUpdate
from sbcommon.contracts.notifications import MessageRequest
from sbcommon.contracts.numbering import NumberRequest
from sbcommon.contracts.provisioning import DeviceCreate, DeviceUpdate
from sbcommon.contracts.routing_policy import NumberTestQuery, RuleCreate
from tests.support import ApiClient, make_reseller, sign_in_subscriber

# A valid body per request model, so a route is refused for scope, not for its input.
EXAMPLE_BODIES = {
    CustomerUpdate: {"name": "Taken over"},
    NumberRequest: {"count": 1},
    RuleCreate: {"action": "deny", "match": "country", "value": "GB"},
    DeviceCreate: {"name": "Planted", "mac": "02:00:5e:10:00:01", "model": "yealink-t46u"},
    DeviceUpdate: {"name": "Taken over"},
    MessageRequest: {"subject": "Hello", "body": "Taken over"},
}
# Likewise a valid query string per query model of a customer route.
EXAMPLE_QUERIES = {NumberTestQuery: {"dialed": "+442079460018"}}
CUSTOMER_ROUTES = [r for r in api_routes.routes if "{customer_id}" in r.path]


@pytest.fixture
def two_resellers(platform, accounts_db, fast_hasher):
    a = make_reseller(accounts_db, fast_hasher, name="A")
    b = make_reseller(accounts_db, fast_hasher, name="B")
    client_a = ApiClient(platform.base_url).login(a.identifier, a.password)
    client_b = ApiClient(platform.base_url).login(b.identifier, b.password)
    return client_a, client_b


def test_there_are_customer_routes_to_check():
    assert {r.method for r in CUSTOMER_ROUTES} >= {"GET", "PATCH", "DELETE"}


@pytest.mark.parametrize("route", CUSTOMER_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_other_reseller_gets_404_on_every_customer_route(two_resellers, route):
    client_a, client_b = two_resellers
    victim = client_a.create_customer()
    path = re.sub(r"\{customer_id\}", victim["id"], route.path)
    kwargs = {}
    if route.body is not None:
        assert route.body in EXAMPLE_BODIES, f"add an example body for {route.body.__name__}"
        kwargs["json"] = EXAMPLE_BODIES[route.body]
    if route.query is not None:
        assert route.query in EXAMPLE_QUERIES, f"add an example query for {route.query.__name__}"
        kwargs["params"] = EXAMPLE_QUERIES[route.query]
    resp = client_b.request(route.method, path, **kwargs)
    assert resp.status_code == 404, resp.text
    assert victim["name"] not in resp.text and victim["email"] not in resp.text
    # and nothing changed for the owner
    after = client_a.get(f"/api/v1/customers/{victim['id']}").json()
    assert after == victim


def test_other_reseller_cannot_find_it_in_lists(two_resellers):
    client_a, client_b = two_resellers
    victim = client_a.create_customer()
    for q in (victim["name"], victim["email"], victim["identifier"]):
        page = client_b.get("/api/v1/customers", params={"q": q}).json()
        assert page["total"] == 0
    assert client_a.get("/api/v1/customers",
                        params={"q": victim["email"]}).json()["total"] == 1


def test_subscriber_sees_only_itself(platform, reseller_api, accounts_events):
    mine = reseller_api.create_customer()
    sibling = reseller_api.create_customer()
    me = sign_in_subscriber(platform.base_url, accounts_events, mine)

    listing = me.get("/api/v1/customers").json()
    assert [c["id"] for c in listing["items"]] == [mine["id"]]
    assert me.get(f"/api/v1/customers/{sibling['id']}").status_code == 404
    assert me.patch(f"/api/v1/customers/{sibling['id']}",
                    json={"name": "x"}).status_code == 404
    # its own account: may edit details, not its status, not close it, not create others
    assert me.patch(f"/api/v1/customers/{mine['id']}",
                    json={"phone": "+1 514 555 0199"}).status_code == 200
    assert me.patch(f"/api/v1/customers/{mine['id']}",
                    json={"status": "production"}).status_code == 403
    assert me.delete(f"/api/v1/customers/{mine['id']}").status_code == 403
    created = me.post("/api/v1/customers", json={"kind": "company", "name": "Mine too",
                                                 "email": "mine@too.example",
                                                 "start": "production"})
    assert created.status_code == 403
