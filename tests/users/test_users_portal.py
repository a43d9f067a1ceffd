"""The Users tab of a customer's page over HTTP like a browser: the reseller's, the account
administrator's on the subscriber portal (in the reseller's brand) and a plain user's."""

from __future__ import annotations

import re
import uuid

from tests.e2e.test_portal_http import Portal
from tests.support import ApiClient, sign_in_subscriber, unique

USER_LINK = re.compile(r'href="/customers/[0-9a-f-]{36}/users/([0-9a-f-]{36})"')


def _form(**fields):
    return {"first_name": "Jean", "last_name": "Talon", "display_name": "",
            "email": f"{unique()}@portal.example", "extension": "", "account_role": "user",
            "language": "fr", **fields}


def test_reseller_manages_users_in_the_tab(platform, reseller, reseller_api):
    customer = reseller_api.create_customer(kind="company", language="en")
    page = f"/customers/{customer['id']}/users"
    portal = Portal(platform.base_url)
    portal.login(reseller)
    shown = portal.get(page)
    assert shown.status_code == 200
    assert 'href="' + page + '"' in shown.text and 'aria-current="page"' in shown.text
    assert customer["identifier"] in shown.text  # the main user

    added = portal.submit(page, page, _form(extension="210"))
    assert added.status_code == 303, added.text[:800]
    listing = portal.get(page).text
    assert "Jean Talon" in listing and "210" in listing

    taken = portal.submit(page, page, _form(first_name="<b>Other</b>", extension="210"))
    assert taken.status_code == 409
    assert 'aria-invalid="true" aria-describedby="e-extension"' in taken.text
    assert "&lt;b&gt;Other&lt;/b&gt;" in taken.text and "<b>Other</b>" not in taken.text
    bad = portal.submit(page, page, _form(extension="1"))
    assert bad.status_code == 422 and 'aria-describedby="e-extension"' in bad.text

    no_token = portal.post(page, _form())
    assert no_token.status_code == 403

    user_id = next(u for u in USER_LINK.findall(listing)
                   if "Jean Talon" in portal.get(f"{page}/{u}").text)
    edit = f"{page}/{user_id}"
    saved = portal.submit(edit, edit, _form(first_name="Jeanne", extension="211",
                                            email=reseller_api.get(
                                                f"/api/v1{edit}").json()["email"]))
    assert saved.status_code == 303, saved.text[:800]
    assert reseller_api.get(f"/api/v1{edit}").json()["display_name"] == "Jeanne Talon"
    gone = portal.submit(edit, f"{edit}/delete", {})
    assert gone.status_code == 303
    assert reseller_api.get(f"/api/v1{edit}").status_code == 404


def test_account_admin_and_plain_user_on_the_subscriber_portal(
        platform, reseller, reseller_api, accounts_events):
    customer = reseller_api.create_customer(kind="company", language="fr")
    page = f"/customers/{customer['id']}/users"
    admin = sign_in_subscriber(platform.base_url, accounts_events, customer)
    portal = Portal(platform.base_url)
    portal.http.cookies.set("sb_session", admin.token)
    shown = portal.get(page)
    assert shown.status_code == 200
    assert f"/brand/{reseller.reseller_id}/theme.css" in shown.text  # the reseller's brand
    assert "Nouvel utilisateur" in shown.text  # French: the account's language
    made = portal.submit(page, page, _form(first_name="Marie", last_name="Plain",
                                           extension="220"))
    assert made.status_code == 303, made.text[:800]

    plain_user = next(u for u in reseller_api.get(f"/api/v1{page}").json()["items"]
                      if u["extension"] == "220")
    reseller_api.post(f"/api/v1{page}/{plain_user['id']}/access-codes")
    event = accounts_events.wait_for(lambda e: e["event_type"] == "password_reset_requested"
                                     and e["user_id"] == plain_user["id"])
    ApiClient(platform.base_url).post("/api/v1/auth/reset", json={
        "token": event["reset_token"], "new_password": "plain-pin-220"})
    plain = ApiClient(platform.base_url).login(plain_user["email"], "plain-pin-220")
    as_plain = Portal(platform.base_url)
    as_plain.http.cookies.set("sb_session", plain.token)
    own = as_plain.get(page)
    assert own.status_code == 200
    assert "Marie Plain" in own.text and customer["identifier"] not in own.text
    assert 'action="' + page + '"' not in own.text  # no form to add users
    refused = as_plain.post(page, {**_form(), "csrf_token": as_plain.token(page)})
    assert refused.status_code == 403
    other_account = reseller_api.create_customer(kind="company")
    assert as_plain.get(f"/customers/{other_account['id']}/users").status_code == 404


def test_a_number_and_a_phone_are_given_to_a_user_from_the_tabs(platform, reseller,
                                                                reseller_api):
    from tests.numbering.conftest import fresh_numbers

    customer = reseller_api.create_customer(kind="company")
    cid = customer["id"]
    person = reseller_api.post(f"/api/v1/customers/{cid}/users", json={
        "email": f"{unique()}@portal.example", "display_name": "Lise Holder",
        "extension": "230"}).json()
    number = fresh_numbers(1)[0]
    reseller_api.post("/api/v1/numbers", json={"number": number})
    reseller_api.post(f"/api/v1/customers/{cid}/numbers", json={"numbers": [number]})
    portal = Portal(platform.base_url)
    portal.login(reseller)

    tab = portal.get(f"/customers/{cid}/numbers")
    assert "Lise Holder (230)" in tab.text
    given = portal.submit(f"/customers/{cid}/numbers", f"/customers/{cid}/numbers/user",
                          {"number": number, "user_id": person["id"]})
    assert given.status_code == 303, given.text[:500]
    held = reseller_api.get(f"/api/v1/customers/{cid}/numbers").json()["numbers"]
    assert held[0]["user_id"] == person["id"]

    devices = portal.get(f"/customers/{cid}/devices")
    assert f'<option value="{person["id"]}">Lise Holder (230)</option>' in devices.text
    made = portal.submit(f"/customers/{cid}/devices", f"/customers/{cid}/devices", {
        "name": "Lise's desk", "mac": "0015" + uuid.uuid4().hex[:8],
        "model": "snom-d735", "display_name": "", "number": "", "user_id": person["id"]})
    assert made.status_code == 303, made.text[:500]
    listed = reseller_api.get(f"/api/v1/customers/{cid}/devices").json()["items"]
    assert [d["user_id"] for d in listed] == [person["id"]]
