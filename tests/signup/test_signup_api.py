"""The public sign-up over HTTP: links (tampered, revoked, another reseller's), the JSON
API, the time trap, the honeypot, the per-address limit, the answer for an address that
already has an account, and verification (reused, expired, concurrent)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import text

from tests.catalogue.conftest import ok
from tests.signup.conftest import (
    signup_body,
    start,
    verification_link,
)
from tests.support import ApiClient, make_reseller, wait_until


def _verify_token(url: str) -> str:
    return url.split("token=", 1)[1]


def _complete(base_url: str, verify_url: str, pin: str = "new-pin-2026") -> requests.Response:
    """Open the verification page (a browser-like session: CSRF cookie), post the PIN."""
    http = requests.Session()
    page = http.get(verify_url, timeout=15)
    assert page.status_code == 200, page.text[:500]
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    action = verify_url.split("?", 1)[0]
    return http.post(action, data={"csrf_token": csrf, "token": _verify_token(verify_url),
                                   "new_password": pin, "confirm_password": pin}, timeout=30)


def test_json_signup_creates_a_production_account_with_plan_and_numbers(
        platform, signup_shop, smtp, databases):
    shop = signup_shop
    body = signup_body(shop, numbers=shop.numbers[:2], identifier=f"id{int(time.time())}")
    resp = start(platform.base_url, body)
    assert resp.status_code == 202, resp.text
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    # nothing exists before the address is verified
    with databases["accounts"]() as session:
        assert session.execute(text("SELECT count(*) FROM customers WHERE email = :e"),
                               {"e": body["email"]}).scalar() == 0
    url = verification_link(smtp, body["email"])
    assert f"/p/{shop.shop.login.identifier}/signup/verify?token=" in url
    done = _complete(platform.base_url, url)
    assert done.status_code == 200, done.text[:800]
    assert body["identifier"] in done.text
    subscriber = ApiClient(platform.base_url).login(body["identifier"], "new-pin-2026")
    me = ok(subscriber.get("/api/v1/auth/session"))
    cid = me["user"]["customer_id"]
    customer = ok(subscriber.get(f"/api/v1/customers/{cid}"))
    assert customer["status"] == "production" and customer["kind"] == "company"
    wait_until(lambda: len(subscriber.get(f"/api/v1/customers/{cid}/numbers").json().get(
        "numbers", subscriber.get(f"/api/v1/customers/{cid}/numbers").json().get("items", [])
    )) == 2, timeout=20, message="numbers assigned")
    sub = ok(subscriber.get(f"/api/v1/customers/{cid}/subscription"))
    assert [line["item_id"] for line in sub["lines"]] == [shop.shop.items["plan"]["id"]]
    assert [p["promotion_id"] for p in sub["promotions"]] == [shop.shop.promotion["id"]]
