"""Organisations over HTTP against the running platform: a reseller links its own accounts
(and no one else's), an account belongs to one organisation at most, extensions stay unique
within the organisation, and the membership reaches the other services through events."""

from __future__ import annotations

from tests.support import ApiClient, make_reseller, unique

from .conftest import ORGS, add_user, ok


def _details(resp) -> list[dict]:
    return resp.json().get("details") or []


def test_create_link_read_rename_unlink_delete(reseller_api, affiliated):
    org = affiliated.organisation
    assert {m["customer_id"] for m in org["members"]} == {affiliated.a["id"],
                                                          affiliated.b["id"]}
    listed = ok(reseller_api.get(ORGS))["items"]
    assert org["id"] in {o["id"] for o in listed}
    customer = ok(reseller_api.get(f"/api/v1/customers/{affiliated.a['id']}"))
    assert customer["organisation_id"] == org["id"]
    # linking again changes nothing
    again = ok(reseller_api.put(affiliated.members_path(affiliated.a["id"])))
    assert len(again["members"]) == 2
    renamed = ok(reseller_api.patch(f"{ORGS}/{org['id']}", json={"name": "Renamed & Co"}))
    assert renamed["name"] == "Renamed & Co"
    assert reseller_api.patch(f"{ORGS}/{org['id']}", json={"name": ""}).status_code == 422
    left = ok(reseller_api.delete(affiliated.members_path(affiliated.b["id"])))
    assert [m["customer_id"] for m in left["members"]] == [affiliated.a["id"]]
    assert reseller_api.delete(affiliated.members_path(affiliated.b["id"])).status_code == 404
    assert reseller_api.delete(f"{ORGS}/{org['id']}").status_code == 204
    assert reseller_api.get(f"{ORGS}/{org['id']}").status_code == 404
    customer = ok(reseller_api.get(f"/api/v1/customers/{affiliated.a['id']}"))
    assert customer["organisation_id"] is None  # its account stays, unlinked


def test_an_account_belongs_to_one_organisation_at_most(reseller_api, affiliated):
    other = ok(reseller_api.post(ORGS, json={"name": f"Other {unique()}"}), 201)
    taken = reseller_api.put(f"{ORGS}/{other['id']}/members/{affiliated.a['id']}")
    assert taken.status_code == 409
    assert _details(taken)[0]["field"] == "customer_id"


def test_linking_an_account_whose_extensions_clash_is_refused_listing_them(reseller_api,
                                                                            affiliated):
    newcomer = reseller_api.create_customer(kind="company", start="production")
    add_user(reseller_api, newcomer["id"], "Clash one", "201")
    add_user(reseller_api, newcomer["id"], "Clash two", "202")
    add_user(reseller_api, newcomer["id"], "Fine", "777")
    refused = reseller_api.put(affiliated.members_path(newcomer["id"]))
    assert refused.status_code == 409, refused.text
    clashes = {d["extension"]: d["customer_id"] for d in _details(refused)}
    assert clashes == {"201": affiliated.a["id"], "202": affiliated.b["id"]}
    assert "201" in refused.json()["message"] and "202" in refused.json()["message"]
    org = ok(reseller_api.get(f"{ORGS}/{affiliated.organisation['id']}"))
    assert newcomer["id"] not in {m["customer_id"] for m in org["members"]}


def test_a_users_extension_must_be_free_in_the_whole_organisation(reseller_api, affiliated):
    users = f"/api/v1/customers/{affiliated.b['id']}/users"
    taken = reseller_api.post(users, json={"email": f"{unique()}@staff.example",
                                           "display_name": "Copycat", "extension": "201"})
    assert taken.status_code == 409, taken.text
    assert _details(taken)[0]["field"] == "extension"
    moved = reseller_api.patch(f"{users}/{affiliated.b_user['id']}",
                               json={"extension": "201", "version": 1})
    assert moved.status_code == 409
    assert ok(reseller_api.patch(f"{users}/{affiliated.b_user['id']}",
                                 json={"extension": "203", "version": 1}))["extension"] == "203"
    # outside the organisation the same extension is fine
    alone = reseller_api.create_customer(kind="company", start="production")
    add_user(reseller_api, alone["id"], "Elsewhere", "201")


def test_another_reseller_cannot_see_or_affiliate(platform, accounts_db, fast_hasher,
                                                  reseller_api, affiliated):
    other_login = make_reseller(accounts_db, fast_hasher, name="Stranger")
    other = ApiClient(platform.base_url).login(other_login.identifier, other_login.password)
    org_id = affiliated.organisation["id"]
    assert other.get(f"{ORGS}/{org_id}").status_code == 404
    assert org_id not in {o["id"] for o in ok(other.get(ORGS))["items"]}
    assert other.patch(f"{ORGS}/{org_id}", json={"name": "Mine"}).status_code == 404
    assert other.delete(f"{ORGS}/{org_id}").status_code == 404
    own_account = other.create_customer()
    # its own account into A's organisation, A's account out of it or into its own
    assert other.put(f"{ORGS}/{org_id}/members/{own_account['id']}").status_code == 404
    assert other.delete(f"{ORGS}/{org_id}/members/{affiliated.a['id']}").status_code == 404
    own_org = ok(other.post(ORGS, json={"name": "Stranger's"}), 201)
    assert other.put(f"{ORGS}/{own_org['id']}/members/{affiliated.a['id']}").status_code == 404
    # and the reseller cannot link the stranger's account either
    assert reseller_api.put(f"{ORGS}/{org_id}/members/{own_account['id']}").status_code == 404
    org = ok(reseller_api.get(f"{ORGS}/{org_id}"))
    assert {m["customer_id"] for m in org["members"]} == {affiliated.a["id"],
                                                          affiliated.b["id"]}
    assert org["name"] != "Mine"


def test_membership_travels_in_the_customer_event(reseller_api, accounts_events):
    customer = reseller_api.create_customer()
    org = ok(reseller_api.post(ORGS, json={"name": f"Evented {unique()}"}), 201)
    ok(reseller_api.put(f"{ORGS}/{org['id']}/members/{customer['id']}"))
    event = accounts_events.wait_for(
        lambda e: e.get("customer_id") == customer["id"] and e.get("organisation_id"))
    assert event is not None and event["event_type"] == "customer_updated"
    assert event["fields"] == ["organisation_id"] and event["version"] == 2
