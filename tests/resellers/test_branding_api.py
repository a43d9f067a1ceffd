"""Branding end to end: uploads (re-encoded, hostile files refused and nothing stored),
colours checked for contrast, and the brand on what subscribers see: their portal pages,
their e-mails and PDFs; the portal on the reseller's own host name and under /p/<name>;
the chat widget and its Content-Security-Policy."""

from __future__ import annotations

import io
import time
import uuid

import pypdf
import pytest
import requests
from PIL import Image

from sbcommon.actor import sign_actor
from tests.resellers import images as files
from tests.support import ApiClient, make_reseller, sign_in_subscriber

CRISP_ID = "2f0c1e5a-8a31-4c6e-9d2b-1f5e6a7b8c9d"


@pytest.fixture
def brand_owner(platform, accounts_db, fast_hasher):
    made = make_reseller(accounts_db, fast_hasher, name="Boréal")
    client = ApiClient(platform.base_url).login(made.identifier, made.password)
    client.reseller = made  # type: ignore[attr-defined]
    return client


def upload(client: ApiClient, kind: str, data: bytes, mimetype: str = "image/png"):
    return client.put(f"/api/v1/reseller/branding/{kind}", data=data,
                      headers={"Content-Type": mimetype})


def test_a_logo_is_stored_re_encoded_and_served_publicly(platform, brand_owner):
    original = files.png(text_chunk=b"gps-and-camera-metadata")
    saved = upload(brand_owner, "logo", original)
    assert saved.status_code == 200, saved.text
    assert saved.json()["logo"] is True
    rid = brand_owner.reseller.reseller_id
    served = requests.get(f"{platform.base_url}/brand/{rid}/logo.png", timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(served.content)).size == (120, 40)
    assert b"gps-and-camera-metadata" not in served.content and served.content != original
    for make, mimetype in ((files.jpeg, "image/jpeg"), (files.webp, "image/webp"),
                           (files.ico, "image/x-icon")):
        assert upload(brand_owner, "favicon", make(), mimetype).status_code == 200


@pytest.mark.parametrize("data, mimetype, words", [
    (files.PNG_WITH_SCRIPT, "image/png", "after the end of the image"),
    (files.SVG_WITH_SCRIPT, "image/svg+xml", "SVG"),
    (files.huge_png_header(), "image/png", "megapixels"),
    (files.NOT_AN_IMAGE, "image/png", "not an image"),
])
def test_hostile_uploads_are_refused_clearly_and_nothing_is_stored(brand_owner, data, mimetype,
                                                                  words):
    before = brand_owner.get("/api/v1/reseller/branding").json()
    refused = upload(brand_owner, "logo", data, mimetype)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert words in body["message"] and body["details"][0]["field"] == "logo"
    after = brand_owner.get("/api/v1/reseller/branding").json()
    assert after == before  # no logo, same version: nothing stored, no event


def test_uploads_too_large_or_of_the_wrong_type_are_refused_before_decoding(brand_owner):
    too_big = upload(brand_owner, "logo", b"\x89PNG" + b"\x00" * (2 * 1024 * 1024 + 10))
    assert too_big.status_code == 413
    wrong = brand_owner.put("/api/v1/reseller/branding/logo", json={"content": "x"})
    assert wrong.status_code == 415


def test_colours_must_be_readable(brand_owner):
    refused = brand_owner.put("/api/v1/reseller/branding", json={"primary_color": "#ffe14d"})
    assert refused.status_code == 422
    assert refused.json()["details"][0]["field"] == "primary_color"
    assert "4.5:1" in refused.json()["details"][0]["message"]
    assert brand_owner.put("/api/v1/reseller/branding",
                           json={"primary_color": "not-a-colour"}).status_code == 422
    ok = brand_owner.put("/api/v1/reseller/branding", json={
        "portal_name": "Boréal Mobile", "primary_color": "#0A5C36", "accent_color": "#3b0a45"})
    assert ok.status_code == 200 and ok.json()["primary_color"] == "#0a5c36"


def _branded(brand_owner) -> dict:
    rid = brand_owner.reseller.reseller_id
    assert upload(brand_owner, "logo", files.png(200, 60, (120, 10, 60))).status_code == 200
    brand_owner.put("/api/v1/reseller/branding", json={
        "portal_name": f"Boréal {rid[:4]}", "primary_color": "#0a5c36",
        "accent_color": "#3b0a45"})
    brand_owner.patch("/api/v1/reseller/settings", json={
        "support_phone": "+1 800 555 0142", "support_email": f"help-{rid[:6]}@boreal.example"})
    return brand_owner.get("/api/v1/reseller/branding").json()


def portal_session(base_url: str, subscriber: ApiClient) -> requests.Session:
    web = requests.Session()
    web.cookies.set("sb_session", subscriber.token)
    return web


def test_a_subscribers_portal_page_email_and_pdf_wear_the_resellers_brand(
        platform, smtp, rpc, brand_owner, accounts_events):
    look = _branded(brand_owner)
    rid = brand_owner.reseller.reseller_id
    support = f"help-{rid[:6]}@boreal.example"
    customer = brand_owner.create_customer(language="en", start="production")
    subscriber = sign_in_subscriber(platform.base_url, accounts_events, customer)

    page = portal_session(platform.base_url, subscriber).get(f"{platform.base_url}/",
                                                             timeout=10)
    assert page.status_code == 200
    assert f"/brand/{rid}/logo.png?v={look['version']}" in page.text
    assert f"/brand/{rid}/theme.css" in page.text and look["portal_name"] in page.text
    assert support in page.text and "+1 800 555 0142" in page.text
    css = requests.get(f"{platform.base_url}/brand/{rid}/theme.css", timeout=10)
    assert css.headers["Content-Type"].startswith("text/css")
    assert "#0a5c36" in css.text and "#3b0a45" in css.text

    # notifications learns the brand from accounts' event, then mails and PDFs show it
    actor = sign_actor(brand_owner.get("/api/v1/auth/session").json()["actor"])
    deadline = time.monotonic() + 15
    while rpc.notifications.get_branding(actor)["support_email"] != support:
        assert time.monotonic() < deadline, "notifications never learned the brand"
        time.sleep(0.2)
    sent = brand_owner.post(f"/api/v1/customers/{customer['id']}/emails/statement")
    assert sent.status_code in (200, 202), sent.text
    found = smtp.wait_for(lambda m: customer["email"] in str(m["To"])
                          and "statement" in str(m["Subject"]).lower(), timeout=30)
    assert found, "no statement e-mail"
    msg = found[0]
    html = msg.get_body(("html",)).get_content()
    assert f"/brand/{rid}/logo.png?v=" in html and "#3b0a45" in html
    assert support in html and look["portal_name"] in str(msg["From"])
    pdf = next(p for p in msg.walk() if p.get_content_type() == "application/pdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf.get_payload(decode=True)))
    first = reader.pages[0]
    assert len(first.images) >= 1, "the PDF has no logo"
    text = first.extract_text()
    assert look["portal_name"] in text and support in text


def test_the_portal_is_branded_on_the_resellers_host_name_and_under_its_path(
        platform, admin_api, brand_owner):
    look = _branded(brand_owner)
    made = brand_owner.reseller
    host = f"portal-{uuid.uuid4().hex[:8]}.boreal.example"
    assert admin_api.patch(f"/api/v1/admin/resellers/{made.reseller_id}",
                           json={"host_name": host}).status_code == 200
    by_host = requests.get(f"{platform.base_url}/login", headers={"Host": host}, timeout=10)
    assert by_host.status_code == 200 and look["portal_name"] in by_host.text
    assert f'name="portal" value="{made.identifier}"' in by_host.text
    by_path = requests.get(f"{platform.base_url}/p/{made.identifier}", timeout=10)
    assert by_path.status_code == 200 and look["portal_name"] in by_path.text
    plain = requests.get(f"{platform.base_url}/login", timeout=10)
    assert look["portal_name"] not in plain.text and "Switchboard" in plain.text
    unknown = requests.get(f"{platform.base_url}/p/no-such-portal-{uuid.uuid4().hex[:6]}",
                           timeout=10)
    assert unknown.status_code == 404


def test_the_chat_widget_loads_only_once_enabled_with_a_policy_for_its_provider(
        platform, admin_api, brand_owner):
    made = brand_owner.reseller
    refused = brand_owner.put("/api/v1/reseller/branding", json={
        "chat_provider": "crisp", "chat_site_id": "<script>alert(1)</script>"})
    assert refused.status_code == 422 and refused.json()["details"][0]["field"] in (
        "chat_site_id", "body.chat_site_id")
    assert brand_owner.put("/api/v1/reseller/branding", json={
        "chat_provider": "evil", "chat_site_id": CRISP_ID}).status_code == 422
    assert brand_owner.put("/api/v1/reseller/branding", json={
        "chat_provider": "crisp", "chat_site_id": CRISP_ID}).status_code == 200
    page = requests.get(f"{platform.base_url}/p/{made.identifier}", timeout=10)
    assert "sb-chat" not in page.text  # configured, not enabled by the administrator
    assert "crisp" not in page.headers["Content-Security-Policy"]

    admin_api.patch(f"/api/v1/admin/resellers/{made.reseller_id}", json={"chat_enabled": True})
    page = requests.get(f"{platform.base_url}/p/{made.identifier}", timeout=10)
    csp = page.headers["Content-Security-Policy"]
    assert 'id="sb-chat"' in page.text and CRISP_ID in page.text
    assert "script-src 'self' https://client.crisp.chat" in csp
    assert "tawk" not in csp and "tidio" not in csp and "frame-ancestors 'none'" in csp
    staff = requests.Session()
    staff.cookies.set("sb_session", brand_owner.token)
    assert "client.crisp.chat" not in staff.get(
        f"{platform.base_url}/", timeout=10).headers["Content-Security-Policy"]
