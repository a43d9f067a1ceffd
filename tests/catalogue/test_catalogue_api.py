"""The catalogue end to end over HTTP: what a reseller may see, offer and sell; who may change
a subscription; promotions for new subscribers only; the statement PDF with real prices in
French and English; the subscription_changed event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sbcommon.config import amqp_uri
from services.catalogue.domain.promotions import add_months
from tests.catalogue.conftest import known_to_catalogue, new_item, ok, open_shop
from tests.notifications.test_mail_e2e import parts, pdf_text, wait_one
from tests.support import ApiClient, EventListener, make_reseller, sign_in_subscriber


def _subscribe(api, customer_id, shop, users=3, promotion=True):
    body = {"lines": [{"item_id": shop.items["plan"]["id"], "quantity": users},
                      {"item_id": shop.items["option"]["id"], "quantity": 1},
                      {"item_id": shop.items["fee"]["id"], "quantity": 1}]}
    if promotion:
        body["promotion_id"] = shop.promotion["id"]
    return api.put(f"/api/v1/customers/{customer_id}/subscription", json=body)


def test_a_reseller_sees_and_offers_only_what_was_made_available_to_it(
        platform, accounts_db, fast_hasher, admin_api, shop):
    other = open_shop(platform, accounts_db, fast_hasher, admin_api)
    mine = {i["item_id"] for i in ok(shop.api.get("/api/v1/catalogue"))["items"]}
    assert mine == {i["id"] for i in shop.items.values()}
    for item in other.items.values():  # made available to the other reseller only
        assert shop.api.put(f"/api/v1/catalogue/{item['id']}/offer",
                            json={"retail_price": 1}).status_code == 404
    # withdrawn by the administrator: gone from the offer, not sellable
    option = shop.items["option"]
    ok(admin_api.put(f"/api/v1/admin/resellers/{shop.login.reseller_id}/catalogue/"
                     f"{option['id']}", json={"available": False, "wholesale_price": 0}))
    assert option["id"] not in {i["item_id"] for i in ok(shop.api.get("/api/v1/catalogue"))
                                ["items"]}
    # a reseller cannot create items nor reach the administrator's routes
    assert shop.api.post("/api/v1/admin/catalogue/items", json={
        "kind": "plan", "name_fr": "x", "name_en": "x", "currency": "CAD",
        "price": 1}).status_code == 403
    assert shop.api.get("/api/v1/admin/promotions").status_code == 403


def test_retail_under_wholesale_is_saved_with_a_warning(shop):
    plan = shop.items["plan"]
    saved = ok(shop.api.put(f"/api/v1/catalogue/{plan['id']}/offer",
                            json={"retail_price": 1500}))
    assert saved["below_wholesale"] is True and saved["wholesale_price"] == 2000
    saved = ok(shop.api.put(f"/api/v1/catalogue/{plan['id']}/offer",
                            json={"retail_price": 2999}))
    assert saved["below_wholesale"] is False


def test_a_subscription_only_takes_what_the_reseller_offers(
        platform, accounts_db, fast_hasher, admin_api, shop):
    customer = shop.api.create_customer(language="en")
    cid = customer["id"]
    other = open_shop(platform, accounts_db, fast_hasher, admin_api)
    foreign = other.items["plan"]["id"]
    refused = shop.api.put(f"/api/v1/customers/{cid}/subscription",
                           json={"lines": [{"item_id": foreign, "quantity": 1}]})
    assert refused.status_code == 422
    assert refused.json()["details"][0]["field"].endswith("lines.0.item_id")
    # available but not offered
    spare = new_item(admin_api, "option", 100)
    ok(admin_api.put(f"/api/v1/admin/resellers/{shop.login.reseller_id}/catalogue/"
                     f"{spare['id']}", json={"wholesale_price": 100}))
    refused = shop.api.put(f"/api/v1/customers/{cid}/subscription", json={"lines": [
        {"item_id": shop.items["plan"]["id"]}, {"item_id": spare["id"]}]})
    assert refused.status_code == 422 and "lines.1.item_id" in refused.text
    # per-account items are 1; exactly one plan
    too_many = shop.api.put(f"/api/v1/customers/{cid}/subscription", json={"lines": [
        {"item_id": shop.items["plan"]["id"]}, {"item_id": shop.items["option"]["id"],
                                                 "quantity": 2}]})
    assert too_many.status_code == 422 and "lines.1.quantity" in too_many.text
    no_plan = shop.api.put(f"/api/v1/customers/{cid}/subscription", json={"lines": [
        {"item_id": shop.items["option"]["id"]}]})
    assert no_plan.status_code == 422
    view = ok(shop.api.get(f"/api/v1/customers/{cid}/subscription"))
    assert view["lines"] == [] and view["new_subscriber"] is True


def test_promotions_only_for_new_subscribers_with_history_and_event(shop, admin_api):
    listener = EventListener(amqp_uri(), "catalogue")
    try:
        customer = shop.api.create_customer(language="en")
        cid = customer["id"]
        view = ok(_subscribe(shop.api, cid, shop, users=3, promotion=True))
        today = datetime.now(UTC).date()
        ends = add_months(today, 6).isoformat()
        plan = next(x for x in view["lines"] if x["kind"] == "plan")
        assert plan["quantity"] == 3 and plan["unit_price"] == 2999
        assert plan["amount"] == 8997 and plan["discount"] == 1799  # 1799.4 → 1799
        assert plan["promotion"]["ends_on"] == ends
        monthly = view["statement"]["monthly"]
        assert monthly["net"] == (8997 - 1799) + (499 - 100)  # 99.8 → 100
        assert monthly["total"] == monthly["net"] + monthly["tax_total"]
        assert {t["name"] for t in monthly["taxes"]} == {"GST", "QST"}
        after = view["statement"]["monthly_after_promotions"]
        assert after["net"] == 8997 + 499 and after["full_price_from"] == ends
        assert view["statement"]["one_time"]["net"] == 4999
        event = listener.wait_for(lambda e: e["event_type"] == "subscription_changed"
                                  and e["customer_id"] == cid)
        assert event and event["version"] == 1 and event["reseller_id"] == \
            shop.login.reseller_id

        # an existing subscriber: no promotion, the change itself is refused whole
        again = _subscribe(shop.api, cid, shop, users=5, promotion=True)
        assert again.status_code == 409 and "promotion_id" in again.text
        changed = ok(_subscribe(shop.api, cid, shop, users=5, promotion=False))
        assert next(x for x in changed["lines"] if x["kind"] == "plan")["quantity"] == 5
        assert changed["version"] == 2 and len(changed["promotions"]) == 1  # still running
        history = ok(shop.api.get(f"/api/v1/customers/{cid}/subscription/history"))["items"]
        assert [h["role"] for h in history] == ["reseller", "reseller"]
        assert history[0]["old"]["lines"][0]["quantity"] in (1, 3)
        assert {line["quantity"] for line in history[0]["new"]["lines"]} == {1, 5}
        assert history[1]["old"] is None
    finally:
        listener.close()


def test_a_subscriber_changes_its_own_subscription_and_no_other(
        platform, shop, accounts_events):
    mine = shop.api.create_customer(language="fr")
    other = shop.api.create_customer(language="fr")
    ok(_subscribe(shop.api, other["id"], shop, promotion=False))
    subscriber = sign_in_subscriber(platform.base_url, accounts_events, mine, "pin-cat-123")
    seen = ok(subscriber.get(f"/api/v1/customers/{mine['id']}/subscription"))
    assert "wholesale_price" not in str(seen)  # a subscriber sees retail prices only
    assert {c["item_id"] for c in seen["choices"]} == {i["id"] for i in shop.items.values()}
    assert _subscribe(subscriber, other["id"], shop, promotion=False).status_code == 404
    assert subscriber.get(f"/api/v1/customers/{other['id']}/subscription").status_code == 404
    assert subscriber.get(
        f"/api/v1/customers/{other['id']}/subscription/history").status_code == 404
    # promotions are the reseller's to apply
    assert _subscribe(subscriber, mine["id"], shop, promotion=True).status_code == 403
    done = ok(_subscribe(subscriber, mine["id"], shop, users=2, promotion=False))
    assert done["version"] == 1
    history = ok(subscriber.get(f"/api/v1/customers/{mine['id']}/subscription/history"))
    assert history["items"][0]["role"] == "customer"
    # the other account is as it was
    assert ok(shop.api.get(f"/api/v1/customers/{other['id']}/subscription"))["version"] == 1


def test_another_reseller_sees_nothing_of_a_subscription(
        platform, accounts_db, fast_hasher, admin_api, shop):
    customer = shop.api.create_customer()
    ok(_subscribe(shop.api, customer["id"], shop))
    other = open_shop(platform, accounts_db, fast_hasher, admin_api)
    for path in ("subscription", "subscription/history", "subscription/statement"):
        assert other.api.get(f"/api/v1/customers/{customer['id']}/{path}").status_code == 404
    assert _subscribe(other.api, customer["id"], other).status_code == 404


def test_administrator_terms_retire_and_currency(platform, accounts_db, fast_hasher,
                                                 admin_api, shop):
    item = new_item(admin_api, "option", 700)
    retired = ok(admin_api.patch(f"/api/v1/admin/catalogue/items/{item['id']}",
                                 json={"retired": True, "price": 800}))
    assert retired["retired"] is True and retired["price"] == 800
    assert admin_api.patch(f"/api/v1/admin/catalogue/items/{item['id']}",
                           json={"retired": False}).status_code == 409
    assert admin_api.put(f"/api/v1/admin/resellers/{shop.login.reseller_id}/catalogue/"
                         f"{item['id']}", json={"wholesale_price": 1}).status_code == 409
    listed = {i["id"]: i for i in ok(admin_api.get("/api/v1/admin/catalogue/items"))["items"]}
    assert listed[item["id"]]["retired"]  # kept, with its history
    # the currency is fixed once prices exist; a bad rate names its field
    moved = admin_api.put(f"/api/v1/admin/resellers/{shop.login.reseller_id}/pricing",
                          json={"currency": "EUR", "taxes": []})
    assert moved.status_code == 409
    bad = admin_api.put(f"/api/v1/admin/resellers/{shop.login.reseller_id}/pricing",
                        json={"currency": "CAD", "taxes": [{"name": "X", "rate": "1.2345"}]})
    assert bad.status_code == 422 and "rate" in bad.text
    unknown = admin_api.put("/api/v1/admin/resellers/00000000-0000-0000-0000-000000000000/"
                            "pricing", json={"currency": "CAD"})
    assert unknown.status_code == 404
    device = admin_api.post("/api/v1/admin/catalogue/items", json={
        "kind": "device", "name_fr": "T", "name_en": "T", "currency": "CAD", "price": 1,
        "device_model": "no-such-phone"})
    assert device.status_code == 422 and "device_model" in device.text


def test_statement_pdf_shows_real_prices_promotion_end_and_taxes_in_both_languages(
        shop, smtp):
    today = datetime.now(UTC).date()
    ends = add_months(today, 6).isoformat()
    for language, words in (
            ("en", ("Subscription statement", "$29.99", "$89.97", "$71.98",
                    "until " + ends, "GST (5 %) on plans", "QST (9.975 %) on options",
                    "Monthly total now", "Monthly total after the promotions end",
                    "One-time charges", "$49.99")),
            ("fr", ("Relevé d'abonnement", "29,99", "89,97", "71,98",
                    "jusqu'au " + ends, "GST (5 %) sur forfaits", "QST (9.975 %) sur options",
                    "Total mensuel actuel", "Total mensuel après la fin des promotions",
                    "Frais uniques", "49,99"))):
        customer = shop.api.create_customer(language=language, start="production")
        priced = ok(_subscribe(shop.api, customer["id"], shop, users=3))["statement"]
        sent = shop.api.post(f"/api/v1/customers/{customer['id']}/emails/statement")
        assert sent.status_code == 202, sent.text
        msg = wait_one(smtp, customer["email"], "statement" if language == "en" else "relevé")
        body, html, [pdf] = parts(msg)
        # the e-mail itself says the totals; the PDF has every line
        total_word = "Monthly total now" if language == "en" else "Total mensuel actuel"
        assert total_word in body and total_word in html
        text = " ".join(" ".join(pdf_text(pdf.get_content())).split())
        for word in words:
            assert word in text, (language, word, text[:1500])
        plan = shop.items["plan"]["name_" + language]
        assert plan in text
        total = priced["monthly"]["total"]
        shown = f"{total // 100}.{total % 100:02d}" if language == "en" else \
            f"{total // 100},{total % 100:02d}"
        assert shown in text and shown in body


def test_the_free_trial_is_a_full_promotion_until_it_ends(shop):
    customer = shop.api.create_customer(language="en")  # starts a free trial
    assert customer["status"] == "trial"
    ok(_subscribe(shop.api, customer["id"], shop, users=2))
    priced = ok(shop.api.get(f"/api/v1/customers/{customer['id']}/subscription/statement"))
    trial_end = str(customer["trial_ends_at"])[:10]
    plan = next(x for x in priced["lines"] if x["kind"] == "plan")
    assert plan["promotion"]["promotion_id"] == "trial"
    assert plan["promotion"]["ends_on"] == trial_end and plan["net"] == 0
    assert priced["monthly"]["total"] == 0
    assert priced["monthly_after_promotions"]["total"] > 0
    # the one-time activation fee is owed, trial or not
    assert priced["one_time"]["total"] == 4999 + 250 + 499  # GST 249.95→250, QST 498.65→499


@pytest.mark.parametrize(("currency", "retail", "users", "gross", "tax", "shown_en"), [
    # 0 decimals: 3 × 4 500 yen = 13 500; 10 % = 1 350
    ("JPY", 4500, 3, 13500, 1350, "13,500\u00a0JPY"),
    # 3 decimals: 3 × 12.345 BHD = 37.035; 10 % = 3.7035 → 3.704 (half to even: 3.7035 → 3.704)
    ("BHD", 12345, 3, 37035, 3704, "37.035\u00a0BHD"),
])
def test_currencies_with_zero_and_three_decimals_to_the_pdf(
        platform, accounts_db, fast_hasher, admin_api, smtp, currency, retail, users, gross,
        tax, shown_en):
    login = make_reseller(accounts_db, fast_hasher, name=f"Shop {currency}")
    api = ApiClient(platform.base_url).login(login.identifier, login.password)
    rid = login.reseller_id
    known_to_catalogue(admin_api, rid)
    ok(admin_api.put(f"/api/v1/admin/resellers/{rid}/pricing", json={
        "currency": currency, "taxes": [{"name": "VAT", "rate": "10"}]}))
    plan = new_item(admin_api, "plan", 1, quantity_rule="user")
    ok(admin_api.put(f"/api/v1/admin/resellers/{rid}/catalogue/{plan['id']}",
                     json={"wholesale_price": retail // 2}))
    offer = ok(api.put(f"/api/v1/catalogue/{plan['id']}/offer",
                       json={"retail_price": retail}))
    assert offer["currency"] == currency
    customer = api.create_customer(language="en", start="production")
    view = ok(api.put(f"/api/v1/customers/{customer['id']}/subscription",
                      json={"lines": [{"item_id": plan["id"], "quantity": users}]}))
    monthly = view["statement"]["monthly"]
    assert view["currency"] == currency
    assert (monthly["subtotal"], monthly["tax_total"], monthly["total"]) == \
        (gross, tax, gross + tax)
    assert ok(api.post(f"/api/v1/customers/{customer['id']}/emails/statement"), 202)
    msg = wait_one(smtp, customer["email"], "statement")
    body, _html, [pdf] = parts(msg)
    text = " ".join(" ".join(pdf_text(pdf.get_content())).split())
    assert shown_en.replace("\u00a0", " ") in text.replace("\u00a0", " ")
