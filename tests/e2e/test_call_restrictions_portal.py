"""Call-restriction pages of the portal: the reseller's page, a customer's tab with the
"test a number" box, CSRF, French, and another reseller's customer."""

from __future__ import annotations

import html

import pytest

from tests.e2e.test_call_restrictions import wait_known
from tests.e2e.test_portal_http import Portal
from tests.support import make_reseller


@pytest.fixture
def portal(platform, reseller):
    browser = Portal(platform.base_url)
    assert browser.login(reseller).status_code == 303
    return browser


def test_reseller_page_adds_lists_and_deletes_rules(portal, reseller_api):
    page = portal.get("/call-restrictions")
    assert page.status_code == 200 and 'href="/call-restrictions"' in page.text
    added = portal.submit("/call-restrictions", "/call-restrictions",
                          {"action": "deny", "match": "country", "value": "KP"})
    assert added.status_code == 303
    rules = reseller_api.get("/api/v1/call-restrictions").json()["rules"]
    assert [(r["action"], r["value"]) for r in rules] == [("deny", "KP")]
    assert ">KP<" in portal.get("/call-restrictions").text
    # a bad value re-renders the form with the reason, nothing added
    bad = portal.submit("/call-restrictions", "/call-restrictions",
                        {"action": "deny", "match": "country", "value": "ZZ"})
    assert bad.status_code == 422 and "unknown country code" in html.unescape(bad.text)
    # no CSRF token: refused
    assert portal.post("/call-restrictions", {"action": "deny", "match": "country",
                                              "value": "CU"}).status_code == 403
    deleted = portal.submit("/call-restrictions", f"/call-restrictions/{rules[0]['id']}/delete",
                            {})
    assert deleted.status_code == 303
    assert reseller_api.get("/api/v1/call-restrictions").json()["rules"] == []
    assert portal.submit("/call-restrictions", "/call-restrictions/default",
                         {"action": "deny"}).status_code == 303
    assert reseller_api.get("/api/v1/call-restrictions").json()["default"] == "deny"
    page = portal.get("/call-restrictions").text
    assert 'name="when_unavailable" value="deny" class="primary"' in page  # fail closed
    assert portal.submit("/call-restrictions", "/call-restrictions/default",
                         {"action": "deny", "when_unavailable": "allow"}).status_code == 303
    listed = reseller_api.get("/api/v1/call-restrictions").json()
    assert (listed["default"], listed["when_unavailable"]) == ("deny", "allow")


def test_customer_tab_and_test_box(portal, reseller_api):
    customer = reseller_api.create_customer(country="FR")
    wait_known(reseller_api, customer["id"])
    base = f"/customers/{customer['id']}/call-restrictions"
    tab = portal.get(base)
    assert tab.status_code == 200 and f'href="{base}"' in tab.text
    assert portal.submit(base, base, {"action": "deny", "match": "prefix",
                                      "value": "+44"}).status_code == 303
    tested = portal.get(base, params={"dialed": "00 44 20 7946 0018"})
    text = html.unescape(tested.text)
    assert "+442079460018" in text and "prefix +44" in text and "cr-deny" in text
    assert "customer rule" in text or "règle du client" in text
    emergency = html.unescape(portal.get(base, params={"dialed": "15"}).text)
    assert "cr-allow" in emergency and "emergency" in emergency
    garbage = html.unescape(portal.get(base, params={"dialed": "DROP TABLE"}).text)
    assert "contains 'D'" in garbage


def test_french(platform, reseller, reseller_api):
    browser = Portal(platform.base_url, headers={"Accept-Language": "fr"})
    browser.login(reseller)
    browser.submit("/settings", "/settings/language", {"language": "fr"})
    page = browser.get("/call-restrictions").text
    assert "Restrictions d'appel" in html.unescape(page) and "Ajouter une règle" in page


def test_other_reseller_gets_404(platform, portal, reseller_api, accounts_db, fast_hasher):
    customer = reseller_api.create_customer()
    wait_known(reseller_api, customer["id"])
    other = make_reseller(accounts_db, fast_hasher)
    intruder = Portal(platform.base_url)
    intruder.login(other)
    assert intruder.get(f"/customers/{customer['id']}/call-restrictions").status_code == 404
