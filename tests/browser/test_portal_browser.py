"""A reseller's day in a real Chromium: sign in, create a professional account on a free
trial with the two-step wizard, find it again, open it, sign out."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import unique


def watch_for_errors(page: Any) -> list[str]:
    """Console errors and uncaught exceptions, CSP violations included."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def sign_in(page: Any, base_url: str, reseller: Any, shoot: Any) -> None:
    page.goto(f"{base_url}/login")
    expect(page).to_have_title("Connexion · Switchboard")
    shoot("01-login")
    page.get_by_label("Identifiant ou courriel").fill(reseller.identifier)
    page.locator("#password").fill(reseller.password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bienvenue")
    shoot("02-home")


def create_professional_on_trial(page: Any, name: str, email: str, shoot: Any) -> None:
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")
    shoot("03-customers")
    page.locator("#new-customer").click()
    page.get_by_role("radio", name="Professionnel", exact=True).check()
    # the name field's label follows the kind: a professional is a person, not a company
    expect(page.locator('label[for="f-name"]')).to_have_text("Nom complet")
    page.locator("#f-name").fill(name)
    page.locator("#f-email").fill(email)
    page.locator("#f-phone").fill("+1 514 555 0199")
    shoot("04-new-step1")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator('.steps li[aria-current="step"]')).to_have_text("2. Démarrage")
    shoot("05-new-step2")
    page.get_by_role("radio", name=re.compile("^Essai gratuit")).check()
    page.locator("#create-customer").click()
    expect(page.get_by_role("status")).to_have_text(f"Compte {name} créé.")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    shoot("06-created")


def find_on_professionals_tab(page: Any, tag: str, name: str, shoot: Any) -> None:
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Clients").click()
    page.get_by_role("tab", name="Professionnels").click()
    expect(page.get_by_role("tab", name="Professionnels")).to_have_attribute(
        "aria-selected", "true")
    search = page.get_by_role("searchbox")
    search.fill(tag)
    search.press("Enter")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(page.locator("p.count")).to_have_text("1 compte")
    expect(rows.first.get_by_role("link")).to_have_text(name)
    expect(rows.first.locator(".badge.status-trial")).to_have_text("Essai gratuit")
    shoot("07-search")


@pytest.mark.browser
def test_reseller_creates_finds_and_opens_a_trial_professional_then_signs_out(
        platform, reseller, browser_page, shoot):
    page, base = browser_page, platform.base_url
    errors = watch_for_errors(page)
    tag = unique("pro")
    name, email = f"Élodie Gagnon {tag}", f"{tag}@example.com"

    sign_in(page, base, reseller, shoot)
    create_professional_on_trial(page, name, email, shoot)
    find_on_professionals_tab(page, tag, name, shoot)

    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator(".page-head .badge.status-trial")).to_have_text("Essai gratuit")
    expect(page.locator("dl.summary")).to_contain_text("Professionnel")
    expect(page.locator("dl.summary")).to_contain_text("Fin de l'essai")
    shoot("08-detail")

    page.locator("details.usermenu > summary").click()
    signout = page.get_by_role("button", name="Se déconnecter")
    expect(signout).to_be_visible()
    shoot("09-usermenu")
    signout.click()
    expect(page).to_have_url(f"{base}/login?bye=1")
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté.")
    shoot("10-signed-out")

    # the session is gone on the server too, not only the menu
    page.goto(f"{base}/customers")
    expect(page).to_have_url(f"{base}/login?next=%2Fcustomers")
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    assert errors == []
