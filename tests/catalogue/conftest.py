"""A reseller with a catalogue to sell: items made available by the administrator, pricing
terms (CAD, GST 5 %, QST 9.975 %), an offer at retail prices and an enabled promotion."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support import ApiClient, ResellerLogin, make_reseller, unique, wait_until


def ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.request.method, resp.request.url, resp.text[:500])
    return resp.json() if resp.content else None


def known_to_catalogue(admin_api: ApiClient, reseller_id: str) -> None:
    """accounts announces a reseller with an event: wait until catalogue has it."""
    wait_until(lambda: admin_api.get(
        f"/api/v1/admin/resellers/{reseller_id}/pricing").status_code == 200,
        timeout=20, interval=0.2, message="catalogue heard of the reseller")


def new_item(admin_api: ApiClient, kind: str, price: int, **extra: Any) -> dict[str, Any]:
    tag = unique("it")
    return ok(admin_api.post("/api/v1/admin/catalogue/items", json={
        "kind": kind, "name_fr": f"{kind} {tag} FR", "name_en": f"{kind} {tag} EN",
        "currency": "CAD", "price": price, **extra}), 201)


@dataclass
class Shop:
    login: ResellerLogin
    api: ApiClient
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    promotion: dict[str, Any] = field(default_factory=dict)


def open_shop(platform: Any, accounts_db: Any, hasher: Any, admin_api: ApiClient) -> Shop:
    login = make_reseller(accounts_db, hasher, name="Shop")
    api = ApiClient(platform.base_url).login(login.identifier, login.password)
    rid = login.reseller_id
    known_to_catalogue(admin_api, rid)
    ok(admin_api.put(f"/api/v1/admin/resellers/{rid}/pricing", json={
        "currency": "CAD", "taxes": [{"name": "GST", "rate": "5"},
                                     {"name": "QST", "rate": "9.975"}]}))
    shop = Shop(login, api)
    specs = {"plan": ("plan", 2000, {"quantity_rule": "user"}),
             "option": ("option", 300, {}),
             "fee": ("fee", 2500, {"recurrence": "once"}),
             "device": ("device", 9000, {"device_model": "yealink-t46u"})}
    retail = {"plan": 2999, "option": 499, "fee": 4999, "device": 14900}
    for name, (kind, wholesale, extra) in specs.items():
        item = new_item(admin_api, kind, wholesale, **extra)
        ok(admin_api.put(f"/api/v1/admin/resellers/{rid}/catalogue/{item['id']}",
                         json={"wholesale_price": wholesale}))
        ok(api.put(f"/api/v1/catalogue/{item['id']}/offer",
                   json={"retail_price": retail[name]}))
        shop.items[name] = item
    promo = ok(admin_api.post("/api/v1/admin/promotions", json={
        "name_fr": f"20 % pendant 6 mois {unique()}", "name_en": f"20% off 6 months {unique()}",
        "percent": "20", "months": 6, "kinds": ["plan", "option"]}), 201)
    ok(admin_api.put(f"/api/v1/admin/resellers/{rid}/promotions/{promo['id']}",
                     json={"enabled": True}))
    shop.promotion = promo
    return shop


@pytest.fixture
def shop(platform, accounts_db, fast_hasher, admin_api) -> Shop:
    return open_shop(platform, accounts_db, fast_hasher, admin_api)
