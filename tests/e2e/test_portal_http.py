"""The reseller portal over plain HTTP: CSRF, cookies, headers, sign-in, language, scope,
escaping and redirects, against the real platform (gateway → RPC → PostgreSQL)."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.support import (
    ApiClient,
    Platform,
    ResellerLogin,
    free_port,
    make_admin,
    make_reseller,
    unique,
)

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
FLASH_RE = re.compile(r'<div class="notice success" role="status">([^<]*)</div>')


class Portal:
    """A browser-like client of the portal: a cookie jar, and forms posted with their token."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None):
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers.update(headers or {})

    def get(self, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        return self.http.get(self.base_url + path, timeout=15, **kw)

    def post(self, path: str, data: dict[str, str], **kw: Any) -> requests.Response:
        kw.setdefault("allow_redirects", False)
        return self.http.post(self.base_url + path, data=data, timeout=15, **kw)

    def token(self, path: str = "/login") -> str:
        """The CSRF token a page's forms carry, as a user who opened that page would have."""
        resp = self.get(path)
        assert resp.status_code == 200, (path, resp.status_code)
        found = CSRF_RE.search(resp.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def submit(self, page: str, action: str, data: dict[str, str]) -> requests.Response:
        """Open `page`, then post `data` to `action` with the token that page carries."""
        return self.post(action, {**data, "csrf_token": self.token(page)})

    def login(self, user: ResellerLogin, remember: bool = False, next_: str = "/"
              ) -> requests.Response:
        data = {"identifier": user.identifier, "password": user.password, "next": next_}
        if remember:
            data["remember"] = "on"
        resp = self.submit("/login", "/login", data)
        assert resp.status_code == 303, resp.text[:500]
        return resp


def set_cookies(resp: requests.Response) -> dict[str, str]:
    """Raw Set-Cookie headers of one response, by cookie name."""
    out = {}
    for header in resp.raw.headers.getlist("Set-Cookie"):
        out[header.split("=", 1)[0]] = header
    return out


def cookie_attrs(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


@pytest.fixture
def portal(platform: Platform) -> Portal:
    return Portal(platform.base_url)


@pytest.fixture
def signed_in(portal: Portal, reseller: ResellerLogin) -> Portal:
    portal.login(reseller)
    return portal


@pytest.fixture
def reseller_client(platform: Platform, reseller: ResellerLogin) -> ApiClient:
    return ApiClient(platform.base_url).login(reseller.identifier, reseller.password)


# -- CSRF ---------------------------------------------------------------------------------
def test_login_without_or_with_wrong_csrf_token_is_refused(portal, reseller):
    portal.token("/login")  # the sign-in page hands out the pre-session CSRF cookie
    creds = {"identifier": reseller.identifier, "password": reseller.password}
    for data in (creds, {**creds, "csrf_token": "0" * 64}):
        resp = portal.post("/login", data)
        assert resp.status_code == 403
        assert "Ce formulaire a expiré" in resp.text
        assert "sb_session" not in set_cookies(resp)
    # the same credentials with the page's own token do sign in: the 403s were the token
    assert "sb_session" in set_cookies(portal.login(reseller))


def test_logout_without_csrf_token_keeps_the_session(signed_in):
    assert signed_in.post("/logout", {}).status_code == 403
    assert signed_in.post("/logout", {"csrf_token": "forged"}).status_code == 403
    assert signed_in.get("/customers").status_code == 200
    bye = signed_in.submit("/customers", "/logout", {})
    assert bye.status_code == 303 and bye.headers["Location"] == "/login?bye=1"
    assert signed_in.get("/customers").status_code == 303


def test_customer_create_without_csrf_token_creates_nothing(signed_in, reseller_client):
    name = f"Nocsrf {unique()}"
    form = {"kind": "professional", "name": name, "email": f"{unique()}@example.com",
            "start": "trial"}
    assert signed_in.post("/customers/new/confirm", form).status_code == 403
    assert signed_in.post("/customers/new/confirm",
                          {**form, "csrf_token": "a" * 64}).status_code == 403
    found = reseller_client.get("/api/v1/customers", params={"q": name, "kind": "professional"})
    assert found.json()["total"] == 0


def test_customer_close_needs_this_sessions_csrf_token(
        signed_in, reseller_client, platform, accounts_db, fast_hasher):
    customer = reseller_client.create_customer()
    action = f"/customers/{customer['id']}/close"
    confirm = {"confirm": customer["identifier"]}
    # a valid token of somebody else's session is as worthless as none at all
    other = Portal(platform.base_url)
    other.login(make_reseller(accounts_db, fast_hasher))
    foreign = other.token("/customers")
    for data in (confirm, {**confirm, "csrf_token": foreign}):
        assert signed_in.post(action, data).status_code == 403
        status = reseller_client.get(f"/api/v1/customers/{customer['id']}").json()["status"]
        assert status == "trial"
    closed = signed_in.submit(f"/customers/{customer['id']}", action, confirm)
    assert closed.status_code == 303
    assert reseller_client.get(f"/api/v1/customers/{customer['id']}").json()["status"] == "closed"


# -- cookies and headers --------------------------------------------------------------------
def test_session_cookie_is_httponly_samesite_and_not_secure_over_http(portal, reseller):
    resp = portal.login(reseller)
    session = set_cookies(resp)["sb_session"]
    attrs = cookie_attrs(session)
    assert {"httponly", "samesite", "path"} <= attrs
    assert "SameSite=Lax" in session
    # a Secure cookie would never come back over http: signing in would loop
    assert "secure" not in attrs
    assert "Strict-Transport-Security" not in resp.headers


def test_spoofed_forwarded_proto_is_ignored_without_trust_proxy(platform, reseller):
    portal = Portal(platform.base_url, headers={"X-Forwarded-Proto": "https"})
    session = set_cookies(portal.login(reseller))["sb_session"]
    assert "secure" not in cookie_attrs(session)


@pytest.fixture(scope="module")
def proxied_gateway(platform: Platform) -> Iterator[str]:
    """A second gateway, on the same RabbitMQ vhost, told it sits behind a TLS proxy."""
    port = free_port()
    env = {**platform.env, "SB_HTTP_ADDRESS": f"127.0.0.1:{port}", "SB_TRUST_PROXY": "1"}
    proxied = Platform(base_url=f"http://127.0.0.1:{port}", env=env)
    proxied.add("gateway", "gateway.service", suffix="-trustproxy")
    try:
        proxied.wait_healthy()
        yield proxied.base_url
    finally:
        proxied.stop()


def test_session_cookie_is_secure_behind_a_trusted_tls_proxy(proxied_gateway, reseller):
    portal = Portal(proxied_gateway, headers={"X-Forwarded-Proto": "https"})
    first = portal.get("/login")
    csrf_cookie = set_cookies(first)["sb_csrf"]
    assert "secure" in cookie_attrs(csrf_cookie) and "SameSite=Strict" in csrf_cookie
    assert first.headers["Strict-Transport-Security"].startswith("max-age=")
    # requests keeps Secure cookies off plain http, so hand the CSRF cookie over by hand
    seed = csrf_cookie.split(";")[0].split("=", 1)[1]
    token = CSRF_RE.search(first.text).group(1)
    resp = portal.post("/login", {"identifier": reseller.identifier,
                                  "password": reseller.password, "csrf_token": token},
                       cookies={"sb_csrf": seed})
    assert resp.status_code == 303
    session = set_cookies(resp)["sb_session"]
    assert {"secure", "httponly", "samesite"} <= cookie_attrs(session)
    # the same trusted gateway reached over plain http keeps cookies usable over http
    plain = set_cookies(Portal(proxied_gateway).get("/login"))["sb_csrf"]
    assert "secure" not in cookie_attrs(plain)


@pytest.mark.parametrize("path", ["/login", "/customers", "/settings", "/nowhere"])
def test_portal_pages_carry_security_headers(signed_in, path):
    client = signed_in if path != "/login" else Portal(signed_in.base_url)
    resp = client.get(path)
    assert resp.headers["Content-Type"].startswith("text/html")
    csp = resp.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "no-store"


# -- sign-in ----------------------------------------------------------------------------
def test_remember_me_keeps_only_the_identifier(portal, reseller):
    resp = portal.login(reseller, remember=True)
    cookies = set_cookies(resp)
    assert cookies["sb_remember"].startswith(f"sb_remember={reseller.identifier};")
    assert "httponly" in cookie_attrs(cookies["sb_remember"])
    home = portal.get("/")
    everything = list(cookies.values()) + home.raw.headers.getlist("Set-Cookie")
    everything += [c.value for c in portal.http.cookies]
    assert everything and not any(reseller.password in c for c in everything)

    portal.submit("/", "/logout", {})
    form = portal.get("/login").text
    assert f'value="{reseller.identifier}"' in form
    assert re.search(r'name="remember" checked', form)
    assert re.search(r'<input id="password" name="password" type="password"[^>]*>', form)
    assert reseller.password not in form

    # signing in without the box ticked forgets the identifier
    forget = set_cookies(portal.login(reseller))["sb_remember"]
    assert forget.startswith('sb_remember=""') or "Max-Age=0" in forget


def test_wrong_password_gets_401_and_the_generic_message(portal, reseller):
    wrong = portal.submit("/login", "/login", {"identifier": reseller.identifier,
                                               "password": "not-the-password"})
    unknown = portal.submit("/login", "/login", {"identifier": unique("nobody"),
                                                 "password": "whatever"})
    for resp in (wrong, unknown):
        assert resp.status_code == 401
        assert "Identifiant ou NIP incorrect, ou compte fermé." in resp.text
        assert "sb_session" not in set_cookies(resp)
    # the identifier is kept, the password never echoed back
    assert f'value="{reseller.identifier}"' in wrong.text
    assert "not-the-password" not in wrong.text


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/",
                                    "/\\evil.example", "/\t/evil.example", "/\n/evil.example",
                                    "///evil.example", "javascript:alert(1)"])
def test_next_cannot_send_the_user_off_site(portal, reseller, target):
    login_page = portal.get("/login", params={"next": target}).text
    assert 'name="next" value="/"' in login_page
    resp = portal.submit("/login", "/login", {"identifier": reseller.identifier,
                                              "password": reseller.password, "next": target})
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/"


def test_next_brings_the_user_back_to_the_page_asked_for(portal, reseller):
    asked = portal.get("/customers?tab=professional&q=abc")
    assert asked.status_code == 303
    location = asked.headers["Location"]
    assert location == "/login?next=%2Fcustomers%3Ftab%3Dprofessional%26q%3Dabc"
    form = portal.get(location).text
    target = html.unescape(re.search(r'name="next" value="([^"]*)"', form).group(1))
    assert target == "/customers?tab=professional&q=abc"
    assert portal.login(reseller, next_=target).headers["Location"] == target


def test_signed_in_pages_expose_the_idle_timeout(portal, reseller):
    assert "data-idle-timeout" not in portal.get("/login").text
    portal.login(reseller)
    for path in ("/", "/customers", "/settings"):
        assert '<body data-idle-timeout="600">' in portal.get(path).text


# -- language ----------------------------------------------------------------------------
def test_login_page_is_french_by_default_and_english_on_request(platform):
    french = Portal(platform.base_url).get("/login")
    assert '<html lang="fr">' in french.text and "Connexion" in french.text

    portal = Portal(platform.base_url)
    english = portal.get("/login?lang=en")
    assert '<html lang="en">' in english.text and "Sign in" in english.text
    # the choice sticks to the browser for the next visit
    assert "sb_lang=en" in set_cookies(english)["sb_lang"]
    assert "Identifier or e-mail" in portal.get("/login").text

    by_header = Portal(platform.base_url, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="en">' in by_header.get("/login").text


def test_users_language_setting_switches_the_interface(signed_in, platform, reseller):
    assert "<h1>Clients</h1>" in signed_in.get("/customers").text
    saved = signed_in.submit("/settings", "/settings/language", {"language": "en"})
    assert saved.status_code == 303
    settings_page = signed_in.get("/settings").text
    assert FLASH_RE.search(settings_page).group(1) == "Language saved."
    assert "<h1>Customers</h1>" in signed_in.get("/customers").text
    # stored with the user, not the browser: a fresh browser signs in to English pages
    fresh = Portal(platform.base_url)
    fresh.login(reseller)
    assert '<html lang="en">' in fresh.get("/").text


def test_unknown_language_is_refused(signed_in):
    resp = signed_in.submit("/settings", "/settings/language", {"language": "xx"})
    assert resp.status_code == 422
    assert '<html lang="fr">' in signed_in.get("/settings").text


# -- password change ------------------------------------------------------------------------
def test_password_change_requires_the_current_password(signed_in, platform, reseller):
    new = f"new-{uuid.uuid4().hex}"
    wrong = signed_in.submit("/settings", "/settings/password", {
        "current_password": "not-my-password", "new_password": new, "confirm_password": new})
    assert wrong.status_code == 422
    assert "Ce n&#39;est pas votre NIP / mot de passe actuel." in wrong.text
    assert 'aria-invalid="true" aria-describedby="e-current_password"' in wrong.text
    Portal(platform.base_url).login(reseller)  # the old password still works

    changed = signed_in.submit("/settings", "/settings/password", {
        "current_password": reseller.password, "new_password": new, "confirm_password": new})
    assert changed.status_code == 303
    assert signed_in.get("/settings").status_code == 200  # this session is kept
    old = Portal(platform.base_url).submit("/login", "/login", {
        "identifier": reseller.identifier, "password": reseller.password})
    assert old.status_code == 401
    Portal(platform.base_url).login(ResellerLogin(
        reseller.reseller_id, reseller.user_id, reseller.identifier, new, reseller.email))


def test_password_change_needs_matching_entries(signed_in, platform, reseller):
    resp = signed_in.submit("/settings", "/settings/password", {
        "current_password": reseller.password, "new_password": "first-choice-1",
        "confirm_password": "second-choice-2"})
    assert resp.status_code == 422
    assert "Les deux saisies diffèrent." in resp.text
    Portal(platform.base_url).login(reseller)


# -- tenant scope and escaping --------------------------------------------------------------
def test_reseller_cannot_open_another_resellers_customer(
        signed_in, platform, accounts_db, fast_hasher):
    rival = make_reseller(accounts_db, fast_hasher)
    theirs = ApiClient(platform.base_url).login(rival.identifier, rival.password)
    customer = theirs.create_customer()
    page = signed_in.get(f"/customers/{customer['id']}")
    assert page.status_code == 404
    assert customer["name"] not in page.text and customer["email"] not in page.text
    closing = signed_in.submit("/customers", f"/customers/{customer['id']}/close",
                               {"confirm": customer["identifier"]})
    assert closing.status_code == 404
    assert theirs.get(f"/api/v1/customers/{customer['id']}").json()["status"] == "trial"


def test_markup_in_a_customer_name_is_shown_as_text(signed_in, reseller_client):
    evil = "<script>alert(1)</script>"
    customer = reseller_client.create_customer(name=evil, contact_name='"><img src=x>')
    escaped = html.escape(evil, quote=False)
    listing = signed_in.get("/customers", params={"tab": "company",
                                                  "q": customer["identifier"]})
    detail = signed_in.get(f"/customers/{customer['id']}")
    for page in (listing, detail):
        assert page.status_code == 200
        assert escaped in page.text
        assert evil not in page.text
    assert "<img src=x>" not in detail.text
    assert "&#34;&gt;&lt;img src=x&gt;" in detail.text


def test_markup_in_the_created_flash_is_escaped(signed_in):
    evil = f"<b>{unique()}</b>"
    resp = signed_in.submit("/customers/new", "/customers/new/confirm", {
        "kind": "professional", "name": evil, "email": f"{unique()}@example.com",
        "start": "trial"})
    assert resp.status_code == 303
    page = signed_in.get(resp.headers["Location"]).text
    assert FLASH_RE.search(page).group(1) == f"Compte {html.escape(evil)} créé."



# -- reopening -----------------------------------------------------------------------------
def test_only_the_administrator_sees_and_uses_reopen(
        signed_in, reseller_client, platform, accounts_db, fast_hasher):
    customer = reseller_client.create_customer()
    page = f"/customers/{customer['id']}"
    signed_in.submit(page, f"{page}/close", {"confirm": customer["identifier"]})
    assert "reopen-customer" not in signed_in.get(page).text
    assert signed_in.submit(page, f"{page}/reopen", {}).status_code == 403

    admin = Portal(platform.base_url)
    admin.login(make_admin(accounts_db, fast_hasher))
    assert 'id="reopen-customer"' in admin.get(page).text
    done = admin.submit(page, f"{page}/reopen", {})
    assert done.status_code == 303
    assert reseller_client.get(f"/api/v1{page}").json()["status"] == "production"
