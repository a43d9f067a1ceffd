"""Customer accounts through the HTTP API, end to end (gateway → RPC → PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest

from sbcommon.actor import sign_actor
from tests.support import ApiClient, make_admin, make_reseller, new_customer_body, unique


def test_create_then_read_professional_on_trial(reseller_api):
    created = reseller_api.create_customer(kind="professional", name="Élodie Gagnon",
                                           phone="+1 514 555 0100", language="en")
    assert created["status"] == "trial"
    assert created["trial_ends_at"] is not None
    assert created["kind"] == "professional"
    assert created["identifier"].startswith("elodie.gagnon.")

    fetched = reseller_api.get(f"/api/v1/customers/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == created


def test_production_start_has_no_trial_end(reseller_api):
    created = reseller_api.create_customer(start="production")
    assert created["status"] == "production"
    assert created["trial_ends_at"] is None


def test_reseller_trial_length_is_configurable(platform, accounts_db, fast_hasher):
    short = make_reseller(accounts_db, fast_hasher, trial_days=7)
    client = ApiClient(platform.base_url).login(short.identifier, short.password)
    created = client.create_customer()
    from datetime import datetime
    created_at = datetime.fromisoformat(created["created_at"])
    ends = datetime.fromisoformat(created["trial_ends_at"])
    assert (ends - created_at).days == 7


def test_update_and_status_changes(reseller_api):
    customer = reseller_api.create_customer()
    path = f"/api/v1/customers/{customer['id']}"
    resp = reseller_api.patch(path, json={"name": "Renamed Inc.", "phone": "+33 1 23 45 67 89"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["name"] == "Renamed Inc."

    resp = reseller_api.patch(path, json={"status": "production"})
    assert resp.json()["status"] == "production"
    assert resp.json()["trial_ends_at"] is None

    resp = reseller_api.patch(path, json={"status": "trial"})
    assert resp.status_code == 409
    assert "production to trial" in resp.json()["message"]


def test_close_is_soft_and_final_for_resellers(reseller_api, accounts_events):
    customer = reseller_api.create_customer()
    path = f"/api/v1/customers/{customer['id']}"
    resp = reseller_api.delete(path)
    assert resp.status_code == 200
    closed = resp.json()
    assert closed["status"] == "closed" and closed["closed_at"]

    # still readable (soft close), but no longer editable or closable
    assert reseller_api.get(path).json()["status"] == "closed"
    edit = reseller_api.patch(path, json={"name": "x"})
    assert edit.status_code == 409
    assert "closed" in edit.json()["message"]
    assert reseller_api.delete(path).status_code == 409

    event = accounts_events.wait_for(
        lambda e: e["event_type"] == "customer_closed" and e["customer_id"] == customer["id"])
    assert event is not None
    assert event["reseller_id"] == customer["reseller_id"]
    assert event["event_id"] and event["occurred_at"]


def test_duplicate_identifier_and_email_are_conflicts(reseller_api):
    first = reseller_api.create_customer(identifier=unique("dup"))
    again = reseller_api.post("/api/v1/customers", json=new_customer_body(
        identifier=first["identifier"]))
    assert again.status_code == 409
    assert again.json()["details"][0]["field"] == "identifier"

    same_mail = reseller_api.post("/api/v1/customers", json=new_customer_body(
        email=first["email"].upper()))
    assert same_mail.status_code == 409
    assert same_mail.json()["details"][0]["field"] == "email"


@pytest.mark.parametrize("body, field", [
    ({"kind": "company", "name": "A", "email": "a@b.example", "start": "trial", "x": 1}, "x"),
    ({"kind": "robot", "name": "A", "email": "a@b.example", "start": "trial"}, "kind"),
    ({"kind": "company", "name": 42, "email": "a@b.example", "start": "trial"}, "name"),
    ({"kind": "company", "name": "A" * 201, "email": "a@b.example", "start": "trial"}, "name"),
    ({"kind": "company", "name": "A", "email": "not-an-email", "start": "trial"}, "email"),
    ({"kind": "company", "name": "A", "email": "a@b.example", "start": "maybe"}, "start"),
    ({"kind": "company", "name": "A", "email": "a@b.example"}, "start"),
    ({"kind": "company", "name": "A\nB", "email": "a@b.example", "start": "trial"}, "name"),
    ({"kind": "company", "name": "A", "email": "a@b.example", "start": "trial",
      "identifier": "Bad Identifier!"}, "identifier"),
])
def test_bad_customer_bodies_are_422_with_the_field(reseller_api, body, field):
    resp = reseller_api.post("/api/v1/customers", json=body)
    assert resp.status_code == 422, resp.text
    fields = [d["field"] for d in resp.json()["details"]]
    assert field in fields


def test_malformed_json_and_wrong_content_type_are_400(reseller_api):
    resp = reseller_api.post("/api/v1/customers", data="{not json",
                             headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert "JSON" in resp.json()["message"]
    resp = reseller_api.post("/api/v1/customers", data="kind=company",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 400
    resp = reseller_api.post("/api/v1/customers", json=["a", "list"])
    assert resp.status_code == 400


def test_oversized_body_is_413(reseller_api):
    resp = reseller_api.post("/api/v1/customers", data="x" * (1024 * 1024 + 10),
                             headers={"Content-Type": "application/json"})
    assert resp.status_code == 413


def test_empty_patch_is_422(reseller_api):
    customer = reseller_api.create_customer()
    resp = reseller_api.patch(f"/api/v1/customers/{customer['id']}", json={})
    assert resp.status_code == 422


def test_unknown_and_malformed_ids_are_404(reseller_api):
    assert reseller_api.get(f"/api/v1/customers/{uuid.uuid4()}").status_code == 404
    assert reseller_api.get("/api/v1/customers/'%20OR%201=1--").status_code == 404


def test_unauthenticated_requests_are_401(api):
    assert api.get("/api/v1/customers").status_code == 401
    resp = api.get("/api/v1/customers", headers={"Authorization": "Bearer nonsense"})
    assert resp.status_code == 401
    assert resp.json()["error"] == "unauthorized"


def test_unknown_route_and_method(reseller_api):
    assert reseller_api.get("/api/v1/nothing-here").status_code == 404
    assert reseller_api.request("PUT", "/api/v1/customers").status_code == 405


def test_list_search_filter_sort_and_page(reseller_api):
    tag = unique("srch")
    names = ["Zeta", "alpha", "Mike", "Bravo", "echo"]
    made = []
    for i, name in enumerate(names):
        made.append(reseller_api.create_customer(
            name=f"{name} {tag}", kind="company" if i % 2 == 0 else "professional",
            start="trial" if i < 3 else "production"))
    resp = reseller_api.get("/api/v1/customers", params={"q": tag.upper(), "sort": "name"})
    page = resp.json()
    assert page["total"] == 5
    assert [c["name"].split()[0] for c in page["items"]] == ["alpha", "Bravo", "echo", "Mike",
                                                             "Zeta"]
    # by e-mail and by identifier too
    by_mail = reseller_api.get("/api/v1/customers", params={"q": made[2]["email"]}).json()
    assert [c["id"] for c in by_mail["items"]] == [made[2]["id"]]
    by_ident = reseller_api.get("/api/v1/customers",
                                params={"q": made[3]["identifier"]}).json()
    assert [c["id"] for c in by_ident["items"]] == [made[3]["id"]]

    companies = reseller_api.get("/api/v1/customers",
                                 params={"q": tag, "kind": "company"}).json()
    assert companies["total"] == 3
    prod = reseller_api.get("/api/v1/customers",
                            params={"q": tag, "status": "production"}).json()
    assert {c["name"].split()[0] for c in prod["items"]} == {"Bravo", "echo"}

    newest = reseller_api.get("/api/v1/customers", params={
        "q": tag, "sort": "created_at", "order": "desc", "per_page": 2, "page": 1}).json()
    assert [c["id"] for c in newest["items"]] == [made[4]["id"], made[3]["id"]]
    assert newest["pages"] == 3
    last = reseller_api.get("/api/v1/customers", params={
        "q": tag, "sort": "created_at", "order": "desc", "per_page": 2, "page": 3}).json()
    assert [c["id"] for c in last["items"]] == [made[0]["id"]]


def test_search_treats_wildcards_literally(reseller_api):
    reseller_api.create_customer(name=f"Plain {unique()}")
    resp = reseller_api.get("/api/v1/customers", params={"q": "%"})
    assert resp.status_code == 200
    assert resp.json()["total"] == 0


@pytest.mark.parametrize("params", [
    {"per_page": "0"}, {"per_page": "101"}, {"page": "0"}, {"sort": "password_hash"},
    {"order": "sideways"}, {"kind": "robot"}, {"page": "abc"}, {"q": "x" * 101},
    {"unknown": "1"},
])
def test_bad_list_queries_are_422(reseller_api, params):
    resp = reseller_api.get("/api/v1/customers", params=params)
    assert resp.status_code == 422, resp.text


def test_repeated_query_parameter_is_400(reseller_api):
    resp = reseller_api.get("/api/v1/customers?kind=company&kind=professional")
    assert resp.status_code == 400


def test_short_search_matches_the_start_of_the_name(reseller_api):
    tag = unique("zq")
    starts = reseller_api.create_customer(name=f"Qz Plomberie {tag}")
    reseller_api.create_customer(name=f"Plomberie Qz {tag}")  # contains, does not start
    # 1-2 characters: names that start with them (no full scan of the reseller's rows)
    hits = reseller_api.get("/api/v1/customers", params={"q": "QZ", "per_page": 100}).json()
    assert [c["id"] for c in hits["items"]] == [starts["id"]]
    # 3 and more: anywhere in name, identifier or e-mail
    both = reseller_api.get("/api/v1/customers", params={"q": f"qz {tag}"}).json()
    assert both["total"] == 1
    assert reseller_api.get("/api/v1/customers", params={"q": tag}).json()["total"] == 2


def test_only_the_system_administrator_reopens(platform, reseller_api, accounts_db,
                                               fast_hasher, accounts_events):
    customer = reseller_api.create_customer()
    path = f"/api/v1/customers/{customer['id']}"
    reseller_api.delete(path)
    refused = reseller_api.post(f"{path}/reopen")
    assert refused.status_code == 403
    assert reseller_api.get(path).json()["status"] == "closed"

    admin = make_admin(accounts_db, fast_hasher)
    ops = ApiClient(platform.base_url).login(admin.identifier, admin.password)
    reopened = ops.post(f"{path}/reopen")
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "production"
    assert reopened.json()["closed_at"] is None
    assert ops.post(f"{path}/reopen").status_code == 409  # it is not closed any more
    event = accounts_events.wait_for(lambda e: e["event_type"] == "customer_status_changed"
                                     and e["customer_id"] == customer["id"]
                                     and e["previous_status"] == "closed")
    assert event is not None and event["status"] == "production"


def test_export_chunks_are_scoped_and_counted_once(rpc, reseller_api, platform, accounts_db,
                                                  fast_hasher):
    tag = unique("exp")
    made = [reseller_api.create_customer(name=f"Export {tag} {i}") for i in range(3)]
    me = sign_actor(reseller_api.get("/api/v1/auth/session").json()["actor"])
    first = rpc.accounts.export_customers(me, {"q": tag, "sort": "name"}, 1)
    assert (first["total"], first["chunks"]) == (3, 1)
    assert [c["id"] for c in first["items"]] == [c["id"] for c in made]
    assert "total" not in rpc.accounts.export_customers(me, {"q": tag}, 2)
    other = make_reseller(accounts_db, fast_hasher)
    stranger = sign_actor({"user_id": other.user_id, "role": "reseller",
                           "reseller_id": other.reseller_id})
    assert rpc.accounts.export_customers(stranger, {"q": tag}, 1)["total"] == 0
