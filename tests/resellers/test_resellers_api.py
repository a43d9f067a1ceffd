"""Resellers through the API, end to end: onboarding by the system administrator, the
welcome link, the wizard's state, settings, PBX information, suspension, and isolation."""

from __future__ import annotations

import uuid

import pytest

from sbcommon.actor import sign_actor
from sbcommon.errors import NotFound
from tests.resellers.conftest import onboard
from tests.support import ApiClient, make_reseller, sign_in_subscriber


def test_onboarding_sends_a_welcome_link_that_sets_the_pin_and_starts_the_wizard(
        onboarded):
    reseller = onboarded.reseller
    assert reseller["status"] == "active" and reseller["setup_step"] == "settings"
    assert reseller["identifier"] == onboarded.identifier and reseller["trial_days"] == 14
    session = onboarded.api.get("/api/v1/auth/session").json()
    assert session["actor"] == {"user_id": session["user"]["id"], "role": "reseller",
                                "reseller_id": reseller["id"], "customer_id": None}
    settings = onboarded.api.get("/api/v1/reseller/settings").json()
    assert settings["setup_step"] == "settings" and settings["email"] == onboarded.email


def test_the_wizard_step_persists_and_done_ends_it(onboarded):
    api = onboarded.api
    assert api.put("/api/v1/reseller/setup", json={"step": "branding"}).status_code == 200
    assert api.get("/api/v1/reseller/settings").json()["setup_step"] == "branding"
    bad = api.put("/api/v1/reseller/setup", json={"step": "nowhere"})
    assert bad.status_code == 422 and "step" in bad.text
    assert api.put("/api/v1/reseller/setup", json={"step": "done"}).json()["setup_step"] == "done"
    # a finished wizard does not reopen
    assert api.put("/api/v1/reseller/setup",
                   json={"step": "settings"}).json()["setup_step"] == "done"


def test_onboarding_refuses_a_taken_identifier_and_bad_fields(platform, admin_api, smtp,
                                                             onboarded):
    again = admin_api.post("/api/v1/admin/resellers", json={
        "name": "Other", "identifier": onboarded.identifier, "email": "x@other.example"})
    assert again.status_code == 409 and again.json()["details"][0]["field"] == "identifier"
    bad = admin_api.post("/api/v1/admin/resellers", json={
        "name": "Other", "identifier": "ok-ident", "email": "not-an-address",
        "currency": "dollars"})
    assert bad.status_code == 422
    fields = {d["field"].split(".")[-1] for d in bad.json()["details"]}
    assert {"email", "currency"} <= fields


def test_list_search_and_edit(admin_api, onboarded):
    found = admin_api.get("/api/v1/admin/resellers", params={"q": onboarded.identifier})
    assert found.status_code == 200
    assert [r["id"] for r in found.json()["items"]] == [onboarded.reseller["id"]]
    rid = onboarded.reseller["id"]
    host = f"{uuid.uuid4().hex[:8]}.example"
    changed = admin_api.patch(f"/api/v1/admin/resellers/{rid}", json={
        "name": "Renamed Telecom", "currency": "eur", "host_name": host})
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Renamed Telecom" and changed.json()["currency"] == "EUR"
    assert changed.json()["version"] > onboarded.reseller["version"]
    assert admin_api.get(f"/api/v1/admin/resellers/{uuid.uuid4()}").status_code == 404
    assert admin_api.get("/api/v1/admin/resellers/not-a-uuid").status_code == 404


def test_settings_and_support_contact(onboarded):
    api = onboarded.api
    saved = api.patch("/api/v1/reseller/settings", json={
        "address": "1 rue Principale\nMontréal QC", "phone": "+1 514 555 0199",
        "support_phone": "+1 800 555 0100", "support_email": "help@acme.example"})
    assert saved.status_code == 200, saved.text
    got = api.get("/api/v1/reseller/settings").json()
    assert got["address"] == "1 rue Principale\nMontréal QC"
    assert (got["support_phone"], got["support_email"]) == ("+1 800 555 0100",
                                                           "help@acme.example")
    bad = api.patch("/api/v1/reseller/settings", json={"support_email": "nope",
                                                       "address": "a\x00b"})
    assert bad.status_code in (400, 422)
    assert api.patch("/api/v1/reseller/settings", json={}).status_code == 422


def test_pbx_information_is_recorded_by_the_admin_and_read_only_for_the_reseller(
        admin_api, onboarded):
    rid = onboarded.reseller["id"]
    pbx = {"pbx_name": "Asterisk East", "sip_domain": "sip.acme.example",
           "sip_proxy": "proxy.acme.example:5080", "default_carrier": "Carrier One"}
    assert admin_api.patch(f"/api/v1/admin/resellers/{rid}", json=pbx).status_code == 200
    assert onboarded.api.get("/api/v1/reseller/pbx").json() == pbx
    refused = onboarded.api.patch("/api/v1/reseller/settings", json={"sip_domain": "evil"})
    assert refused.status_code == 422
    assert onboarded.api.patch(f"/api/v1/admin/resellers/{rid}",
                               json={"sip_domain": "evil.example"}).status_code == 403
    bad = admin_api.patch(f"/api/v1/admin/resellers/{rid}", json={"sip_proxy": "a b;c"})
    assert bad.status_code == 422 and "sip_proxy" in bad.text


def test_suspension_stops_its_users_not_its_subscribers_and_reactivation_restores(
        platform, admin_api, smtp, accounts_events):
    made = onboard(platform, admin_api, smtp)
    customer = made.api.create_customer(start="production")
    subscriber = sign_in_subscriber(platform.base_url, accounts_events, customer)
    rid = made.reseller["id"]

    suspended = admin_api.post(f"/api/v1/admin/resellers/{rid}/suspend")
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    assert admin_api.post(f"/api/v1/admin/resellers/{rid}/suspend").status_code == 409
    assert made.api.get("/api/v1/auth/session").status_code == 401  # its session ended
    refused = ApiClient(platform.base_url).post(
        "/api/v1/auth/login", json={"identifier": made.identifier, "password": made.pin})
    assert refused.status_code == 401
    # its subscribers keep their service and their portal; nothing was deleted
    assert subscriber.get(f"/api/v1/customers/{customer['id']}").json()["status"] == \
        "production"
    assert admin_api.get(f"/api/v1/customers/{customer['id']}").status_code == 200

    assert admin_api.post(f"/api/v1/admin/resellers/{rid}/reactivate").json()["status"] == \
        "active"
    ApiClient(platform.base_url).login(made.identifier, made.pin)


def test_only_the_system_administrator_manages_resellers(reseller_api, onboarded):
    rid = onboarded.reseller["id"]
    assert reseller_api.get("/api/v1/admin/resellers").status_code == 403
    assert reseller_api.post("/api/v1/admin/resellers", json={
        "name": "X", "identifier": "xxx-yyy", "email": "x@y.example"}).status_code == 403
    for method, path in (("get", f"/api/v1/admin/resellers/{rid}"),
                         ("patch", f"/api/v1/admin/resellers/{rid}"),
                         ("post", f"/api/v1/admin/resellers/{rid}/suspend"),
                         ("post", f"/api/v1/admin/resellers/{rid}/reactivate")):
        kwargs = {"json": {"name": "Stolen"}} if method == "patch" else {}
        assert getattr(reseller_api, method)(path, **kwargs).status_code == 403, path
    assert onboarded.reseller["name"] != "Stolen"


def test_a_reseller_cannot_read_or_change_another_resellers_settings(
        platform, rpc, accounts_db, fast_hasher, onboarded, admin_api):
    other = make_reseller(accounts_db, fast_hasher)
    other_api = ApiClient(platform.base_url).login(other.identifier, other.password)
    other_actor = sign_actor(other_api.get("/api/v1/auth/session").json()["actor"])
    rid = onboarded.reseller["id"]
    admin_api.patch(f"/api/v1/admin/resellers/{rid}", json={"sip_domain": "secret.example"})
    onboarded.api.patch("/api/v1/reseller/settings", json={"phone": "+1 514 555 0142"})
    # the RPCs refuse a foreign reseller id as if it did not exist
    with pytest.raises(NotFound):
        rpc.accounts.get_reseller_settings(other_actor, rid)
    with pytest.raises(NotFound):
        rpc.accounts.get_reseller_branding(other_actor, rid)
    mine = other_api.get("/api/v1/reseller/settings").json()
    assert mine["phone"] != "+1 514 555 0142" and mine["pbx"]["sip_domain"] is None
    assert other_api.get("/api/v1/reseller/pbx").json()["sip_domain"] is None


def test_subscribers_and_anonymous_callers_have_no_reseller_settings(platform, reseller_api,
                                                                     accounts_events):
    customer = reseller_api.create_customer()
    subscriber = sign_in_subscriber(platform.base_url, accounts_events, customer)
    assert subscriber.get("/api/v1/reseller/settings").status_code == 403
    assert subscriber.put("/api/v1/reseller/branding",
                          json={"portal_name": "Mine"}).status_code == 403
    assert ApiClient(platform.base_url).get("/api/v1/reseller/settings").status_code == 401
