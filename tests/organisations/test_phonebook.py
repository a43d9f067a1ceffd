"""The remote phone book over the provisioning file server, with real clients (ftplib,
requests): every vendor's format parses as XML and lists the organisation's members, names
are escaped, each phone's file points at it, and a phone of another account or
organisation cannot fetch it."""
# ruff: noqa: S321  (FTP is what the phones speak)

from __future__ import annotations

import ftplib
import io
from typing import Any
from urllib.parse import quote

import pytest
import requests
from defusedxml import ElementTree

from tests.support import wait_until

from .conftest import ORGS, add_user, ok

HOSTILE = 'Smith & <Sons> "Q"'
# model → (root tag, element holding a name, element holding a number)
FORMATS = {
    "yealink-t46u": ("YealinkIPPhoneDirectory", "Name", "Telephone"),
    "polycom-vvx250": ("directory", "fn", "ct"),
    "cisco-spa504g": ("CiscoIPPhoneDirectory", "Name", "Telephone"),
    "grandstream-gxp2170": ("AddressBook", "FirstName", "phonenumber"),
    "snom-d735": ("SnomIPPhoneDirectory", "Name", "Telephone"),
}


def _phone(api, customer_id: str, model: str) -> dict[str, Any]:
    import uuid

    mac = "02" + uuid.uuid4().hex[:10]
    return ok(api.post(f"/api/v1/customers/{customer_id}/devices",
                       json={"name": f"{model} desk", "mac": mac, "model": model}), 201)


def _login(api, customer_id: str) -> tuple[str, str]:
    info = ok(api.get(f"/api/v1/customers/{customer_id}/provisioning"))
    return info["username"], info["password"]


def _ftp(server, username: str, password: str, name: str) -> bytes:
    with ftplib.FTP(timeout=10) as ftp:
        ftp.connect("127.0.0.1", server.ftp_port)
        ftp.login(username, password)
        out = io.BytesIO()
        ftp.retrbinary(f"RETR {name}", out.write)
        return out.getvalue()


def _http(server, username: str, password: str, name: str) -> requests.Response:
    return requests.get(f"{server.http_url}/{name}", auth=(username, password), timeout=10)


def _texts(root: Any, tag: str) -> list[str]:
    return [e.text or "" for e in root.iter(tag)]


def _name(model: str, mac: str) -> str:
    return "phonebook.xml" if model.startswith("grandstream") else f"{mac}-directory.xml"


@pytest.fixture
def phones(reseller_api, affiliated):
    add_user(reseller_api, affiliated.a["id"], HOSTILE, "209")
    mine = {model: _phone(reseller_api, affiliated.a["id"], model) for model in FORMATS}
    return mine


def test_every_vendor_gets_the_organisations_phone_book(file_server, reseller_api,
                                                        affiliated, phones):
    username, password = _login(reseller_api, affiliated.a["id"])
    yealink = phones["yealink-t46u"]
    first = _name("yealink-t46u", yealink["mac"])

    def complete() -> bytes | None:  # provisioning hears of users and members by events
        resp = _http(file_server, username, password, first)
        body = resp.content if resp.status_code == 200 else b""
        wanted = (b"202", b"209", affiliated.b_number.encode(), b"201")
        return body if all(w in body for w in wanted) else None
    wait_until(complete, timeout=30, interval=0.3, message="the phone book lists everyone")

    for model, (root_tag, name_tag, number_tag) in FORMATS.items():
        name = _name(model, phones[model]["mac"])
        over_ftp = _ftp(file_server, username, password, name)
        over_http = _http(file_server, username, password, name)
        assert over_http.status_code == 200
        assert over_http.headers["Content-Type"].startswith("application/xml")
        assert over_http.content == over_ftp
        root = ElementTree.fromstring(over_ftp)
        assert root.tag == root_tag, model
        numbers = set(_texts(root, number_tag))
        assert {"201", "202", "209", affiliated.b_number} <= numbers, (model, numbers)
        names = set(_texts(root, name_tag))
        assert HOSTILE in names, (model, names)  # parsed back exactly: it was escaped
        assert affiliated.b_user["display_name"] in names
        assert b"&amp;" in over_ftp and b"&lt;Sons&gt;" in over_ftp and b"<Sons>" not in over_ftp


def test_each_phone_file_points_at_its_phone_book(file_server, reseller_api, affiliated,
                                                  phones):
    username, password = _login(reseller_api, affiliated.a["id"])
    yealink = phones["yealink-t46u"]
    config = _ftp(file_server, username, password, f"{yealink['mac']}.cfg").decode()
    line = next(x for x in config.splitlines() if x.startswith("remote_phonebook.data.1.url"))
    # the server's public URL (derived from its port here), with the login in it
    scheme, host = file_server.http_url.split("://", 1)
    assert line == (f"remote_phonebook.data.1.url = {scheme}://{quote(username, safe='')}:"
                    f"{quote(password, safe='')}@{host.rstrip('/')}/"
                    f"{yealink['mac']}-directory.xml")
    assert "remote_phonebook.data.1.name = Directory" in config
    snom = phones["snom-d735"]
    snom_file = _ftp(file_server, username, password, f"{snom['mac']}.xml").decode()
    assert f"{snom['mac']}-directory.xml</dkey_directory>" in snom_file
    ElementTree.fromstring(snom_file.encode())
    grandstream = phones["grandstream-gxp2170"]
    gs = _ftp(file_server, username, password, f"cfg{grandstream['mac']}.xml").decode()
    assert "<P330>1</P330>" in gs and "<P331>" in gs
    cisco = phones["cisco-spa504g"]
    spa = _ftp(file_server, username, password, f"spa{cisco['mac']}.xml").decode()
    assert f"{cisco['mac']}-directory.xml</XML_Directory_Service_URL>" in spa


def test_a_phone_of_another_organisation_cannot_fetch_it(file_server, reseller_api,
                                                         affiliated, phones):
    outsider = reseller_api.create_customer(kind="company", start="production")
    other_org = ok(reseller_api.post(ORGS, json={"name": "Elsewhere"}), 201)
    ok(reseller_api.put(f"{ORGS}/{other_org['id']}/members/{outsider['id']}"))
    their_phone = _phone(reseller_api, outsider["id"], "yealink-t46u")
    username, password = _login(reseller_api, outsider["id"])
    mine = _name("yealink-t46u", phones["yealink-t46u"]["mac"])
    with pytest.raises(ftplib.error_perm, match="550"):
        _ftp(file_server, username, password, mine)
    assert _http(file_server, username, password, mine).status_code == 404
    # its own phone book lists its own organisation only
    own = _http(file_server, username, password,
                _name("yealink-t46u", their_phone["mac"]))
    assert own.status_code == 200
    assert HOSTILE.encode() not in own.content and b"202" not in own.content
    # and without credentials nothing at all
    assert requests.get(f"{file_server.http_url}/{mine}", timeout=10).status_code == 401
