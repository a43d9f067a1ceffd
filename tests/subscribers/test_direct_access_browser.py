"""Direct access in a real browser (Chromium): a reseller opens a subscriber's portal from the
customer's page, sees the banner naming itself on every page, changes a setting, cannot see
the PIN form, leaves, and finds the visit in the audit log — start, the action attributed to
it, end."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect


def sign_in(page: Any, base_url: str, login: Any) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Identifiant ou courriel").fill(login.identifier)
    page.locator("#password").fill(login.password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{base_url}/")


def test_reseller_enters_acts_and_leaves_and_the_audit_log_shows_it(
        platform, reseller, reseller_api, browser_page):
    page, base = browser_page, platform.base_url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    customer = reseller_api.create_customer(name="Visited Inc")
    cid = customer["id"]
    reseller_name = reseller_api.get("/api/v1/auth/session").json()["user"]["display_name"]

    sign_in(page, base, reseller)
    page.goto(f"{base}/customers/{cid}")
    page.locator("#open-direct-access").click()

    # The subscriber's home, with the banner naming who is inside.
    expect(page).to_have_url(f"{base}/")
    banner = page.locator(".support-banner")
    expect(banner).to_contain_text(reseller_name)
    expect(banner).to_contain_text("Visited Inc")
    expect(page.locator(".home-account")).to_contain_text("Visited Inc")
    expect(page.locator(".support-visits")).to_contain_text(reseller_name)

    # An action inside: the account's phone number.
    page.goto(f"{base}/customers/{cid}")
    expect(page.locator(".support-banner")).to_contain_text(reseller_name)
    page.locator("#f-phone").fill("+1 514 555 0142")
    page.locator(f'form[action="/customers/{cid}"] button[type="submit"]').click()
    expect(page.get_by_role("status").first).to_be_visible()
    assert reseller_api.get(f"/api/v1/customers/{cid}").json()["phone"] == "+1 514 555 0142"

    # The PIN is not support's to see or change: it sends the access codes instead.
    page.goto(f"{base}/settings")
    expect(page.locator("#f-current_password")).to_have_count(0)
    page.locator("#send-access-codes").click()
    expect(page.locator(".notice.success")).to_contain_text("codes d'accès")

    # Leaving brings the reseller back to the customer's page, as itself.
    page.locator("#leave-direct-access").click()
    expect(page).to_have_url(f"{base}/customers/{cid}")
    expect(page.locator(".support-banner")).to_have_count(0)
    expect(page.locator("#open-direct-access")).to_be_visible()

    page.goto(f"{base}/audit-log?customer_id={cid}")
    rows = page.locator("table.audit-log tbody tr")
    actions = [rows.nth(i).get_attribute("data-action") for i in range(rows.count())]
    assert actions[-1] == "direct_access.started" and actions[0] == "direct_access.ended"
    assert "direct_access.action" in actions and "access_codes.sent" in actions
    action_row = page.locator('tr[data-action="direct_access.action"]').last  # the oldest
    expect(action_row.locator(".actor")).to_contain_text(reseller_name)
    expect(action_row.locator(".actor")).to_contain_text("accès direct")
    expect(action_row.locator(".details")).to_contain_text(f"customer_id={cid}")
    assert errors == []


def test_a_locked_subscriber_sees_the_lock_and_disabled_forms(
        platform, reseller, reseller_api, browser_page, accounts_events):
    from tests.support import sign_in_subscriber

    page, base = browser_page, platform.base_url
    customer = reseller_api.create_customer(name="Locked Co")
    sign_in_subscriber(base, accounts_events, customer)
    assert reseller_api.put(f"/api/v1/customers/{customer['id']}/lock").status_code == 200
    page.goto(f"{base}/login")
    page.get_by_label("Identifiant ou courriel").fill(customer["identifier"])
    page.locator("#password").fill("subscriber-pin-1")
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{base}/")
    expect(page.locator(".lock-notice")).to_contain_text("verrouillé")
    page.goto(f"{base}/customers/{customer['id']}")
    expect(page.locator("#f-phone")).to_be_disabled()
    page.goto(f"{base}/settings")
    # Its PIN and language stay its own.
    expect(page.locator("#f-current_password")).to_be_enabled()
    expect(page.locator(".lock-notice")).to_have_count(1)
