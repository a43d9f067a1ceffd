"""The SIP domain and proxy the system administrator records for a reseller reach its
phones' files (provisioning keeps them from accounts' reseller events); a reseller without
them gets the platform's SIP server."""

from __future__ import annotations

import hashlib
import time

import requests

from services.provisioning.domain.sip import platform_sip_server, sip_server_for
from tests.provisioning.conftest import random_mac
from tests.support import ApiClient, make_reseller


def eventually(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def test_the_resellers_sip_domain_and_proxy_reach_its_phones(platform, admin_api, file_server,
                                                            accounts_db, fast_hasher,
                                                            provisioning_db, pbx_token):
    made = make_reseller(accounts_db, fast_hasher)
    client = ApiClient(platform.base_url).login(made.identifier, made.password)
    customer = client.create_customer()
    base = f"/api/v1/customers/{customer['id']}"
    created = eventually(lambda: (r := client.post(f"{base}/devices", json={
        "name": "Desk", "mac": random_mac(), "model": "yealink-t46u"})).status_code == 201 and r)
    assert created, "the device was not created"
    info = client.get(f"{base}/provisioning").json()
    url = f"{file_server.http_url}/{created.json()['files'][0]}"
    auth = (info["username"], info["password"])
    with provisioning_db() as session:
        assert sip_server_for(session, made.reseller_id) == platform_sip_server()
    before = requests.get(url, auth=auth, timeout=10).text
    assert "account.1.sip_server.1.address = sip.switchboard.example" in before
    assert "account.1.outbound_proxy.1.address = sip.switchboard.example" in before

    assert admin_api.patch(f"/api/v1/admin/resellers/{made.reseller_id}", json={
        "sip_domain": "sip.boreal.example", "sip_proxy": "edge.boreal.example:5080",
    }).status_code == 200
    after = eventually(lambda: "sip.boreal.example" in (
        text := requests.get(url, auth=auth, timeout=10).text) and text)
    assert after, "the phone's file never got the reseller's SIP domain"
    assert "account.1.outbound_proxy.1.address = edge.boreal.example" in after
    assert "account.1.outbound_proxy.1.port = 5080" in after

    # The domain is the digest realm: the proxy's copy of the line follows it.
    username = next(line.split("=", 1)[1].strip() for line in after.splitlines()
                    if line.startswith("account.1.auth_name"))
    password = next(line.split("=", 1)[1].strip() for line in after.splitlines()
                    if line.startswith("account.1.password"))
    expected = hashlib.md5(f"{username}:sip.boreal.example:{password}".encode(),  # noqa: S324
                           usedforsecurity=False).hexdigest()

    def credentials() -> dict | None:
        got = requests.get(f"{platform.pbx_url}/sip-credentials", timeout=5,
                           params={"username": username, "realm": "sip.boreal.example"},
                           headers={"Authorization": f"Bearer {pbx_token}"})
        return got.json() if got.status_code == 200 else None

    assert eventually(lambda: (c := credentials()) and c["ha1"] == expected), \
        "the proxy never got the line's HA1 for the reseller's realm"
