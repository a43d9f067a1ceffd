"""Every portal page is accessible: each page a role can reach, crawled from its home page
and signed in as that role (system administrator, reseller, subscriber), passes the axe-core
engine with no serious or critical violation; sign-in and the main menu work from the
keyboard alone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from sbcommon.config import amqp_uri
from tests.support import (
    ApiClient,
    EventListener,
    ResellerLogin,
    make_admin,
    make_reseller,
    sign_in_subscriber,
)

BLOCKING = {"serious", "critical"}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MAX_PAGES = 40  # per role; a crawl that grows past it has found a link loop
PIN = "subscriber-pin-1"
AXE = Axe()  # axe-core ships inside the package: nothing is downloaded


@dataclass
class World:
    admin: ResellerLogin
    reseller: ResellerLogin
    subscriber: tuple[str, str]  # identifier, PIN
    import_id: int
    company_id: str = ""
    user_import_id: int = 0


@pytest.fixture(scope="module")
def world(platform, accounts_db, fast_hasher) -> World:
    """A reseller with something on every page: a company account with a device, numbers
    (one assigned), a finished import, a call restriction, an organisation it belongs to; a
    professional account whose subscriber has chosen a PIN; and a system administrator."""
    reseller = make_reseller(accounts_db, fast_hasher, name="Accessible")
    api = ApiClient(platform.base_url).login(reseller.identifier, reseller.password)
    company = api.create_customer()
    base = f"/api/v1/customers/{company['id']}"
    device = api.post(f"{base}/devices", json={"name": "Front desk", "model": "yealink-t46u",
                                               "mac": "001565" + uuid.uuid4().hex[:6]})
    assert device.status_code == 201, device.text
    imported = api.post("/api/v1/numbers/import", data=b"+15145550170\n+15145550171\nnot one\n",
                        headers={"Content-Type": "text/plain"})
    assert imported.status_code == 200, imported.text
    assigned = api.post(f"{base}/numbers", json={"numbers": ["+15145550170"]})
    assert assigned.status_code == 201, assigned.text
    person = api.post(f"{base}/users", json={"email": f"{uuid.uuid4().hex[:8]}@a11y.example",
                                             "first_name": "Ada", "last_name": "Access",
                                             "extension": "301"})
    assert person.status_code == 201, person.text
    assert api.put(f"{base}/numbers/%2B15145550170/user",
                   json={"user_id": person.json()["id"]}).status_code == 200
    assert api.post("/api/v1/call-restrictions", json={
        "action": "deny", "match": "prefix", "value": "+53"}).status_code == 201
    organisation = api.post("/api/v1/organisations", json={"name": "Head office & branches"})
    assert organisation.status_code == 201, organisation.text
    linked = api.put(f"/api/v1/organisations/{organisation.json()['id']}/members/"
                     f"{company['id']}")
    assert linked.status_code == 200, linked.text
    users = api.post("/api/v1/customers/imports", params={"customer_id": company["id"]},
                     headers={"Content-Type": "text/csv"}, timeout=60, data=(
                         b"User Id,Last Name,First Name,Phone Number,Extension,Email Address\n"
                         b"u1@a11y,Lavoie,Sophie,,201,sophie.lavoie@a11y.example\n"
                         b"u2@a11y,Roy,Jean,,2x,jean.roy@a11y.example\n"))
    assert users.status_code == 201, users.text
    listener = EventListener(amqp_uri(), "accounts")
    try:
        professional = api.create_customer(kind="professional")
        sign_in_subscriber(platform.base_url, listener, professional, PIN)
    finally:
        listener.close()
    # Locked settings: the subscriber's pages show the lock and disabled forms, and the
    # reseller's audit log has entries.
    assert api.put(f"/api/v1/customers/{professional['id']}/lock").status_code == 200
    return World(admin=make_admin(accounts_db, fast_hasher), reseller=reseller,
                 subscriber=(professional["identifier"], PIN),
                 import_id=imported.json()["import_id"], company_id=company["id"],
                 user_import_id=users.json()["import_id"])


# A template that glues two attributes ("requiredaria-invalid") loses both without a trace.
GLUED = r"^(required|checked|selected|disabled|autofocus|readonly|hidden|novalidate)[a-z]"


def blocking_violations(page: Any) -> list[str]:
    results = AXE.run(page)
    problems = [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"] if v["impact"] in BLOCKING
    ]
    glued = page.evaluate("""(pattern) => [...document.querySelectorAll('*')].flatMap(
        el => el.getAttributeNames().filter(name => new RegExp(pattern).test(name))
                .map(name => `<${el.tagName.toLowerCase()} ${name}>`))""", GLUED)
    return problems + [f"{page.url}: glued attributes {item}" for item in glued]


def sign_in(page: Any, base_url: str, identifier: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.locator("#identifier").fill(identifier)
    page.locator("#password").fill(password)
    page.locator("#password").press("Enter")
    expect(page).to_have_url(f"{base_url}/")


def crawl(page: Any, base_url: str) -> Iterator[str]:
    """Visits every page the signed-in user can reach by links, one per route shape (a
    customer's page once, not once per customer), and yields each once it is loaded."""
    queue, seen = ["/"], set()
    while queue:
        path = queue.pop(0)
        shape = UUID.sub("{id}", path)
        if shape in seen:
            continue
        seen.add(shape)
        assert len(seen) <= MAX_PAGES, sorted(seen)
        response = page.goto(base_url + path)
        assert response.status == 200, path
        yield path
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            url = urlsplit(href)
            if (url.netloc == urlsplit(base_url).netloc and not url.path.startswith("/static/")
                    and not url.path.endswith((".csv", ".pdf"))):
                queue.append(url.path)


def role_login(world: World, role: str) -> tuple[str, str]:
    if role == "admin":
        return world.admin.identifier, world.admin.password
    if role == "reseller":
        return world.reseller.identifier, world.reseller.password
    return world.subscriber


@pytest.mark.browser
@pytest.mark.parametrize("role", ["admin", "reseller", "subscriber"])
def test_every_page_a_role_reaches_has_no_serious_accessibility_violation(
        platform, world, browser_page, role):
    page, base = browser_page, platform.base_url
    sign_in(page, base, *role_login(world, role))
    problems, visited = [], []
    for path in crawl(page, base):
        visited.append(path)
        problems += blocking_violations(page)
    # pages no link leads to: a report, an error page, the wizard's second step, forms
    # shown again with their errors
    page.goto(f"{base}/no-such-page")
    problems += blocking_violations(page)
    if role == "reseller":
        page.goto(f"{base}/numbers/imports/{world.import_id}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        problems += blocking_violations(page)
        page.goto(f"{base}/customers/imports/{world.user_import_id}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        problems += blocking_violations(page)
        page.goto(f"{base}/customers/new")
        page.locator("#f-name").fill("Accessible Inc.")
        page.locator("#f-email").fill("not an e-mail")
        page.get_by_role("button", name="Continuer").click()
        expect(page.locator("#f-email")).to_have_attribute("aria-invalid", "true")
        problems += blocking_violations(page)
        page.locator("#f-email").fill("a11y@example.com")
        page.get_by_role("button", name="Continuer").click()
        expect(page.locator('.steps li[aria-current="step"]')).to_contain_text("2")
        problems += blocking_violations(page)
        # the Users tab's form shown again with a taken extension
        page.goto(f"{base}/customers/{world.company_id}/users")
        page.locator("#f-first_name").fill("Taken")
        page.locator("#f-email").fill(f"{uuid.uuid4().hex[:8]}@a11y.example")
        page.locator("#f-extension").fill("301")
        page.locator("form[method=post][action$='/users'] button[type=submit]").click()
        expect(page.locator("#f-extension")).to_have_attribute("aria-invalid", "true")
        page.goto(f"{base}/organisations")
        page.locator("form[action='/organisations'] button[type=submit]").click()
        expect(page.locator("#f-name")).to_have_attribute("aria-invalid", "true")
        problems += blocking_violations(page)
    page.goto(f"{base}/settings")
    page.locator("form[action='/settings/password'] button[type=submit]").click()
    problems += blocking_violations(page)
    expected = {"admin": 6, "reseller": 10, "subscriber": 4}[role]
    assert len(visited) >= expected, visited
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
def test_the_pages_of_a_direct_access_have_no_serious_accessibility_violation(
        platform, world, browser_page):
    """Inside a subscriber's account as its reseller: every page wears the banner."""
    page, base = browser_page, platform.base_url
    sign_in(page, base, world.reseller.identifier, world.reseller.password)
    page.goto(f"{base}/customers/{world.company_id}")
    page.locator("#open-direct-access").click()
    expect(page.locator(".support-banner")).to_be_visible()
    problems, visited = [], []
    for path in crawl(page, base):
        visited.append(path)
        expect(page.locator(".support-banner")).to_be_visible()
        problems += blocking_violations(page)
    page.locator("#leave-direct-access").click()
    expect(page).to_have_url(f"{base}/customers/{world.company_id}")
    page.goto(f"{base}/audit-log?customer_id={world.company_id}")
    expect(page.locator("table.audit-log")).to_be_visible()
    problems += blocking_violations(page)
    assert len(visited) >= 4, visited
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["fr-CA", "en-US"])
def test_the_signed_out_pages_have_no_serious_accessibility_violation(
        platform, chromium, locale):
    context = chromium.new_context(locale=locale)
    page, base = context.new_page(), platform.base_url
    problems = []
    try:
        for path in ("/login", "/forgot", "/reset?token=expired", "/no-such-page"):
            page.goto(base + path)
            expect(page.locator("html")).to_have_attribute("lang", locale[:2])
            problems += blocking_violations(page)
        page.goto(f"{base}/login")
        page.locator("#identifier").fill("nobody")
        page.locator("#password").fill("wrong password")
        page.locator("#password").press("Enter")
        expect(page.get_by_role("alert")).to_be_visible()
        problems += blocking_violations(page)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.browser
@pytest.mark.parametrize("locale,title", [("fr-CA", "Votre compte est suspendu"),
                                          ("en-US", "Your account is suspended")])
def test_the_suspension_page_has_no_serious_accessibility_violation(
        platform, accounts_db, fast_hasher, chromium, locale, title):
    """A suspended subscriber signing in gets its reseller's suspension page, not the
    portal."""
    reseller = make_reseller(accounts_db, fast_hasher, name="Suspending")
    api = ApiClient(platform.base_url).login(reseller.identifier, reseller.password)
    assert api.patch("/api/v1/reseller/settings", json={
        "support_phone": "+1 800 555 0111"}).status_code == 200
    listener = EventListener(amqp_uri(), "accounts")
    try:
        customer = api.create_customer(kind="professional")
        sign_in_subscriber(platform.base_url, listener, customer, PIN)
    finally:
        listener.close()
    assert api.patch(f"/api/v1/customers/{customer['id']}",
                     json={"status": "suspended"}).status_code == 200
    context = chromium.new_context(locale=locale)
    page, base = context.new_page(), platform.base_url
    try:
        page.goto(f"{base}/login")
        page.locator("#identifier").fill(customer["identifier"])
        page.locator("#password").fill(PIN)
        page.locator("#password").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        expect(page.locator(".support-phone").first).to_have_text("+1 800 555 0111")
        problems = blocking_violations(page)
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


def focused(page: Any) -> dict[str, Any]:
    """What has the keyboard focus, and whether it shows (an outline or a box shadow)."""
    return page.evaluate("""() => {
        const el = document.activeElement, style = getComputedStyle(el);
        return {tag: el.tagName.toLowerCase(), id: el.id, text: el.textContent.trim(),
                href: el.getAttribute('href'),
                visible: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                         || style.boxShadow !== 'none'};
    }""")


def tab_to(page: Any, matches: Any, limit: int = 25) -> dict[str, Any]:
    """Presses Tab until the focused element matches; fails if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if matches(now):
            assert now["visible"], f"no visible focus on {now}"
            return now
    raise AssertionError(f"Tab never reached the element; last focus: {focused(page)}")


@pytest.mark.browser
def test_sign_in_and_the_main_menu_work_from_the_keyboard_alone(platform, world, browser_page):
    page, base = browser_page, platform.base_url
    page.goto(f"{base}/login")
    assert focused(page)["id"] == "identifier"  # the form starts where the user types
    page.keyboard.type(world.reseller.identifier)
    tab_to(page, lambda f: f["id"] == "password")
    page.keyboard.type(world.reseller.password)
    tab_to(page, lambda f: f["tag"] == "button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/")

    menu = page.get_by_role("navigation", name="Menu principal").get_by_role("link")
    links = [(menu.nth(i).inner_text(), menu.nth(i).get_attribute("href"))
             for i in range(menu.count())]
    assert len(links) >= 5, links
    for name, href in links:
        tab_to(page, lambda f, href=href: f["tag"] == "a" and f["href"] == href)
        page.keyboard.press("Enter")
        expect(page).to_have_url(base + href)
        expect(page.get_by_role("link", name=name, exact=True).first).to_have_attribute(
            "aria-current", "page")

    # the account menu opens from the keyboard and signs out
    tab_to(page, lambda f: f["tag"] == "summary")
    page.keyboard.press("Enter")
    tab_to(page, lambda f: f["id"] == "signout")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{base}/login?bye=1")
