"""A real Kamailio (deploy/pbx/kamailio/kamailio.cfg, unchanged) in front of the platform's
direct PBX server, a sipp carrier behind it, and a phone provisioned through the API."""

from __future__ import annotations

import ftplib
import io
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from services.provisioning.settings import ProvisioningSettings
from tests.provisioning.conftest import file_server  # noqa: F401  (the FTP server fixture)
from tests.support import require_tool, wait_until

from .sip import Proxy, start_proxy


@pytest.fixture(scope="session")
def sip_tools() -> tuple[str, str]:
    return require_tool("kamailio"), require_tool("sipp")


@pytest.fixture(scope="module")
def proxy(platform, pbx_token, sip_tools, tmp_path_factory):
    kamailio, sipp = sip_tools
    address = platform.pbx_url.split("//", 1)[1].split("/", 1)[0]
    started = start_proxy(kamailio, sipp, address, pbx_token,
                          ProvisioningSettings().sip_domain, tmp_path_factory.mktemp("sip"))
    yield started
    started.stop()


@dataclass
class Phone:
    customer: dict[str, Any]
    device: dict[str, Any]
    user: str
    password: str
    domain: str
    proxy_address: str


def ftp_file(port: int, username: str, password: str, name: str) -> str:
    buffer = io.BytesIO()
    with ftplib.FTP() as ftp:  # noqa: S321  (the phones' own protocol, on loopback)
        ftp.connect("127.0.0.1", port, timeout=10)
        ftp.login(username, password)
        ftp.retrbinary(f"RETR {name}", buffer.write)
    return buffer.getvalue().decode()


def provision_phone(platform: Any, reseller_api: Any, file_server: Any,  # noqa: F811
                    pbx_token: str) -> Phone:
    """A French customer, a Yealink phone added through the API, and the credentials read
    from the phone's file over FTP, as the phone would; waits until routing_policy has
    them."""
    customer = reseller_api.create_customer(country="FR")
    base = f"/api/v1/customers/{customer['id']}"
    mac = "02" + uuid.uuid4().hex[:10]
    created = reseller_api.post(f"{base}/devices", json={
        "name": "Desk", "mac": mac, "model": "yealink-t46u"})
    assert created.status_code == 201, created.text
    info = reseller_api.get(f"{base}/provisioning").json()
    text = ftp_file(file_server.ftp_port, info["username"], info["password"],
                    created.json()["files"][0])
    values = dict(line.split(" = ", 1) for line in text.splitlines() if " = " in line)
    phone = Phone(customer, created.json(), values["account.1.auth_name"],
                  values["account.1.password"], values["account.1.sip_server.1.address"],
                  values["account.1.outbound_proxy.1.address"])

    def known() -> bool:
        return requests.get(f"{platform.pbx_url}/sip-credentials", timeout=5,
                            params={"username": phone.user, "realm": phone.domain},
                            headers={"Authorization": f"Bearer {pbx_token}"}
                            ).status_code == 200
    wait_until(known, timeout=20, message="routing_policy knows the new line")
    return phone


@pytest.fixture(scope="module")
def phone(platform, proxy: Proxy, file_server, pbx_token, admin_api,  # noqa: F811
          accounts_db, fast_hasher) -> Phone:
    from tests.support import ApiClient, make_reseller

    reseller = make_reseller(accounts_db, fast_hasher)
    api = ApiClient(platform.base_url).login(reseller.identifier, reseller.password)
    made = provision_phone(platform, api, file_server, pbx_token)
    rules = f"/api/v1/customers/{made.customer['id']}/call-restrictions"
    for rule in ({"action": "deny", "match": "country", "value": "CU"},
                 {"action": "deny", "match": "category", "value": "premium_rate"}):
        assert api.post(rules, json=rule).status_code == 201
    made.api = api  # type: ignore[attr-defined]
    return made
