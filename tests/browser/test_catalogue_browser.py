"""What resellers sell, in a real Chromium (French portal): the administrator creates a plan
and makes it available to a reseller; the reseller offers it under its wholesale price and
is warned, then sets a subscription from the customer's Subscription tab; the subscriber
sees its own subscription page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sbcommon.config import amqp_uri
from tests.browser.test_portal_browser import watch_for_errors
from tests.catalogue.conftest import known_to_catalogue
from tests.support import (
    ApiClient,
    EventListener,
    make_admin,
    make_reseller,
    sign_in_subscriber,
    unique,
)


def _sign_in(page, base, identifier, password):
    page.goto(f"{base}/login")
    page.get_by_label("Identifiant ou courriel").fill(identifier)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{base}/")


def _sign_out(page):
    page.context.clear_cookies()


@pytest.mark.browser
def test_plan_from_catalogue_to_subscription(platform, accounts_db, fast_hasher,
                                             browser_page, shoot):
    page, base = browser_page, platform.base_url
    errors = watch_for_errors(page)
    admin = make_admin(accounts_db, fast_hasher)
    reseller = make_reseller(accounts_db, fast_hasher, name="Vitrine")
    admin_api = ApiClient(base).login(admin.identifier, admin.password)
    known_to_catalogue(admin_api, reseller.reseller_id)
    tag = unique("")

    # the administrator (its portal is in English): a per-user plan in CAD, available to
    # the reseller at 20.00, and the reseller's Quebec taxes
    _sign_in(page, base, admin.identifier, admin.password)
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Catalogue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue")
    page.locator("#f-kind").select_option("plan")
    page.locator("#f-name_fr").fill(f"PBX infonuagique {tag}")
    page.locator("#f-name_en").fill(f"Cloud PBX {tag}")
    page.locator("#f-price").fill("25.00")
    page.locator("#f-quantity_rule").select_option("user")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("status")).to_have_text(f"Cloud PBX {tag} was created.")
    shoot("catalogue-01-admin-items")
    page.get_by_role("link", name=reseller.identifier, exact=False).click()
    row = page.locator("table.availability tbody tr", has_text=f"Cloud PBX {tag}")
    row.get_by_label("Available").check()
    row.get_by_label("Wholesale price").fill("20.00")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Availability was saved.")
    page.locator("#f-tax1_name").fill("TPS")
    page.locator("#f-tax1_rate").fill("5")
    page.locator("#f-tax2_name").fill("TVQ")
    page.locator("#f-tax2_rate").fill("9.975")
    page.locator("form[action$='/pricing']").get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Currency and taxes were saved.")
    shoot("catalogue-02-admin-reseller")
    _sign_out(page)

    # the reseller: offered under the wholesale price → saved with a warning, then fixed
    _sign_in(page, base, reseller.identifier, reseller.password)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Forfaits").click()
    row = page.locator("table.offer tbody tr", has_text=f"PBX infonuagique {tag}")
    row.get_by_label("Offert").check()
    row.get_by_label(f"Prix de détail PBX infonuagique {tag}").fill("19.00")
    row.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("sous le prix de gros")
    expect(page.locator("table.offer tbody tr.warning")).to_have_count(1)
    row = page.locator("table.offer tbody tr", has_text=f"PBX infonuagique {tag}")
    row.get_by_label(f"Prix de détail PBX infonuagique {tag}").fill("29.99")
    row.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Votre offre a été enregistrée.")
    shoot("catalogue-03-plans")

    api = ApiClient(base).login(reseller.identifier, reseller.password)
    customer = api.create_customer(language="fr", start="production")
    page.goto(f"{base}/customers/{customer['id']}")
    page.get_by_role("navigation", name="Sections du compte").get_by_role(
        "link", name="Abonnement").click()
    expect(page.locator(".empty").first).to_have_text("Aucun abonnement pour l'instant.")
    page.locator("#f-plan").select_option(label=f"PBX infonuagique {tag} — 29.99 CAD")
    page.locator("#f-plan_quantity").fill("2")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("L'abonnement a été modifié.")
    # 2 × 29.99 = 59.98; TPS 3.00 (2.999), TVQ 5.98 (5.983…) → 68.96
    expect(page.locator("dd.total-now")).to_have_text("68.96 CAD")
    expect(page.locator("table.history tbody tr")).to_have_count(1)
    shoot("catalogue-04-subscription")
    _sign_out(page)

    # the subscriber: its own subscription page from the menu
    listener = EventListener(amqp_uri(), "accounts")
    try:
        sign_in_subscriber(base, listener, customer, "pin-browser-cat")
    finally:
        listener.close()
    _sign_in(page, base, customer["identifier"], "pin-browser-cat")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Mon abonnement").click()
    expect(page).to_have_url(f"{base}/customers/{customer['id']}/subscription")
    expect(page.locator("dd.total-now")).to_have_text("68.96 CAD")
    expect(page.get_by_text("Prix de gros")).to_have_count(0)
    shoot("catalogue-05-subscriber")
    assert errors == []
