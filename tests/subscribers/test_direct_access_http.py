"""Direct access and the audit log over HTTP against the real services: who may open it, what
it may do inside (not the PIN; the access codes yes), the audit entries it leaves, the log's
filters, pages and CSV, the subscriber's list of visits, and the 30-minute limit (made a few
seconds by its setting on a second small platform)."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.catalogue.conftest import ok
from tests.subscribers.conftest import SHORT_ACCESS_SECONDS, World, enter
from tests.support import ApiClient, make_reseller, new_customer_body, wait_until


def entries(client: ApiClient, **query: Any) -> list[dict[str, Any]]:
    return ok(client.get("/api/v1/audit-log", params={"per_page": 200, **query}))["items"]


def test_direct_access_opens_the_subscribers_session_and_is_audited(world: World, accounts_db):
    cid, reseller = world.cid, world.reseller
    inside = enter(reseller, cid)
    # The visit's token is kept with the request's outcome (a retry gets it) only encrypted.
    with accounts_db() as session:
        stored = session.scalar(text("SELECT count(*) FROM idempotency "
                                     "WHERE outcome::text LIKE :t"), {"t": f"%{inside.token}%"})
    assert stored == 0
    session = ok(inside.get("/api/v1/auth/session"))
    assert session["user"]["customer_id"] == cid
    assert session["actor"]["support_user_id"] == world.shop.login.user_id
    assert session["actor"]["role"] == "customer"
    opened = datetime.fromisoformat(session["expires_at"])
    assert opened - datetime.now(UTC) <= timedelta(minutes=30, seconds=5)

    # An action inside is the reseller user's, in the log.
    ok(inside.patch(f"/api/v1/customers/{cid}", json={"phone": "+15145550111"}))
    # The PIN is refused inside, whatever the current one; the access codes are not.
    refused = inside.post("/api/v1/auth/password", json={
        "current_password": "subscriber-pin-1", "new_password": "support-chose-this"})
    assert refused.status_code == 403, refused.text
    assert "PIN" in refused.json()["message"]
    ok(inside.post(f"/api/v1/customers/{cid}/emails/access-codes"), 202)
    # Leaving ends the session.
    assert inside.post("/api/v1/auth/logout").status_code == 204
    assert inside.get("/api/v1/auth/session").status_code == 401
    # The subscriber's own PIN still works.
    assert ok(world.subscriber.get("/api/v1/auth/session"))["support"] is None

    log = entries(reseller, customer_id=cid)
    actions = [e["action"] for e in reversed(log)]
    assert actions[:1] == ["direct_access.started"]
    assert actions[-1] == "direct_access.ended"
    assert "access_codes.sent" in actions
    done = [e for e in log if e["action"] == "direct_access.action"]
    assert {e["details"]["route"] for e in done} >= {
        "/api/v1/customers/{customer_id}", "/api/v1/customers/{customer_id}/emails/access-codes"}
    failed = [e for e in log if e["action"] == "direct_access.action_failed"]
    assert [e["details"]["route"] for e in failed] == ["/api/v1/auth/password"]
    for entry in log:
        if entry["action"].startswith(("direct_access", "access_codes")):
            assert entry["actor_user_id"] == world.shop.login.user_id
            assert entry["actor_role"] == "reseller"
            assert entry["direct_access"] is True
            assert entry["actor_name"].startswith("Shop ")
        assert "token" not in str(entry["details"]).lower()

    # The subscriber sees the visit: when, and who.
    visits = ok(world.subscriber.get(f"/api/v1/customers/{cid}/support-visits"))["items"]
    assert len(visits) == 1 and visits[0]["name"].startswith("Shop ")


def test_no_direct_access_to_another_resellers_or_a_closed_account(
        world: World, platform, accounts_db, fast_hasher):
    cid = world.cid
    other = make_reseller(accounts_db, fast_hasher, name="Other")
    stranger = ApiClient(platform.base_url).login(other.identifier, other.password)
    assert stranger.post(f"/api/v1/customers/{cid}/direct-access").status_code == 404
    assert stranger.post("/api/v1/customers/not-an-id/direct-access").status_code == 404
    # A subscriber cannot open one on itself.
    assert world.subscriber.post(f"/api/v1/customers/{cid}/direct-access").status_code == 403
    # Nor can the support inside open another from there.
    inside = enter(world.reseller, cid)
    assert inside.post(f"/api/v1/customers/{cid}/direct-access").status_code == 403
    # The stranger's log shows nothing of it.
    assert entries(stranger, customer_id=cid) == []
    closed = world.reseller.create_customer()
    ok(world.reseller.delete(f"/api/v1/customers/{closed['id']}"))
    refused = world.reseller.post(f"/api/v1/customers/{closed['id']}/direct-access")
    assert refused.status_code == 409, refused.text


def test_the_audit_log_filters_pages_and_exports_safely(world: World, admin_api):
    reseller, cid = world.reseller, world.cid
    # A subscriber sees none of the log.
    assert world.subscriber.get("/api/v1/audit-log").status_code == 403
    # A name a spreadsheet would run as a formula.
    risky = reseller.create_customer(name="=HYPERLINK(\"http://evil\")")
    ok(reseller.put(f"/api/v1/customers/{cid}/lock"))
    ok(reseller.delete(f"/api/v1/customers/{cid}/lock"))
    ok(reseller.patch(f"/api/v1/customers/{cid}", json={"status": "suspended"}))
    ok(reseller.patch(f"/api/v1/customers/{cid}", json={"status": "production"}))
    ok(reseller.put(f"/api/v1/customers/{risky['id']}/lock"))
    ok(reseller.put(f"/api/v1/customers/{cid}/subscription", json=world.plan_line()))

    # The subscription change arrives as catalogue's event.
    wait_until(lambda: entries(reseller, action="subscription.changed", customer_id=cid),
               timeout=20, interval=0.3, message="subscription change audited")
    status = entries(reseller, action="customer.status_changed", customer_id=cid)
    assert [(e["details"]["from"], e["details"]["to"]) for e in status] == [
        ("suspended", "production"), ("trial", "suspended")]
    assert all(e["actor_user_id"] == world.shop.login.user_id for e in status)
    assert [e["action"] for e in entries(reseller, customer_id=cid)
            if e["action"].startswith("customer.lock") or e["action"] == "customer.unlocked"
            ] == ["customer.unlocked", "customer.locked"]
    by_actor = entries(reseller, actor_user_id=world.shop.login.user_id)
    assert {e["customer_id"] for e in by_actor} == {cid, risky["id"]}

    # Pages of two, newest first, with no entry twice.
    first = ok(reseller.get("/api/v1/audit-log", params={"per_page": 2}))
    second = ok(reseller.get("/api/v1/audit-log", params={"per_page": 2, "page": 2}))
    assert first["total"] >= 6 and first["pages"] == -(-first["total"] // 2)
    ids = [e["id"] for e in first["items"] + second["items"]]
    assert len(set(ids)) == 4 and ids == sorted(ids, reverse=True)

    # Date range: nothing before yesterday, everything before tomorrow.
    today = datetime.now(UTC).date()
    assert entries(reseller, until=str(today - timedelta(days=1))) == []
    assert len(entries(reseller, since=str(today), until=str(today + timedelta(days=1)))) \
        == first["total"]
    bad = reseller.get("/api/v1/audit-log", params={"action": "nonsense"})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "action"

    # CSV: every entry, oldest first, formulas neutralised.
    export = reseller.get("/api/v1/audit-log/export.csv")
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == first["total"]
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)
    names = {r["customer_name"] for r in rows if r["customer_id"] == risky["id"]}
    assert names == {"'=HYPERLINK(\"http://evil\")"}
    filtered = reseller.get("/api/v1/audit-log/export.csv",
                            params={"customer_id": risky["id"]})
    assert len(list(csv.DictReader(io.StringIO(filtered.text)))) == 1

    # The administrator sees every reseller's log.
    assert entries(admin_api, customer_id=cid)
    # Suspending the account ended its subscriber's sessions, whatever came after.
    assert world.subscriber.get("/api/v1/audit-log").status_code == 401


def test_audit_entries_cannot_be_altered(world: World, accounts_db):
    ok(world.reseller.put(f"/api/v1/customers/{world.cid}/lock"))
    for statement in ("UPDATE audit_log SET action = 'customer.unlocked'",
                      "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), accounts_db.begin() as session:
            session.execute(text(statement))
    assert entries(world.reseller, customer_id=world.cid)[0]["action"] == "customer.locked"


def test_direct_access_ends_at_its_limit_however_active(short_access_platform, fast_hasher):
    plat = short_access_platform
    login = make_reseller(plat.accounts_db, fast_hasher, name="Brief")
    reseller = ApiClient(plat.base_url).login(login.identifier, login.password)
    customer = ok(reseller.post("/api/v1/customers", json=new_customer_body()), 201)
    opened = ok(reseller.post(f"/api/v1/customers/{customer['id']}/direct-access"), 201)
    ends = datetime.fromisoformat(opened["expires_at"])
    started = datetime.now(UTC)
    assert timedelta(0) < ends - started <= timedelta(seconds=SHORT_ACCESS_SECONDS + 1)
    inside = ApiClient(plat.base_url, opened["token"])
    # Busy all the time: activity does not extend it.
    while datetime.now(UTC) < ends - timedelta(seconds=0.7):
        assert inside.get("/api/v1/auth/session").status_code == 200
        time.sleep(0.3)
    wait_until(lambda: inside.get("/api/v1/auth/session").status_code == 401, timeout=3,
               interval=0.2, message="the visit ended")
    assert datetime.now(UTC) - ends < timedelta(seconds=3)
    # Its end is written down by the sweep, attributed to the support user.
    expired = wait_until(lambda: entries(reseller, action="direct_access.expired"),
                         timeout=10, interval=0.3, message="expiry audited")
    assert expired[0]["actor_user_id"] == login.user_id
    assert expired[0]["details"]["reason"] == "time limit"
