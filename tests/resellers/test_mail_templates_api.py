"""Editable mail templates end to end: the administrator's defaults, a reseller's override,
checks on save, the preview, isolation between resellers, and the fallback at send time."""

from __future__ import annotations

import time

import pytest

from tests.support import ApiClient, make_reseller, unique


@pytest.fixture
def reseller_pair(platform, accounts_db, fast_hasher):
    a, b = make_reseller(accounts_db, fast_hasher), make_reseller(accounts_db, fast_hasher)
    return (ApiClient(platform.base_url).login(a.identifier, a.password),
            ApiClient(platform.base_url).login(b.identifier, b.password))


def _welcome(html: str, subject: str = "Bienvenue {{ name }}") -> dict[str, str]:
    return {"subject": subject, "html": html, "text": "Texte {{ account }}"}


def test_listing_shows_every_kind_and_language_with_its_origin(reseller_api):
    items = reseller_api.get("/api/v1/mail-templates").json()["items"]
    assert {(i["kind"], i["language"]) for i in items} == {
        (k, lang) for k in ("access_codes", "reset", "welcome", "trial_ending",
                            "trial_ends_today", "statement")
        for lang in ("fr", "en")}
    one = reseller_api.get("/api/v1/mail-templates/reset/en").json()
    assert "link" in one["variables"] and "{{ link }}" in one["html"]
    assert reseller_api.get("/api/v1/mail-templates/nope/en").status_code == 404
    assert reseller_api.get("/api/v1/mail-templates/reset/de").status_code == 404


@pytest.mark.parametrize("html, words", [
    ("{{ ''.__class__ }}", "underscore"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "underscore"),
    ("{{ password }}", "unknown variable"),
    ("{% for %}", "syntax error"),
])
def test_unsafe_templates_are_refused_on_save_and_preview(reseller_api, html, words):
    for method, path in (("put", "/api/v1/mail-templates/welcome/fr"),
                         ("post", "/api/v1/mail-templates/welcome/fr/preview")):
        resp = getattr(reseller_api, method)(path, json=_welcome(html))
        assert resp.status_code == 422, resp.text
        assert words in resp.json()["message"]
        assert resp.json()["details"][0]["field"] == "html"
    assert reseller_api.get("/api/v1/mail-templates/welcome/fr").json()["origin"] != "own"


def test_preview_renders_sample_data_in_the_callers_brand(reseller_api):
    shown = reseller_api.post("/api/v1/mail-templates/welcome/en/preview",
                              json=_welcome("<p>Hi {{ name }} of {{ brand.name }}</p>"))
    assert shown.status_code == 200, shown.text
    assert "Hi Marie Tremblay of " in shown.json()["html"]
    assert shown.json()["subject"] == "Bienvenue Marie Tremblay"


def test_an_override_is_the_resellers_alone_and_the_admin_default_applies_to_others(
        admin_api, reseller_pair):
    a, b = reseller_pair
    tag = unique("tpl")
    assert a.put("/api/v1/mail-templates/statement/en", json={
        "subject": f"A {tag}", "html": "<p>A {{ name }}</p>",
        "text": "A"}).json()["origin"] == "own"
    assert b.get("/api/v1/mail-templates/statement/en").json()["subject"] != f"A {tag}"
    default = admin_api.put("/api/v1/mail-templates/statement/en", json={
        "subject": f"Platform {tag}", "html": "<p>P {{ name }}</p>", "text": "P"})
    assert default.status_code == 200 and default.json()["origin"] == "own"
    seen_by_b = b.get("/api/v1/mail-templates/statement/en").json()
    assert (seen_by_b["origin"], seen_by_b["subject"]) == ("platform", f"Platform {tag}")
    assert a.get("/api/v1/mail-templates/statement/en").json()["subject"] == f"A {tag}"
    # reset: back to the level above
    assert a.delete("/api/v1/mail-templates/statement/en").json()["origin"] == "platform"
    assert admin_api.delete("/api/v1/mail-templates/statement/en").json()["origin"] == \
        "builtin"


def test_an_override_is_used_and_one_failing_at_send_time_falls_back_and_is_reported(
        platform, smtp, reseller_api):
    tag = unique("w")
    saved = reseller_api.put("/api/v1/mail-templates/welcome/en", json={
        "subject": "Welcome aboard {{ account }}",
        "html": f"<p>{tag} {{{{ name }}}}</p>{{% if trial_ends is none %}}{{{{ 1 // 0 }}}}"
                "{% endif %}",
        "text": f"{tag} {{{{ name }}}}"})
    assert saved.status_code == 200, saved.text
    trial = reseller_api.create_customer(language="en", start="trial")
    found = smtp.wait_for(lambda m: trial["email"] in str(m["To"]), timeout=20)
    assert found and "Welcome aboard" in str(found[0]["Subject"])
    assert tag in found[0].get_body(("plain",)).get_content()

    production = reseller_api.create_customer(language="en", start="production")
    found = smtp.wait_for(lambda m: production["email"] in str(m["To"]), timeout=20)
    assert found, "a failing template blocked the mail"
    assert "Welcome to" in str(found[0]["Subject"])  # the built-in one
    deadline = time.monotonic() + 10
    while True:
        log = reseller_api.get("/api/v1/mail-log",
                               params={"customer_id": production["id"]}).json()["items"]
        if log:
            break
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert "ZeroDivisionError" in (log[0]["template_error"] or "")
