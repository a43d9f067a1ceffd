"""Tenant isolation by hand: search does not find another reseller's customer; a subscriber
sees only itself. Every route with real ids of every kind of object is tests/matrix/."""

from __future__ import annotations

import pytest

from tests.support import ApiClient, make_reseller, sign_in_subscriber


@pytest.fixture
def two_resellers(platform, accounts_db, fast_hasher):
    a = make_reseller(accounts_db, fast_hasher, name="A")
    b = make_reseller(accounts_db, fast_hasher, name="B")
    client_a = ApiClient(platform.base_url).login(a.identifier, a.password)
    client_b = ApiClient(platform.base_url).login(b.identifier, b.password)
    return client_a, client_b


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
