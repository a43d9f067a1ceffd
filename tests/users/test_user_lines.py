"""A user's numbers and phone lines on the running platform: the phone's file fetched over
FTP (ftplib) shows the user's name and number, in every vendor's format; deleting the user
removes its lines from the file server and puts its numbers in aging."""
# ruff: noqa: S321  (FTP is what the phones speak)

from __future__ import annotations

import ftplib
import io
import random

import pytest

from tests.numbering.conftest import fresh_numbers
from tests.support import unique, wait_until

MODELS = ("yealink-t46u", "polycom-vvx250", "cisco-spa504g", "grandstream-gxp2170",
          "snom-d735")


def _mac() -> str:
    return "0015" + "".join(random.choice("0123456789abcdef") for _ in range(8))


def _ftp(server, info) -> ftplib.FTP:
    ftp = ftplib.FTP(timeout=10)
    ftp.connect("127.0.0.1", server.ftp_port)
    ftp.login(info["username"], info["password"])
    return ftp


def _get(ftp: ftplib.FTP, name: str) -> str:
    out = io.BytesIO()
    ftp.retrbinary(f"RETR {name}", out.write)
    return out.getvalue().decode()


def _line_file(device: dict) -> str:
    """The file holding the line (Polycom's second file; the only one elsewhere)."""
    return device["files"][-1]


@pytest.fixture
def account(reseller_api):
    """A company with two numbers, one of them given to a user, and a 30-day aging."""
    assert reseller_api.put("/api/v1/numbers/settings",
                            json={"aging_days": 30}).status_code == 200
    customer = reseller_api.create_customer(kind="company", start="production")
    base = f"/api/v1/customers/{customer['id']}"
    numbers = fresh_numbers(2)
    for number in numbers:
        assert reseller_api.post("/api/v1/numbers", json={"number": number}).status_code == 201
    assert reseller_api.post(f"{base}/numbers", json={"numbers": numbers}).status_code == 201
    user = reseller_api.post(f"{base}/users", json={
        "email": f"{unique()}@staff.example", "first_name": "Zoé", "last_name": "Tremblay",
        "extension": "204"}).json()
    given = reseller_api.put(f"{base}/numbers/{numbers[1]}/user", json={"user_id": user["id"]})
    assert given.status_code == 200, given.text
    assert given.json()["user_id"] == user["id"]
    return {"customer": customer, "base": base, "user": user, "numbers": numbers}


def test_numbers_go_only_to_the_accounts_own_users(reseller_api, account):
    base, numbers = account["base"], account["numbers"]
    other = reseller_api.create_customer(kind="company")
    stranger = reseller_api.post(f"/api/v1/customers/{other['id']}/users", json={
        "email": f"{unique()}@x.example", "display_name": "Elsewhere"}).json()
    refused = reseller_api.put(f"{base}/numbers/{numbers[0]}/user",
                               json={"user_id": stranger["id"]})
    assert refused.status_code == 404, refused.text
    assert refused.json()["details"][0]["field"] == "user_id"
    bad = reseller_api.put(f"{base}/numbers/{numbers[0]}/user", json={"user_id": "nope"})
    assert bad.status_code == 422
    back = reseller_api.put(f"{base}/numbers/{numbers[1]}/user", json={"user_id": None})
    assert back.status_code == 200 and back.json()["user_id"] is None
    listed = {n["number"]: n for n in reseller_api.get(f"{base}/numbers").json()["numbers"]}
    assert listed[numbers[1]]["user_id"] is None


def test_the_phone_shows_the_users_name_and_number_then_goes_with_the_user(
        reseller_api, account, file_server):
    base, user, numbers = account["base"], account["user"], account["numbers"]
    made = []
    for model in MODELS:
        resp = reseller_api.post(f"{base}/devices", json={
            "name": f"Desk {model}", "mac": _mac(), "model": model, "user_id": user["id"]})
        assert resp.status_code == 201, resp.text
        assert resp.json()["user_id"] == user["id"]
        made.append(resp.json())
    # A line of the account without a user keeps the account's first number and its name.
    shared = reseller_api.post(f"{base}/devices", json={
        "name": "Lobby", "mac": _mac(), "model": "yealink-t46u"}).json()
    info = reseller_api.get(f"{base}/provisioning").json()

    ftp = _ftp(file_server, info)
    try:
        for device in made:
            text = _get(ftp, _line_file(device))
            assert "Zoé Tremblay" in text, (device["model"], text)
            assert numbers[1] in text, (device["model"], text)
            assert numbers[0] not in text
        lobby = _get(ftp, _line_file(shared))
        assert "Lobby" in lobby and numbers[0] in lobby and "Zoé" not in lobby
    finally:
        ftp.quit()

    # Renamed, the user's phones show the new name at their next download.
    reseller_api.patch(f"{base}/users/{user['id']}", json={"first_name": "Zoë"})
    ftp = _ftp(file_server, info)
    try:
        assert wait_until(lambda: "Zoë Tremblay" in _get(ftp, _line_file(made[0])), 15)
    finally:
        ftp.quit()

    assert reseller_api.delete(f"{base}/users/{user['id']}").status_code == 200
    names = {f for d in made for f in d["files"]}

    def lines_gone() -> bool:
        ftp = _ftp(file_server, info)
        try:
            return not names & set(ftp.nlst())
        finally:
            ftp.quit()
    assert wait_until(lines_gone, 20), "the deleted user's files are still served"
    devices = reseller_api.get(f"{base}/devices").json()
    assert [d["id"] for d in devices["items"]] == [shared["id"]]

    def aging() -> dict:
        found = reseller_api.get("/api/v1/numbers", params={"prefix": numbers[1]}).json()
        return found["items"][0] if found["items"][0]["state"] == "aging" else {}
    rested = wait_until(aging, 20)
    assert rested and rested["customer_id"] is None and rested["user_id"] is None
    assert rested["available_at"]
    held = [n["number"] for n in reseller_api.get(f"{base}/numbers").json()["numbers"]]
    assert held == [numbers[0]]  # the account keeps the number that was not the user's
    ftp = _ftp(file_server, info)
    try:
        with pytest.raises(ftplib.error_perm, match="550"):
            _get(ftp, _line_file(made[0]))
        assert numbers[0] in _get(ftp, _line_file(shared))
    finally:
        ftp.quit()


def test_plain_user_sees_its_own_numbers_and_lines(platform, reseller_api, account,
                                                   accounts_events):
    from tests.support import ApiClient

    base, user = account["base"], account["user"]
    mine = reseller_api.post(f"{base}/devices", json={
        "name": "Mine", "mac": _mac(), "model": "snom-d735", "user_id": user["id"]}).json()
    reseller_api.post(f"{base}/devices", json={"name": "Not mine", "mac": _mac(),
                                               "model": "snom-d735"})
    reseller_api.post(f"{base}/users/{user['id']}/access-codes")
    event = accounts_events.wait_for(lambda e: e["event_type"] == "password_reset_requested"
                                     and e["user_id"] == user["id"])
    anonymous = ApiClient(platform.base_url)
    assert anonymous.post("/api/v1/auth/reset", json={
        "token": event["reset_token"], "new_password": "plain-pin-1"}).status_code == 204
    plain = ApiClient(platform.base_url).login(user["identifier"], "plain-pin-1")
    numbers = plain.get(f"{base}/numbers").json()["numbers"]
    assert [n["number"] for n in numbers] == [account["numbers"][1]]
    devices = plain.get(f"{base}/devices").json()["items"]
    assert [d["id"] for d in devices] == [mine["id"]]
    assert plain.delete(f"{base}/devices/{mine['id']}").status_code == 403
    assert plain.put(f"{base}/numbers/{account['numbers'][1]}/user",
                     json={"user_id": None}).status_code == 403
