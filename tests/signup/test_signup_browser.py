"""The whole sign-up in a real Chromium: the reseller creates a link on its integration
guide; a visitor opens it, chooses the plan, gives its details, picks two numbers, accepts
the terms; the verification e-mail (captured by the SMTP server) is followed, the PIN
chosen; the subscriber signs in, and the account has its subscription and its numbers.
Then the HTML snippet of the guide, pasted on a foreign page, starts a sign-up through the
JSON API. Every page passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import blocking_violations
from tests.catalogue.conftest import ok, open_shop
from tests.numbering.conftest import fresh_numbers
from tests.signup.conftest import verification_link
from tests.support import unique, wait_until

PIN = "browser-pin-2026"


@pytest.mark.browser
def test_a_visitor_signs_up_through_a_resellers_link(platform, accounts_db, fast_hasher,
                                                     admin_api, chromium, smtp):
    base = platform.base_url
    shop = open_shop(platform, accounts_db, fast_hasher, admin_api)
    numbers = fresh_numbers(3, area="438")
    for number in numbers:
        ok(shop.api.post("/api/v1/numbers", json={"number": number}), 201)
    plan = shop.items["plan"]
    problems: list[str] = []

    # the reseller (French portal) creates a company link with its plan and promotion
    staff = chromium.new_context(locale="fr-CA")
    page = staff.new_page()
    page.goto(f"{base}/login")
    page.locator("#identifier").fill(shop.login.identifier)
    page.locator("#password").fill(shop.login.password)
    page.locator("#password").press("Enter")
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/signup-links")
    expect(page.get_by_role("heading", level=1)).to_have_text("L'inscription sur votre site")
    page.locator("#f-kind").select_option("company")
    page.locator("#f-plan_id").select_option(plan["id"])
    page.locator("#f-promotion_id").select_option(shop.promotion["id"])
    page.get_by_role("button", name="Créer le lien").click()
    expect(page.get_by_role("status")).to_have_text("Lien créé.")
    link_url = page.locator("input.link-url").first.input_value()
    assert f"/p/{shop.login.identifier}/signup/" in link_url
    snippet = page.locator("#snippet").input_value()
    assert link_url in snippet
    problems += blocking_violations(page)

    # a visitor, in English, through the link
    visitor = chromium.new_context(locale="en-US")
    visitor.set_default_timeout(15_000)
    v = visitor.new_page()
    v.goto(link_url)
    expect(v.get_by_role("heading", level=1)).to_have_text("Sign up: company account")
    expect(v.locator(f"input[name=plan_id][value='{plan['id']}']")).to_be_checked()
    expect(v.get_by_text("Promotion included")).to_be_visible()
    problems += blocking_violations(v)
    v.get_by_role("link", name="Français").click()  # the language switch, and back
    expect(v.get_by_role("heading", level=1)).to_have_text("Inscription : compte entreprise")
    v.get_by_role("link", name="English").click()
    v.get_by_role("button", name="Continue").click()

    tag = unique("b")
    email = f"{tag}@browser.example"
    v.locator("#f-name").fill(f"Browser {tag} Inc.")
    v.locator("#f-contact_name").fill("Ada Browser")
    v.locator("#f-email").fill("not an address")
    v.locator("#f-country").fill("CA")
    v.get_by_role("button", name="Continue").click()
    expect(v.locator("#f-email")).to_have_attribute("aria-invalid", "true")
    problems += blocking_violations(v)
    v.locator("#f-email").fill(email)
    v.locator("#f-phone").fill("+1 514 555 0199")
    v.get_by_role("button", name="Continue").click()

    v.locator("#f-area").select_option("CA:438")
    v.get_by_role("button", name="Show numbers").click()
    v.get_by_label(numbers[0]).check()
    v.get_by_label(numbers[1]).check()
    problems += blocking_violations(v)
    v.get_by_role("button", name="Continue").click()

    expect(v.locator("dl.summary")).to_contain_text(numbers[0])
    v.locator("#f-terms_accepted").check()
    problems += blocking_violations(v)
    # a person takes longer than the time trap's 3 seconds (its stamp is rounded up: +1 s)
    v.wait_for_timeout(4600)
    v.get_by_role("button", name="Sign up").click()
    expect(v.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    problems += blocking_violations(v)

    # the e-mail, in the reseller's brand; its link; the PIN
    url = verification_link(smtp, email)
    mail = smtp.to(email)[-1]
    assert "Shop" in str(mail["From"])
    v.goto(url)
    expect(v.get_by_role("heading", level=1)).to_have_text("Confirm your account")
    problems += blocking_violations(v)
    v.locator("#f-new_password").fill(PIN)
    v.locator("#f-confirm_password").fill(PIN)
    v.get_by_role("button", name="Create my account").click()
    expect(v.get_by_role("heading", level=1)).to_have_text("Your account is ready")
    identifier = v.locator("#new-identifier").inner_text()
    problems += blocking_violations(v)
    v.goto(url)  # the link again: refused, clearly
    expect(v.locator("#signup-refused")).to_contain_text("already used")

    # the subscriber signs in on its reseller's portal
    v.goto(f"{base}/p/{shop.login.identifier}")
    v.locator("#identifier").fill(identifier)
    v.locator("#password").fill(PIN)
    v.locator("#password").press("Enter")
    expect(v).to_have_url(f"{base}/")
    expect(v.locator(".home-account")).to_contain_text(f"Browser {tag} Inc.")

    # production, its plan, its two numbers (the reseller's view)
    found = ok(shop.api.get("/api/v1/customers", params={"q": tag}))["items"]
    assert len(found) == 1 and found[0]["status"] == "production"
    cid = found[0]["id"]
    wait_until(lambda: sorted(n["number"] for n in ok(shop.api.get(
        f"/api/v1/customers/{cid}/numbers"))["numbers"]) == numbers[:2], timeout=20,
        message="numbers assigned")
    wait_until(lambda: ok(shop.api.get(f"/api/v1/customers/{cid}/subscription"))["lines"],
               timeout=20, message="subscription started")
    sub = ok(shop.api.get(f"/api/v1/customers/{cid}/subscription"))
    assert [line["item_id"] for line in sub["lines"]] == [plan["id"]]

    # the guide's snippet on someone else's page: its form starts a sign-up through the API
    site = visitor.new_page()
    site.set_content(f"<!doctype html><html lang='en'><body>{snippet}</body></html>")
    other = f"{unique('w')}@website.example"
    site.locator("#sb-name").fill("From the website")
    site.locator("#sb-email").fill(other)
    site.get_by_label("I accept the terms").check()
    site.wait_for_timeout(4600)  # the same, from the moment the snippet fetched its stamp
    site.get_by_role("button", name="Sign up / S'inscrire").click()
    expect(site.locator(".sb-signup-result")).to_contain_text("on its way")
    assert verification_link(smtp, other)

    staff.close()
    visitor.close()
    assert problems == [], "\n".join(problems)
