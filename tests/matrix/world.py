"""Two tenants with one object of every kind, for the generated isolation and CSRF matrices.

Tenant A (the victim) owns a customer, a device, an assigned number, a reseller-level and a
customer-level call restriction, a number import, a sent message and (through the system
administrator) a PBX token. Tenant B (the attacker) is another reseller with a customer of
its own and that customer's signed-in user (a subscriber).
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from sbcommon.config import amqp_uri
from tests.numbering.conftest import fresh_numbers
from tests.support import (
    ApiClient,
    EventListener,
    ResellerLogin,
    make_admin,
    make_reseller,
    sign_in_subscriber,
    unique,
)


def png_logo() -> bytes:
    from tests.resellers.images import png

    return png(90, 30, (90, 20, 20))


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SUBSCRIBER_PIN = "subscriber-pin-7"
# Path parameters the matrices can fill with real ids: a route with any other parameter
# fails its case until an object of that kind is created here for each tenant.
OBJECT_PARAMS = ("customer_id", "device_id", "number", "rule_id", "import_id", "token_id",
                 "reseller_id", "slug", "kind", "language", "item_id", "promotion_id",
                 "user_id", "link_id", "token", "organisation_id")
# Parameters that name one of the caller's own things (its override of the welcome e-mail,
# its logo), not someone's object: another tenant reaches its own, and must see nothing of
# A's and change nothing of A's.
OWN_SCOPE_PARAMS = ("kind", "language")


class PortalClient:
    """A browser-like client of the portal: a cookie jar; forms carry a token only if told."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.http = requests.Session()

    def get(self, path: str) -> requests.Response:
        return self.http.get(self.base_url + path, timeout=15, allow_redirects=False)

    def post(self, path: str, data: dict[str, str], files: Any = None) -> requests.Response:
        return self.http.post(self.base_url + path, data=data, files=files, timeout=15,
                              allow_redirects=False)

    def csrf_token(self, page: str = "/settings") -> str:
        resp = self.get(page)
        found = CSRF_RE.search(resp.text)
        assert resp.status_code == 200 and found, f"no CSRF token on {page}"
        return found.group(1)

    def login(self, identifier: str, password: str) -> PortalClient:
        token = self.csrf_token("/login")
        resp = self.post("/login", {"identifier": identifier, "password": password,
                                    "csrf_token": token})
        assert resp.status_code == 303, resp.text[:300]
        return self


@dataclass
class Attacker:
    """Someone of tenant B: its API and portal clients and the customer it may touch."""

    label: str
    api: ApiClient
    portal: PortalClient
    own_customer_id: str
    _csrf: str = ""

    def csrf(self) -> str:
        if not self._csrf:
            self._csrf = self.portal.csrf_token("/settings")
        return self._csrf


@dataclass
class Tenant:
    """Tenant A: the ids that fill path parameters, the attributes forms refer to, and the
    strings that must never reach another tenant."""

    reseller: ResellerLogin
    api: ApiClient
    admin_api: ApiClient
    portal: PortalClient
    ids: dict[str, list[str]] = field(default_factory=dict)  # path parameter → real ids
    refs: dict[str, str] = field(default_factory=dict)  # names used in example bodies
    traces: set[str] = field(default_factory=set)
    user_import_id: int = 0

    def snapshot(self) -> dict[str, Any]:
        """Everything of A's that a refused request must leave as it was."""
        customer_id = self.refs["customer_id"]
        base = f"/api/v1/customers/{customer_id}"
        got = {
            "customer": self.api.get(base),
            "users": self.api.get(f"{base}/users"),
            "devices": self.api.get(f"{base}/devices"),
            "numbers": self.api.get(f"{base}/numbers"),
            "customer_rules": self.api.get(f"{base}/call-restrictions"),
            "reseller_rules": self.api.get("/api/v1/call-restrictions"),
            "provisioning": self.api.get(f"{base}/provisioning"),
            "pool_settings": self.api.get("/api/v1/numbers/settings"),
            "pool": self.api.get("/api/v1/numbers", params={"per_page": 100}),
            "mail": self.api.get("/api/v1/mail-log", params={"per_page": 100}),
            "customers": self.api.get("/api/v1/customers", params={"per_page": 100}),
            "session": self.api.get("/api/v1/auth/session"),
            "pbx_tokens": self.admin_api.get("/api/v1/pbx-tokens"),
            "reseller": self.admin_api.get(
                f"/api/v1/admin/resellers/{self.reseller.reseller_id}"),
            "reseller_settings": self.api.get("/api/v1/reseller/settings"),
            "branding": self.api.get("/api/v1/reseller/branding"),
            "welcome_template": self.api.get("/api/v1/mail-templates/welcome/en"),
            "offer": self.api.get("/api/v1/catalogue"),
            "promotions": self.api.get("/api/v1/promotions"),
            "subscription": self.api.get(f"{base}/subscription"),
            "subscription_history": self.api.get(f"{base}/subscription/history"),
            "catalogue_items": self.admin_api.get("/api/v1/admin/catalogue/items"),
            "pricing": self.admin_api.get(
                f"/api/v1/admin/resellers/{self.reseller.reseller_id}/pricing"),
            "signup_links": self.api.get("/api/v1/signup-links"),
            "organisations": self.api.get("/api/v1/organisations"),
            "user_import": self.api.get(f"/api/v1/customers/imports/{self.user_import_id}"),
        }
        out: dict[str, Any] = {}
        for key, resp in got.items():
            assert resp.status_code == 200, (key, resp.status_code, resp.text[:300])
            out[key] = resp.json()
        # delivery goes on in the background: what was sent, to whom, not its progress
        out["mail"] = sorted((m["id"], m.get("subject"), m.get("customer_id"))
                             for m in out["mail"]["items"])
        return out


@dataclass
class World:
    a: Tenant
    attackers: dict[str, Attacker]
    baseline: dict[str, Any] = field(default_factory=dict)


def _ok(resp: requests.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.request.method, resp.request.url, resp.text[:500])
    return resp.json() if resp.content else None


def _mac_forms(mac: str) -> set[str]:
    plain = mac.replace(":", "").lower()
    pairs = [plain[i:i + 2] for i in range(0, 12, 2)]
    return {plain, plain.upper(), ":".join(pairs), ":".join(pairs).upper(), "-".join(pairs)}


def _catalogue(admin: ApiClient, a: ApiClient, reseller_id: str, customer_id: str, tag: str
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """A plan only A may sell, offered by A, a promotion enabled for A only, and A's
    customer subscribed to the plan with the promotion."""
    deadline = time.monotonic() + 20  # catalogue hears of the reseller through an event
    while admin.get(f"/api/v1/admin/resellers/{reseller_id}/pricing").status_code != 200:
        assert time.monotonic() < deadline, "catalogue never heard of reseller A"
        time.sleep(0.2)
    item = _ok(admin.post("/api/v1/admin/catalogue/items", json={
        "kind": "plan", "name_fr": f"Forfait secret {tag}", "name_en": f"Secret plan {tag}",
        "currency": "CAD", "price": 1000}), 201)
    _ok(admin.put(f"/api/v1/admin/resellers/{reseller_id}/catalogue/{item['id']}",
                  json={"wholesale_price": 1000}))
    _ok(a.put(f"/api/v1/catalogue/{item['id']}/offer", json={"retail_price": 2500}))
    promotion = _ok(admin.post("/api/v1/admin/promotions", json={
        "name_fr": f"Promo secrète {tag}", "name_en": f"Secret promo {tag}", "percent": "10",
        "months": 2, "kinds": ["plan"]}), 201)
    _ok(admin.put(f"/api/v1/admin/resellers/{reseller_id}/promotions/{promotion['id']}",
                  json={"enabled": True}))
    _ok(a.put(f"/api/v1/customers/{customer_id}/subscription", json={
        "lines": [{"item_id": item["id"]}], "promotion_id": promotion["id"]}))
    return item, promotion


def user_list(tag: str) -> bytes:
    """A BroadWorks group's user list with one user of A's."""
    return (b"User Id,Last Name,First Name,Phone Number,Extension,Email Address\r\n"
            + f"u1@{tag}.example,Imported,Victim,,4321,imported.{tag}@victim.example\r\n"
            .encode())


def build_world(base_url: str, accounts_db: Any, hasher: Any) -> World:
    a_login = make_reseller(accounts_db, hasher, name="Victim")
    b_login = make_reseller(accounts_db, hasher, name="Attacker")
    admin_login = make_admin(accounts_db, hasher)
    a = ApiClient(base_url).login(a_login.identifier, a_login.password)
    b = ApiClient(base_url).login(b_login.identifier, b_login.password)
    admin = ApiClient(base_url).login(admin_login.identifier, admin_login.password)

    tag = unique("v")
    customer = a.create_customer(name=f"Victim {tag}", email=f"{tag}@victim.example",
                                 language="en")
    cid = customer["id"]
    mac = "02" + uuid.uuid4().hex[:10]
    device = _ok(a.post(f"/api/v1/customers/{cid}/devices", json={
        "name": f"Desk {tag}", "mac": mac, "model": "yealink-t46u"}), 201)
    person = _ok(a.post(f"/api/v1/customers/{cid}/users", json={
        "email": f"{tag}-user@victim.example", "display_name": f"Private user {tag}",
        "extension": "4242"}), 201)
    number, imported_one, imported_two, blocked = fresh_numbers(4)
    _ok(a.post("/api/v1/numbers", json={"number": number}), 201)
    _ok(a.post(f"/api/v1/customers/{cid}/numbers", json={"numbers": [number]}), 201)
    imported = _ok(a.post("/api/v1/numbers/import",
                          data=f"{imported_one}\n{imported_two}\n".encode(),
                          headers={"Content-Type": "text/plain"}))
    # a previewed import of users into its company (not applied: applying it would show)
    user_import = _ok(a.post("/api/v1/customers/imports", params={"customer_id": cid},
                             data=user_list(tag), headers={"Content-Type": "text/csv"},
                             timeout=60), 201)
    reseller_rule = _ok(a.post("/api/v1/call-restrictions", json={
        "action": "deny", "match": "destination", "value": blocked,
        "note": f"reseller note {tag}"}), 201)
    customer_rule = _ok(a.post(f"/api/v1/customers/{cid}/call-restrictions", json={
        "action": "deny", "match": "prefix", "value": blocked[:7],
        "note": f"customer note {tag}"}), 201)
    subject = f"Invoice {tag}"
    # notifications learns of the customer from an event: it may not know it yet
    deadline = time.monotonic() + 20
    while True:
        sent = a.post(f"/api/v1/customers/{cid}/emails/message",
                      json={"subject": subject, "body": f"Private body {tag}"})
        if sent.status_code == 202 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    _ok(sent, 202)
    token = _ok(admin.post("/api/v1/pbx-tokens", json={
        "name": f"PBX {tag}", "reseller_id": a_login.reseller_id}), 201)

    # its company, support contact, brand (with a logo) and an edited e-mail
    _ok(a.patch("/api/v1/reseller/settings", json={
        "address": f"Private address {tag}", "phone": "+1 514 555 0161",
        "support_email": f"support-{tag}@victim.example"}))
    _ok(a.put("/api/v1/reseller/branding", json={"portal_name": f"Victim brand {tag}"}))
    _ok(a.put("/api/v1/reseller/branding/logo", data=png_logo(),
              headers={"Content-Type": "image/png"}))
    _ok(a.put("/api/v1/mail-templates/welcome/en", json={
        "subject": f"Private welcome {tag}", "html": "<p>{{ name }}</p>", "text": "hi"}))
    _ok(admin.patch(f"/api/v1/admin/resellers/{a_login.reseller_id}", json={
        "pbx_name": f"Private PBX {tag}", "sip_domain": f"sip-{tag}.victim.example"}))
    item, promotion = _catalogue(admin, a, a_login.reseller_id, cid, tag)
    link = _ok(a.post("/api/v1/signup-links", json={
        "kind": "company", "plan_id": item["id"], "promotion_id": promotion["id"]}), 201)
    custom = _ok(a.post("/api/v1/signup-links", json={
        "kind": "custom", "label": f"Private link {tag}",
        "url": f"https://private-{tag}.victim.example/"}), 201)
    link_token = link["url"].rsplit("/", 1)[-1]
    organisation = _ok(a.post("/api/v1/organisations", json={"name": f"Private org {tag}"}),
                       201)
    _ok(a.put(f"/api/v1/organisations/{organisation['id']}/members/{cid}"))

    tenant = Tenant(a_login, a, admin, PortalClient(base_url).login(a_login.identifier,
                                                                     a_login.password))
    tenant.ids = {
        "customer_id": [cid],
        "device_id": [device["id"]],
        "number": [quote(number, safe="")],
        "rule_id": [reseller_rule["id"], customer_rule["id"]],
        # number imports and imports of users share the parameter's name
        "import_id": [str(imported["import_id"]), str(user_import["import_id"])],
        "token_id": [token["id"]],
        "reseller_id": [a_login.reseller_id],
        "slug": [a_login.identifier],
        "kind": ["welcome", "logo"],
        "language": ["en"],
        "item_id": [item["id"]],
        "promotion_id": [promotion["id"]],
        "user_id": [person["id"]],
        "link_id": [link["id"], custom["id"]],
        "token": [link_token],
        "organisation_id": [organisation["id"]],
    }
    tenant.user_import_id = user_import["import_id"]
    tenant.refs = {
        "customer_id": cid, "customer_identifier": customer["identifier"],
        "number": number, "device_mac": mac, "subject": subject, "item_id": item["id"],
        "user_id": person["id"],
    }
    tenant.traces = {
        cid, customer["name"], customer["email"], customer["identifier"],
        device["id"], device["name"], *_mac_forms(mac),
        number, number.lstrip("+"), imported_one, imported_two, blocked,
        f"imported.{tag}@victim.example",
        reseller_rule["id"], customer_rule["id"], f"reseller note {tag}",
        f"customer note {tag}", subject, f"Private body {tag}",
        token["id"], token["name"], a_login.reseller_id,
        f"Private address {tag}", f"support-{tag}@victim.example", f"Victim brand {tag}",
        f"Private welcome {tag}", f"Private PBX {tag}", f"sip-{tag}.victim.example",
        token["id"], token["name"],
        item["id"], item["name_en"], item["name_fr"], promotion["id"], promotion["name_en"],
        promotion["name_fr"], person["id"], person["email"], person["display_name"],
        person["identifier"],
        link["id"], custom["id"], link_token, f"Private link {tag}",
        f"private-{tag}.victim.example",
        organisation["id"], f"Private org {tag}",
    }

    # B: its own customer (for mixed ids) and that customer's user
    b_customer = b.create_customer(name=f"Attacker {unique()}", language="en")
    listener = EventListener(amqp_uri(), "accounts")
    try:
        subscriber_api = sign_in_subscriber(base_url, listener, b_customer, SUBSCRIBER_PIN)
    finally:
        listener.close()
    attackers = {
        "other_reseller": Attacker(
            "another reseller", b,
            PortalClient(base_url).login(b_login.identifier, b_login.password),
            b_customer["id"]),
        "other_subscriber": Attacker(
            "another reseller's subscriber", subscriber_api,
            PortalClient(base_url).login(b_customer["identifier"], SUBSCRIBER_PIN),
            b_customer["id"]),
    }
    assert set(tenant.ids) == set(OBJECT_PARAMS)
    return World(tenant, attackers, tenant.snapshot())


class WorldHolder:
    """One world for the whole run, rebuilt when a case changed it (a broken scope check
    must fail its own case, not the cases that happen to run after it)."""

    def __init__(self, base_url: str, accounts_db: Any, hasher: Any):
        self._args = (base_url, accounts_db, hasher)
        self._world: World | None = None

    def get(self) -> World:
        if self._world is None:
            self._world = build_world(*self._args)
        return self._world

    def spoiled(self) -> None:
        self._world = None
