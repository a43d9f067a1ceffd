"""The devices API end to end: real gateway, provisioning service, RabbitMQ events and the
file server; bad input gives a clear 4xx and changes nothing."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
import requests
from defusedxml import ElementTree
from nameko.standalone.events import event_dispatcher

from sbcommon.config import amqp_uri

MAC = "00:15:65:{}:{}:{}"


def new_mac() -> str:
    raw = uuid.uuid4().hex[:6]
    return MAC.format(raw[0:2], raw[2:4], raw[4:6]).upper()


@pytest.fixture
def customer(reseller_api):
    return reseller_api.create_customer()


def dispatch(event_type: str, payload: dict) -> None:
    event = {"event_id": str(uuid.uuid4()), "event_type": event_type,
             "occurred_at": datetime.now(UTC).isoformat(), **payload}
    event_dispatcher({"AMQP_URI": amqp_uri()})("numbering", event_type, event)


def eventually(check, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def test_device_lifecycle_over_api_and_http(reseller_api, customer, file_server):
    base = f"/api/v1/customers/{customer['id']}"
    assert reseller_api.get(f"{base}/devices").json() == {"items": [], "total": 0}
    created = reseller_api.post(f"{base}/devices", json={
        "name": 'Front <desk> & "lobby"', "mac": new_mac(), "model": "yealink-t46u"})
    assert created.status_code == 201, created.text
    device = created.json()
    assert len(device["mac"]) == 12 and device["mac"] == device["mac"].lower()
    assert "sip_secret" not in created.text and "password" not in created.text
    info = reseller_api.get(f"{base}/provisioning").json()
    assert set(info) >= {"ftp_url", "username", "password", "http_url"}

    url = f"{file_server.http_url}/{device['files'][0]}"
    body = requests.get(url, auth=(info["username"], info["password"]), timeout=10)
    assert body.status_code == 200
    assert b"account.1.display_name = Front <desk> & \"lobby\"\n" in body.content

    # a number assigned to the customer shows in the next download
    dispatch("number_assigned", {"reseller_id": customer["reseller_id"],
                                 "customer_id": customer["id"], "number": "+15145550111",
                                 "country": "CA", "version": 1})
    assert eventually(lambda: b"+15145550111" in requests.get(
        url, auth=(info["username"], info["password"]), timeout=10).content)
    listed = reseller_api.get(f"{base}/devices").json()
    assert listed["items"][0]["last_provisioned_at"] is not None

    changed = reseller_api.patch(f"{base}/devices/{device['id']}",
                                 json={"model": "snom-d735", "number": "+15145550111"})
    assert changed.status_code == 200, changed.text
    snom = changed.json()["files"][0]
    xml = requests.get(f"{file_server.http_url}/{snom.upper()}",
                       auth=(info["username"], info["password"]), timeout=10)
    assert ElementTree.fromstring(xml.content).tag == "settings"

    rotated = reseller_api.post(f"{base}/provisioning/rotate").json()
    assert rotated["password"] != info["password"]
    assert requests.get(f"{file_server.http_url}/{snom}", timeout=10,
                        auth=(info["username"], info["password"])).status_code == 401

    assert reseller_api.delete(f"{base}/devices/{device['id']}").status_code == 204
    assert requests.get(f"{file_server.http_url}/{snom}", timeout=10,
                        auth=(rotated["username"], rotated["password"])).status_code == 404
    assert reseller_api.get(f"{base}/devices/{device['id']}").status_code == 404


@pytest.mark.parametrize("body, field, status", [
    ({"name": "x", "mac": "00:15:65:AB:CD", "model": "yealink-t46u"}, "mac", 422),
    ({"name": "x", "mac": "zz:15:65:AB:CD:EF", "model": "yealink-t46u"}, "mac", 422),
    ({"name": "x", "mac": "00:00:00:00:00:00", "model": "yealink-t46u"}, "mac", 422),
    ({"name": "x", "mac": "ff:ff:ff:ff:ff:ff", "model": "yealink-t46u"}, "mac", 422),
    ({"name": "x", "mac": "01:00:5e:00:00:01", "model": "yealink-t46u"}, "mac", 422),
    ({"name": "x", "mac": "VALID", "model": "nokia-3310"}, "model", 422),
    ({"name": "x" * 10_000, "mac": "VALID", "model": "yealink-t46u"}, "name", 422),
    ({"name": "a\nb = c", "mac": "VALID", "model": "yealink-t46u"}, "name", 422),
    ({"name": "x", "mac": "VALID", "model": "yealink-t46u", "number": "+15145550199"},
     "number", 422),
    ({"name": "x", "mac": "VALID", "model": "yealink-t46u", "extra": 1}, "extra", 422),
])
def test_bad_input_is_a_clear_4xx(reseller_api, customer, body, field, status):
    base = f"/api/v1/customers/{customer['id']}/devices"
    body = {**body, "mac": new_mac() if body["mac"] == "VALID" else body["mac"]}
    resp = reseller_api.post(base, json=body)
    assert resp.status_code == status, resp.text
    error = resp.json()
    assert error["message"] and field in resp.text
    assert reseller_api.get(base).json()["total"] == 0


def test_mac_belongs_to_one_device_platform_wide(platform, reseller_api, customer,
                                                 accounts_db, fast_hasher):
    from tests.support import ApiClient, make_reseller
    other = make_reseller(accounts_db, fast_hasher)
    other_api = ApiClient(platform.base_url).login(other.identifier, other.password)
    their_customer = other_api.create_customer()
    mac = new_mac()
    first = reseller_api.post(f"/api/v1/customers/{customer['id']}/devices",
                              json={"name": "a", "mac": mac, "model": "yealink-t46u"})
    assert first.status_code == 201
    for spelling in (mac.lower().replace(":", "-"), mac.replace(":", "").lower(),
                     "{}{}.{}{}.{}{}".format(*mac.lower().split(":"))):
        dup = other_api.post(f"/api/v1/customers/{their_customer['id']}/devices",
                             json={"name": "b", "mac": spelling, "model": "snom-d735"})
        assert dup.status_code == 409, dup.text
        assert customer["name"] not in dup.text


def test_closed_customer_devices_stop(reseller_api, customer, file_server):
    base = f"/api/v1/customers/{customer['id']}"
    device = reseller_api.post(f"{base}/devices", json={
        "name": "a", "mac": new_mac(), "model": "grandstream-gxp2170"}).json()
    info = reseller_api.get(f"{base}/provisioning").json()
    url = f"{file_server.http_url}/{device['files'][0]}"
    auth = (info["username"], info["password"])
    assert requests.get(url, auth=auth, timeout=10).status_code == 200
    assert reseller_api.delete(f"/api/v1/customers/{customer['id']}").status_code == 200
    assert eventually(lambda: requests.get(url, auth=auth, timeout=10).status_code == 401)
    late = reseller_api.post(f"{base}/devices", json={
        "name": "b", "mac": new_mac(), "model": "yealink-t46u"})
    assert late.status_code == 409, late.text


def test_subscriber_manages_own_devices_but_not_boot_configuration(
        platform, reseller_api, customer, accounts_events):
    from tests.support import sign_in_subscriber
    me = sign_in_subscriber(platform.base_url, accounts_events, customer)
    base = f"/api/v1/customers/{customer['id']}"
    made = me.post(f"{base}/devices", json={"name": "mine", "mac": new_mac(),
                                            "model": "polycom-vvx450"})
    assert made.status_code == 201, made.text
    assert me.get(f"{base}/provisioning").status_code == 403
    sibling = reseller_api.create_customer()
    assert me.get(f"/api/v1/customers/{sibling['id']}/devices").status_code == 404


def test_portal_devices_and_boot_configuration(platform, reseller, customer):
    from tests.e2e.test_portal_http import Portal
    portal = Portal(platform.base_url)
    portal.login(reseller)
    page = f"/customers/{customer['id']}/devices"
    listing = portal.get(page)
    assert listing.status_code == 200 and "IP" in listing.text
    missing_token = portal.post(page, {"name": "x", "mac": new_mac(), "model": "snom-d785"})
    assert missing_token.status_code == 403
    bad = portal.submit(page, page, {"name": "<b>x</b>", "mac": "nope", "model": "snom-d785"})
    assert bad.status_code == 422 and "&lt;b&gt;x&lt;/b&gt;" in bad.text
    mac = new_mac()
    made = portal.submit(page, page, {"name": "Desk", "mac": mac, "model": "snom-d785"})
    assert made.status_code == 303, made.text[:500]
    shown = portal.get(page).text
    assert mac.replace(":", "").lower() in shown and "Snom D785" in shown
    boot = portal.get(f"/customers/{customer['id']}/boot-configuration")
    assert boot.status_code == 200 and 'data-copy="boot-password"' in boot.text
    assert "<script" not in boot.text.split("</head>")[1].replace('<script src="/static', "")
    fr = Portal(platform.base_url, headers={"Accept-Language": "fr"})
    fr.login(reseller)
    assert "Téléphones IP" in fr.get(page).text or "Appareils" in fr.get(page).text
