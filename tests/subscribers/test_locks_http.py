"""Locked settings over HTTP against the real services: the subscriber's own writes are refused
by each owning service (accounts, catalogue, numbering, provisioning) with the lock's message,
while its reseller and the reseller's direct access still change them, and reads, the PIN and
the language keep working."""

from __future__ import annotations

from typing import Any

from tests.catalogue.conftest import ok
from tests.subscribers.conftest import World, device_body, enter, wait_for_copies


def refused_locked(resp: Any) -> None:
    assert resp.status_code == 423, (resp.request.method, resp.request.url, resp.text[:300])
    body = resp.json()
    assert body["error"] == "locked"
    assert "locked your account's settings" in body["message"]


def test_a_locked_subscriber_is_refused_by_each_owning_service(world: World, databases):
    cid, sub = world.cid, world.subscriber
    # Unlocked, the subscriber changes its own things.
    ok(sub.patch(f"/api/v1/customers/{cid}", json={"contact_name": "Before lock"}))

    locked = ok(world.reseller.put(f"/api/v1/customers/{cid}/lock"))
    assert locked == {"customer_id": cid, "locked": True}
    assert ok(sub.get(f"/api/v1/customers/{cid}"))["locked"] is True
    wait_for_copies(databases, cid, True)

    refused_locked(sub.patch(f"/api/v1/customers/{cid}", json={"contact_name": "Mine"}))
    refused_locked(sub.put(f"/api/v1/customers/{cid}/subscription", json=world.plan_line()))
    refused_locked(sub.post(f"/api/v1/customers/{cid}/numbers", json={"count": 1}))
    refused_locked(sub.post(f"/api/v1/customers/{cid}/devices", json=device_body()))
    # Nothing was changed by the refused writes.
    assert ok(sub.get(f"/api/v1/customers/{cid}/numbers"))["numbers"] == []
    assert ok(sub.get(f"/api/v1/customers/{cid}/devices"))["total"] == 0
    assert ok(sub.get(f"/api/v1/customers/{cid}"))["contact_name"] == "Before lock"

    # Its language and its PIN stay its own.
    ok(sub.patch(f"/api/v1/customers/{cid}", json={"language": "en"}))
    changed = sub.post("/api/v1/auth/password", json={"current_password": "subscriber-pin-1",
                                                      "new_password": "subscriber-pin-2"})
    assert changed.status_code == 204, changed.text

    # The reseller still changes everything.
    ok(world.reseller.patch(f"/api/v1/customers/{cid}", json={"contact_name": "By reseller"}))
    ok(world.reseller.put(f"/api/v1/customers/{cid}/subscription", json=world.plan_line()))
    ok(world.reseller.post(f"/api/v1/customers/{cid}/numbers", json={"count": 1}), 201)
    ok(world.reseller.post(f"/api/v1/customers/{cid}/devices", json=device_body()), 201)

    # And so does its support inside the account (direct access).
    inside = enter(world.reseller, cid)
    ok(inside.patch(f"/api/v1/customers/{cid}", json={"contact_name": "By support"}))
    ok(inside.put(f"/api/v1/customers/{cid}/subscription", json=world.plan_line()))
    ok(inside.post(f"/api/v1/customers/{cid}/numbers", json={"count": 1}), 201)
    ok(inside.post(f"/api/v1/customers/{cid}/devices", json=device_body()), 201)
    assert len(ok(sub.get(f"/api/v1/customers/{cid}/numbers"))["numbers"]) == 2
    assert ok(sub.get(f"/api/v1/customers/{cid}/devices"))["total"] == 2

    # Unlocked, the subscriber writes again.
    assert ok(world.reseller.delete(f"/api/v1/customers/{cid}/lock"))["locked"] is False
    wait_for_copies(databases, cid, False)
    ok(sub.patch(f"/api/v1/customers/{cid}", json={"contact_name": "Mine again"}))
    ok(sub.post(f"/api/v1/customers/{cid}/devices", json=device_body()), 201)


def test_only_the_reseller_locks_and_never_another_resellers_subscriber(
        world: World, platform, accounts_db, fast_hasher, admin_api):
    from tests.support import ApiClient, make_reseller

    cid = world.cid
    other = make_reseller(accounts_db, fast_hasher, name="Other")
    stranger = ApiClient(platform.base_url).login(other.identifier, other.password)
    assert stranger.put(f"/api/v1/customers/{cid}/lock").status_code == 404
    assert stranger.delete(f"/api/v1/customers/{cid}/lock").status_code == 404
    # The subscriber cannot unlock itself.
    assert world.subscriber.delete(f"/api/v1/customers/{cid}/lock").status_code == 403
    # The administrator may.
    assert ok(admin_api.put(f"/api/v1/customers/{cid}/lock"))["locked"] is True
    assert ok(world.reseller.get(f"/api/v1/customers/{cid}"))["locked"] is True
