"""A suspended subscriber, end to end: its portal sign-in shows the suspension page in its
reseller's brand, the API says account_suspended, its calls are denied (the gateway's
/pbx/v1 and routing_policy's direct server) but emergency calls go through, its phone's file
is refused over FTP and HTTP, its numbers stay its own; reactivation restores everything."""

from __future__ import annotations

import ftplib

import pytest
import requests

from tests.e2e.test_portal_http import Portal
from tests.numbering.conftest import fresh_numbers, import_text
from tests.pbx.conftest import ftp_file, provision_phone
from tests.support import ApiClient, sign_in_subscriber, wait_until

NATIONAL = "01 45 67 89 01"  # a Paris number, allowed by default
EMERGENCY = "112"
PIN = "subscriber-pin-1"


def decision(url: str, token: str, customer_id: str, dialed: str) -> dict | None:
    resp = requests.get(f"{url}/authorize", params={"customer": customer_id, "dialed": dialed},
                        headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return resp.json() if resp.status_code == 200 else None


def both_say(platform, token, customer_id, dialed, allow: bool) -> bool:
    """The gateway's /pbx/v1 and routing_policy's direct server both answer ``allow``."""
    for url in (f"{platform.base_url}/pbx/v1", platform.pbx_url):
        answer = decision(url, token, customer_id, dialed)
        if answer is None or answer["allow"] is not allow:
            return False
    return True


def http_file(file_server, info, name) -> requests.Response:
    return requests.get(f"{file_server.http_url}/{name}", timeout=10,
                        auth=(info["username"], info["password"]))


def ftp_refused(file_server, info, name) -> bool:
    try:
        ftp_file(file_server.ftp_port, info["username"], info["password"], name)
    except ftplib.error_perm:
        return True
    return False


@pytest.fixture
def suspended_world(platform, reseller_api, file_server, pbx_token, accounts_events):
    """A subscriber with a PIN, a phone provisioned over FTP, a number, and its reseller's
    support contact; still in service."""
    saved = reseller_api.patch("/api/v1/reseller/settings", json={
        "support_phone": "+1 800 555 0177", "support_email": "aide@boreal.example"})
    assert saved.status_code == 200, saved.text
    phone = provision_phone(platform, reseller_api, file_server, pbx_token)
    customer = phone.customer
    number = fresh_numbers(1, "819")[0]
    assert import_text(reseller_api, [number]).status_code in (200, 201, 202)
    ordered = reseller_api.post(f"/api/v1/customers/{customer['id']}/numbers",
                                json={"count": 1, "area_code": "819"})
    assert ordered.status_code == 201, ordered.text
    sign_in_subscriber(platform.base_url, accounts_events, customer, PIN)
    info = reseller_api.get(f"/api/v1/customers/{customer['id']}/provisioning").json()
    return phone, customer, number, info


def test_suspended_subscriber_loses_service_but_keeps_numbers_and_emergency(
        platform, reseller_api, file_server, pbx_token, suspended_world):
    phone, customer, number, info = suspended_world
    name = phone.device["files"][0]
    base = f"/api/v1/customers/{customer['id']}"
    assert http_file(file_server, info, name).status_code == 200
    wait_until(lambda: both_say(platform, pbx_token, customer["id"], NATIONAL, True),
               timeout=15, message="calls allowed before the suspension")

    changed = reseller_api.patch(base, json={"status": "suspended"})
    assert changed.status_code == 200 and changed.json()["status"] == "suspended"

    # Calls: denied on both PBX doors, with the reason; emergency still allowed.
    wait_until(lambda: both_say(platform, pbx_token, customer["id"], NATIONAL, False),
               timeout=15, message="calls denied after the suspension")
    denied = decision(platform.pbx_url, pbx_token, customer["id"], NATIONAL)
    assert "suspended" in denied["reason"]
    assert both_say(platform, pbx_token, customer["id"], EMERGENCY, True)
    # The phone cannot register either (no SIP credentials for a line out of service).
    credentials = requests.get(f"{platform.pbx_url}/sip-credentials", timeout=5,
                               params={"username": phone.user, "realm": phone.domain},
                               headers={"Authorization": f"Bearer {pbx_token}"})
    assert credentials.status_code == 404

    # The phone's file: refused over FTP and HTTP.
    wait_until(lambda: http_file(file_server, info, name).status_code == 401, timeout=15,
               message="HTTP file refused")
    assert ftp_refused(file_server, info, name)

    # Its number stays its own.
    held = reseller_api.get(f"{base}/numbers").json()
    assert number in [n["number"] for n in held["numbers"]]

    # Sign-in: the API says why (only with the right PIN); the portal shows the page.
    api = ApiClient(platform.base_url).post("/api/v1/auth/login",
                                            json={"identifier": customer["identifier"],
                                                  "password": PIN})
    assert api.status_code == 403, api.text
    assert api.json()["error"] == "account_suspended"
    assert api.json()["details"]["support_email"] == "aide@boreal.example"
    wrong = ApiClient(platform.base_url).post("/api/v1/auth/login", json={
        "identifier": customer["identifier"], "password": "not-the-pin"})
    assert wrong.status_code == 401
    for lang, title in (("en", "Your account is suspended"),
                        ("fr", "Votre compte est suspendu")):
        portal = Portal(platform.base_url, headers={"Accept-Language": lang})
        page = portal.submit("/login", "/login", {"identifier": customer["identifier"],
                                                  "password": PIN})
        assert page.status_code == 403, page.text[:300]
        assert title in page.text and 'id="account-suspended"' in page.text
        assert "+1 800 555 0177" in page.text and "aide@boreal.example" in page.text
        assert "sb_session" not in page.headers.get("Set-Cookie", "")
        assert portal.get("/").status_code in (302, 303)  # no portal behind it

    # Reactivation restores calls, files and sign-in promptly.
    back = reseller_api.patch(base, json={"status": "production"})
    assert back.status_code == 200 and back.json()["status"] == "production"
    wait_until(lambda: both_say(platform, pbx_token, customer["id"], NATIONAL, True),
               timeout=15, message="calls allowed after reactivation")
    wait_until(lambda: http_file(file_server, info, name).status_code == 200, timeout=15,
               message="HTTP file served after reactivation")
    assert "account.1.auth_name" in ftp_file(file_server.ftp_port, info["username"],
                                             info["password"], name)
    assert Portal(platform.base_url).submit("/login", "/login", {
        "identifier": customer["identifier"], "password": PIN}).status_code == 303
