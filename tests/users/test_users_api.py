"""Users of a customer account over HTTP, against the running platform: the reseller's API,
the account administrator's and a plain user's, access codes by e-mail (aiosmtpd) and the
new user's own sign-in."""

from __future__ import annotations

import re

import pytest

from tests.support import ApiClient, make_reseller, sign_in_subscriber, unique

LINK_RE = re.compile(r"https?://\S+/reset\?token=([A-Za-z0-9_\-]+)")


def _users(customer_id: str, user_id: str | None = None) -> str:
    path = f"/api/v1/customers/{customer_id}/users"
    return f"{path}/{user_id}" if user_id else path


def _body(**fields):
    return {"email": f"{unique()}@staff.example", "first_name": "Marie",
            "last_name": "Curie", **fields}


def _fields(resp) -> set[str]:
    return {d.get("field", "").split(".")[-1] for d in resp.json().get("details") or []}


@pytest.fixture
def company(reseller_api):
    return reseller_api.create_customer(kind="company", start="production")


def test_create_list_read_update_delete(reseller_api, company):
    made = reseller_api.post(_users(company["id"]), json=_body(extension="101", language="en"))
    assert made.status_code == 201, made.text
    user = made.json()
    assert user["display_name"] == "Marie Curie" and user["extension"] == "101"
    assert user["account_role"] == "user" and user["version"] == 1 and not user["main"]
    assert "password_hash" not in user and not user["has_pin"]

    listing = reseller_api.get(_users(company["id"])).json()
    assert listing["total"] == 2  # the account's main user and the new one
    assert {u["id"] for u in listing["items"]} >= {user["id"]}
    assert reseller_api.get(_users(company["id"]), params={"q": "101"}).json()["total"] == 1

    read = reseller_api.get(_users(company["id"], user["id"]))
    assert read.status_code == 200 and read.json()["email"] == user["email"]

    patched = reseller_api.patch(_users(company["id"], user["id"]),
                                 json={"extension": "102", "account_role": "account_admin",
                                       "version": 1})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["extension"], patched.json()["version"]) == ("102", 2)
    stale = reseller_api.patch(_users(company["id"], user["id"]),
                               json={"language": "fr", "version": 1})
    assert stale.status_code == 409 and "version" in _fields(stale)

    gone = reseller_api.delete(_users(company["id"], user["id"]))
    assert gone.status_code == 200 and gone.json()["deleted"] is True
    assert reseller_api.get(_users(company["id"], user["id"])).status_code == 404
    assert reseller_api.delete(_users(company["id"], user["id"])).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"email": "not-an-email", "display_name": "X"}, "email"),
    ({"email": "a@b.example", "display_name": "X", "extension": "1"}, "extension"),
    ({"email": "a@b.example", "display_name": "X", "extension": "12a"}, "extension"),
    ({"email": "a@b.example", "display_name": "X", "account_role": "boss"}, "account_role"),
    ({"email": "a@b.example", "display_name": "X", "language": "de"}, "language"),
    ({"email": "a@b.example", "display_name": "X\nY"}, "display_name"),
    ({"email": "a@b.example", "display_name": "X", "surprise": 1}, "surprise"),
])
def test_bad_input_names_the_field(reseller_api, company, body, field):
    resp = reseller_api.post(_users(company["id"]), json=body)
    assert resp.status_code == 422, resp.text
    assert resp.json()["error"] and resp.json()["message"]
    assert field in _fields(resp), resp.json()


def test_a_user_needs_a_name_and_a_patch_a_field(reseller_api, company):
    nameless = reseller_api.post(_users(company["id"]), json={"email": "n@n.example"})
    assert nameless.status_code == 422
    made = reseller_api.post(_users(company["id"]), json=_body()).json()
    empty = reseller_api.patch(_users(company["id"], made["id"]), json={})
    assert empty.status_code == 422
    not_json = reseller_api.post(_users(company["id"]), data="[]",
                                 headers={"Content-Type": "application/json"})
    assert 400 <= not_json.status_code < 500


def test_extension_and_email_conflicts_name_the_field(reseller_api, company):
    first = reseller_api.post(_users(company["id"]), json=_body(extension="200")).json()
    again = reseller_api.post(_users(company["id"]), json=_body(extension="200"))
    assert again.status_code == 409 and _fields(again) == {"extension"}
    other = reseller_api.post(_users(company["id"]), json=_body(extension="201")).json()
    moved = reseller_api.patch(_users(company["id"], other["id"]), json={"extension": "200"})
    assert moved.status_code == 409 and _fields(moved) == {"extension"}
    same_mail = reseller_api.post(_users(company["id"]), json=_body(email=first["email"]))
    assert same_mail.status_code == 409 and _fields(same_mail) == {"email"}
    # Another account may use the same extension: it is dialled inside one account.
    elsewhere = reseller_api.create_customer(kind="company")
    assert reseller_api.post(_users(elsewhere["id"]),
                             json=_body(extension="200")).status_code == 201


def test_professional_account_has_exactly_one_user(reseller_api):
    pro = reseller_api.create_customer(kind="professional")
    assert reseller_api.get(_users(pro["id"])).json()["total"] == 1
    second = reseller_api.post(_users(pro["id"]), json=_body())
    assert second.status_code == 409
    assert "professional" in second.json()["message"]
    main = reseller_api.get(_users(pro["id"])).json()["items"][0]
    refused = reseller_api.delete(_users(pro["id"], main["id"]))
    assert refused.status_code == 409


def test_other_reseller_sees_nothing(platform, accounts_db, fast_hasher, reseller_api, company):
    made = reseller_api.post(_users(company["id"]), json=_body()).json()
    stranger = make_reseller(accounts_db, fast_hasher)
    other = ApiClient(platform.base_url).login(stranger.identifier, stranger.password)
    for resp in (other.get(_users(company["id"])),
                 other.get(_users(company["id"], made["id"])),
                 other.patch(_users(company["id"], made["id"]), json={"extension": "999"}),
                 other.delete(_users(company["id"], made["id"])),
                 other.post(_users(company["id"]), json=_body()),
                 other.post(_users(company["id"], made["id"]) + "/access-codes")):
        assert resp.status_code == 404, (resp.request.method, resp.request.url, resp.text)
    # The other reseller's own account does not open a door to this one's users.
    own = other.create_customer(kind="company")
    assert other.get(_users(own["id"], made["id"])).status_code == 404
    assert reseller_api.get(_users(company["id"], made["id"])).json()["extension"] is None


def test_access_codes_by_mail_then_own_pin_then_plain_user_rights(
        platform, smtp, reseller_api, accounts_events, company):
    body = _body(extension="301", send_access_codes=True)
    made = reseller_api.post(_users(company["id"]), json=body)
    assert made.status_code == 201, made.text
    user = made.json()
    found = smtp.wait_for(lambda m: user["email"].lower() in str(m["To"]).lower(), timeout=30)
    assert found, "no access-codes e-mail for the new user"
    text = found[0].get_body(preferencelist=("plain", "html")).get_content()
    assert user["identifier"] in text
    token = LINK_RE.search(text).group(1)
    anonymous = ApiClient(platform.base_url)
    chosen = anonymous.post("/api/v1/auth/reset", json={"token": token,
                                                        "new_password": "own-pin-301"})
    assert chosen.status_code == 204, chosen.text
    plain = ApiClient(platform.base_url).login(user["email"], "own-pin-301")
    me = plain.get("/api/v1/auth/session").json()
    assert me["user"]["id"] == user["id"]
    assert me["actor"]["account_role"] == "user"
    assert me["actor"]["customer_id"] == company["id"]
    assert reseller_api.get(_users(company["id"], user["id"])).json()["has_pin"] is True

    # A plain user reads itself, and nothing more; it manages no one.
    assert plain.get(_users(company["id"], user["id"])).status_code == 200
    assert plain.get(_users(company["id"])).status_code == 403
    assert plain.post(_users(company["id"]), json=_body()).status_code == 403
    assert plain.patch(_users(company["id"], user["id"]),
                       json={"account_role": "account_admin"}).status_code == 403
    main = reseller_api.get(_users(company["id"]), params={"account_role": "account_admin"}
                            ).json()["items"][0]
    assert plain.get(_users(company["id"], main["id"])).status_code == 403
    assert plain.delete(_users(company["id"], main["id"])).status_code == 403
    # It still changes its own PIN.
    changed = plain.post("/api/v1/auth/password", json={"current_password": "own-pin-301",
                                                        "new_password": "own-pin-302"})
    assert changed.status_code == 204, changed.text

    # Promoted, the same user manages the account's users at its next request.
    reseller_api.patch(_users(company["id"], user["id"]), json={"account_role": "account_admin"})
    listing = plain.get(_users(company["id"]))
    assert listing.status_code == 200 and listing.json()["total"] == 2
    added = plain.post(_users(company["id"]), json=_body(extension="302"))
    assert added.status_code == 201, added.text


def test_subscriber_of_another_account_sees_nothing(platform, reseller_api, accounts_events,
                                                    company):
    made = reseller_api.post(_users(company["id"]), json=_body()).json()
    other_account = reseller_api.create_customer(kind="company")
    subscriber = sign_in_subscriber(platform.base_url, accounts_events, other_account)
    assert subscriber.get(_users(company["id"])).status_code == 404
    assert subscriber.get(_users(company["id"], made["id"])).status_code == 404
    assert subscriber.delete(_users(company["id"], made["id"])).status_code == 404
    # Its own account's users, it administers (the main user is the account's admin).
    assert subscriber.get(_users(other_account["id"])).json()["total"] == 1
    assert subscriber.get(_users(other_account["id"], made["id"])).status_code == 404


def test_main_user_keeps_its_role_and_the_accounts_email(reseller_api, company):
    main = reseller_api.get(_users(company["id"])).json()["items"][0]
    assert main["main"] and main["account_role"] == "account_admin"
    demoted = reseller_api.patch(_users(company["id"], main["id"]),
                                 json={"account_role": "user"})
    assert demoted.status_code == 409 and _fields(demoted) == {"account_role"}
    email = f"{unique()}@moved.example"
    assert reseller_api.patch(_users(company["id"], main["id"]),
                              json={"email": email}).status_code == 200
    assert reseller_api.get(f"/api/v1/customers/{company['id']}").json()["email"] == email


def test_a_plain_user_changes_neither_the_account_nor_its_subscription(
        platform, reseller_api, accounts_events, company):
    user = reseller_api.post(_users(company["id"]), json=_body()).json()
    reseller_api.post(_users(company["id"], user["id"]) + "/access-codes")
    event = accounts_events.wait_for(lambda e: e["event_type"] == "password_reset_requested"
                                     and e["user_id"] == user["id"])
    ApiClient(platform.base_url).post("/api/v1/auth/reset", json={
        "token": event["reset_token"], "new_password": "plain-pin-9"})
    plain = ApiClient(platform.base_url).login(user["identifier"], "plain-pin-9")
    base = f"/api/v1/customers/{company['id']}"
    assert plain.get(base).status_code == 200  # it reads its account
    assert plain.patch(base, json={"name": "Renamed"}).status_code == 403
    some_item = "00000000-0000-4000-8000-000000000000"
    assert plain.put(f"{base}/subscription", json={"lines": [
        {"item_id": some_item, "quantity": 1}]}).status_code == 403
    assert reseller_api.get(base).json()["name"] == company["name"]
