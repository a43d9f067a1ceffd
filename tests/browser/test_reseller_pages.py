"""The resellers' pages in a real Chromium: the system administrator onboards and manages a
reseller; the new reseller's welcome link, first sign-in and set-up wizard; its company
settings and branding (upload, live preview, refused files); mail templates; and the
branded subscriber portal (whose screenshots illustrate the README)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from services.notifications.domain.templates import KINDS, LANGUAGES
from tests.resellers import images as files
from tests.resellers.conftest import LINK
from tests.support import ROOT, ApiClient, make_reseller, sign_in_subscriber, unique

pytestmark = pytest.mark.browser
DOC_SHOTS = ROOT / "docs" / "screenshots"


def sign_in(page: Any, base_url: str, identifier: str, password: str,
            landing: str = "/") -> None:
    page.goto(f"{base_url}/login")
    page.locator("#identifier").fill(identifier)
    page.locator("#password").fill(password)
    page.locator("#password").press("Enter")
    expect(page).to_have_url(re.compile(re.escape(base_url + landing) + r"(\?.*)?$"))


def watch_for_errors(page: Any) -> list[str]:
    """Console errors and uncaught exceptions (CSP violations included); a form refused on
    purpose answers 422, which the console reports too: not an error here."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
            and "status of 422" not in msg.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def open_account_menu(page: Any) -> Any:
    """The set-up pages (company, brand, templates) are in the account menu."""
    page.locator("details.usermenu > summary").click()
    return page.locator("details.usermenu .menu")


def test_the_admin_onboards_edits_suspends_and_reactivates_a_reseller(
        platform, accounts_db, fast_hasher, browser_page, shoot, smtp):
    from tests.support import make_admin

    admin = make_admin(accounts_db, fast_hasher)
    page = browser_page
    errors = watch_for_errors(page)
    sign_in(page, platform.base_url, admin.identifier, admin.password)  # in English
    expect(page.locator("#home-health")).to_be_visible()
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Resellers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resellers")
    page.get_by_role("link", name="New reseller").first.click()
    ident = unique("br")
    page.locator("#f-name").fill(f"Télécom {ident}")
    page.locator("#f-identifier").fill(ident)
    page.locator("#f-email").fill("not-an-email")
    page.get_by_role("button", name="Create the reseller").click()
    expect(page.locator(".field.invalid #f-email")).to_be_visible()  # kept, marked
    expect(page.locator("#f-identifier")).to_have_value(ident)
    page.locator("#f-email").fill(f"{ident}@br.example")
    page.get_by_role("button", name="Create the reseller").click()
    expect(page.get_by_role("status")).to_contain_text(f"Reseller Télécom {ident} created")
    shoot("reseller-admin-detail")
    assert smtp.wait_for(lambda m: f"{ident}@br.example" in str(m["To"]), timeout=20)

    page.locator("#f-sip_domain").fill("sip.br.example")
    page.locator("#f-sip_proxy").fill("edge.br.example:5080")
    page.get_by_role("button", name="Save the phone system").click()
    expect(page.get_by_role("status")).to_have_text("PBX information saved.")
    expect(page.locator("#f-sip_domain")).to_have_value("sip.br.example")

    page.locator("#suspend").click()
    expect(page.locator("#reseller-status")).to_have_text("Suspended")
    page.locator("#reactivate").click()
    expect(page.locator("#reseller-status")).to_have_text("Active")
    page.goto(f"{platform.base_url}/admin/resellers?q={ident}")
    expect(page.locator("#resellers tbody tr")).to_have_count(1)
    assert errors == []


def test_the_welcome_link_then_the_first_sign_in_opens_the_wizard_whose_steps_persist(
        platform, admin_api, smtp, browser_page, shoot):
    ident = unique("wz")
    email = f"{ident}@wz.example"
    assert admin_api.post("/api/v1/admin/resellers", json={
        "name": f"Wizard {ident}", "identifier": ident, "email": email,
        "language": "fr"}).status_code == 201
    found = smtp.wait_for(lambda m: email in str(m["To"]), timeout=20)
    token = LINK.search(found[0].get_body(("plain",)).get_content()).group(1)
    page = browser_page
    errors = watch_for_errors(page)
    page.goto(f"{platform.base_url}/reset?token={token}")
    page.locator("#f-new_password, input[name=new_password]").first.fill("wizard-pin-1")
    page.locator("input[name=confirm_password]").fill("wizard-pin-1")
    page.locator("input[name=confirm_password]").press("Enter")
    expect(page).to_have_url(re.compile(r"/login\?reset=1$"))
    sign_in(page, platform.base_url, ident, "wizard-pin-1", landing="/setup")
    expect(page.locator('.steps li[aria-current="step"]')).to_have_text("1. Entreprise")
    shoot("reseller-wizard-1")
    page.locator("#f-address").fill("10 rue du Port\nQuébec QC")
    page.locator("#f-phone").fill("+1 418 555 0100")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator('.steps li[aria-current="step"]')).to_have_text(
        "2. Contact de soutien")
    page.locator("#f-support_phone").fill("+1 800 555 0111")
    page.locator("#f-support_email").fill(f"soutien@{ident}.example")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator('.steps li[aria-current="step"]')).to_have_text("3. Image de marque")

    # resumable: signing in again opens the step reached, with what was saved
    page.goto(f"{platform.base_url}/")
    expect(page).to_have_url(f"{platform.base_url}/setup")
    expect(page.locator('.steps li[aria-current="step"]')).to_have_text("3. Image de marque")
    page.goto(f"{platform.base_url}/setup?step=settings")
    expect(page.locator("#f-address")).to_have_value("10 rue du Port\nQuébec QC")
    page.goto(f"{platform.base_url}/setup")

    # the preview follows the colour picker before anything is saved
    page.locator("#f-accent_color").fill("#3b0a45")
    expect(page.locator("#brand-preview .pv-bar")).to_have_css("background-color",
                                                              "rgb(59, 10, 69)")
    page.locator("#f-primary_color").fill("#ffe14d")
    expect(page.locator("#c-primary")).to_contain_text("trop faible")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator("#e-primary_color")).to_contain_text("4.5:1")  # refused, kept
    page.get_by_role("button", name="Passer").click()
    expect(page.locator('.steps li[aria-current="step"]')).to_have_text(
        "4. Restrictions d'appel")
    page.get_by_label("Refusés (le plus sûr)").check()
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.locator('.steps li[aria-current="step"]')).to_have_text("5. Premiers numéros")
    page.locator("#f-number").fill("+1 418 555 0170")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("status")).to_contain_text("+1 418 555 0170")
    page.get_by_role("button", name="Terminer").click()
    expect(page).to_have_url(f"{platform.base_url}/")
    expect(page.locator("#home-pool")).to_contain_text("1")
    shoot("reseller-home")
    page.goto(f"{platform.base_url}/")
    expect(page).to_have_url(f"{platform.base_url}/")  # the wizard does not come back
    assert errors == []


def test_company_settings_and_branding_pages(platform, accounts_db, fast_hasher,
                                             browser_page, shoot, tmp_path):
    made = make_reseller(accounts_db, fast_hasher, name="Pages")
    page = browser_page
    errors = watch_for_errors(page)
    sign_in(page, platform.base_url, made.identifier, made.password)
    open_account_menu(page).get_by_role("link", name="Entreprise").click()
    page.locator("#f-support_email").fill("aide@pages.example")
    page.locator("#support-form").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Contact de soutien enregistré.")
    expect(page.locator("#f-support_email")).to_have_value("aide@pages.example")
    expect(page.locator("#pbx-info")).to_contain_text("Non défini")
    shoot("reseller-settings")

    open_account_menu(page).get_by_role("link", name="Image de marque").click()
    svg = tmp_path / "logo.svg"
    svg.write_bytes(files.SVG_WITH_SCRIPT)
    page.locator("#f-logo").set_input_files(str(svg))
    page.locator("#logo-form").get_by_role("button", name="Téléverser").click()
    expect(page.locator("#e-logo")).to_contain_text("SVG")
    logo = tmp_path / "logo.png"
    logo.write_bytes(files.png(300, 90, (10, 92, 54)))
    page.locator("#f-logo").set_input_files(str(logo))
    page.locator("#logo-form").get_by_role("button", name="Téléverser").click()
    expect(page.get_by_role("status")).to_have_text("Logo enregistré.")
    expect(page.locator("#logo-current")).to_be_visible()
    page.locator("#f-portal_name").fill("Pages Mobile")
    expect(page.locator("#brand-preview .pv-name")).to_have_text("Pages Mobile")
    page.locator("#f-primary_color").fill("#0a5c36")
    expect(page.locator("#brand-preview .pv-button")).to_have_css("background-color",
                                                                 "rgb(10, 92, 54)")
    page.locator("#brand-form").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Image de marque enregistrée.")
    shoot("reseller-branding")
    assert errors == []


def test_mail_template_pages_preview_refuse_and_save(platform, reseller_api, browser_page,
                                                     accounts_db, fast_hasher, shoot):
    made = make_reseller(accounts_db, fast_hasher, name="Templates")
    page = browser_page
    sign_in(page, platform.base_url, made.identifier, made.password)
    open_account_menu(page).get_by_role("link", name="Modèles de courriel").click()
    # one row per editable kind and language
    expect(page.locator("#templates tbody tr")).to_have_count(len(KINDS) * len(LANGUAGES))
    page.get_by_role("link", name="Bienvenue").first.click()
    page.locator("#f-html").fill("<p>{{ ''.__class__ }}</p>")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#e-html")).to_contain_text("underscore")
    page.locator("#f-html").fill("<p style='color:#0a5c36'>Allô {{ name }} !</p>")
    page.get_by_role("button", name="Aperçu").click()
    expect(page.locator("#preview-subject")).to_be_visible()
    frame = page.frame_locator("#template-preview iframe")
    expect(frame.locator("p", has_text="Allô Marie Tremblay !")).to_be_visible()
    shoot("mail-template-preview")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Modèle enregistré.")
    expect(page.locator("#reset-template")).to_be_visible()


def test_the_branded_subscriber_portal(platform, accounts_db, fast_hasher, admin_api,
                                       accounts_events, browser_page, shoot):
    """Also writes the README's screenshots when SB_DOC_SCREENSHOTS=1."""
    made = make_reseller(accounts_db, fast_hasher, name="Boréal")
    api = ApiClient(platform.base_url).login(made.identifier, made.password)
    logo = files.brand_logo()
    assert api.put("/api/v1/reseller/branding/logo", data=logo,
                   headers={"Content-Type": "image/png"}).status_code == 200
    assert api.put("/api/v1/reseller/branding", json={
        "portal_name": "Boréal Télécom", "primary_color": "#0a5c36",
        "accent_color": "#3b0a45"}).status_code == 200
    api.patch("/api/v1/reseller/settings", json={"support_phone": "+1 800 555 0142",
                                                 "support_email": "aide@boreal.example"})
    customer = api.create_customer(kind="professional", name="Marie Tremblay")
    sign_in_subscriber(platform.base_url, accounts_events, customer, "subscriber-pin-7")
    page = browser_page
    errors = watch_for_errors(page)
    page.goto(f"{platform.base_url}/p/{made.identifier}")
    expect(page).to_have_title(re.compile("Boréal Télécom$"))
    expect(page.locator(".auth-brand img.brand-logo")).to_be_visible()
    expect(page.locator(".footer")).to_contain_text("aide@boreal.example")
    login_shot = shoot("branded-portal-login")
    page.locator("#identifier").fill(customer["identifier"])
    page.locator("#password").fill("subscriber-pin-7")
    page.locator("#password").press("Enter")
    expect(page).to_have_url(f"{platform.base_url}/")
    expect(page.locator(".topbar")).to_have_css("background-color", "rgb(59, 10, 69)")
    expect(page.locator(".topbar img.brand-logo")).to_be_visible()
    expect(page.locator(".footer .support-phone")).to_have_text("+1 800 555 0142")
    home_shot = shoot("branded-portal-home")
    assert errors == []
    if os.environ.get("SB_DOC_SCREENSHOTS") == "1":
        DOC_SHOTS.mkdir(parents=True, exist_ok=True)
        for shot in (login_shot, home_shot):
            shutil.copy(shot, DOC_SHOTS / Path(shot).name)
