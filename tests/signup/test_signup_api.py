"""The public sign-up over HTTP: links (tampered, revoked, another reseller's), the JSON
API, the time trap, the honeypot, the per-address limit, the answer for an address that
already has an account, and verification (reused, expired, concurrent)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import text

from tests.catalogue.conftest import ok
from tests.signup.conftest import (
    old_form_token,
    signup_body,
    start,
    verification_link,
)
from tests.support import ApiClient, make_reseller, wait_until


def _verify_token(url: str) -> str:
    return url.split("token=", 1)[1]


def _complete(base_url: str, verify_url: str, pin: str = "new-pin-2026") -> requests.Response:
    """Open the verification page (a browser-like session: CSRF cookie), post the PIN."""
    http = requests.Session()
    page = http.get(verify_url, timeout=15)
    assert page.status_code == 200, page.text[:500]
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    action = verify_url.split("?", 1)[0]
    return http.post(action, data={"csrf_token": csrf, "token": _verify_token(verify_url),
                                   "new_password": pin, "confirm_password": pin}, timeout=30)


def test_json_signup_creates_a_production_account_with_plan_and_numbers(
        platform, signup_shop, smtp, databases):
    shop = signup_shop
    body = signup_body(shop, numbers=shop.numbers[:2], identifier=f"id{int(time.time())}")
    resp = start(platform.base_url, body)
    assert resp.status_code == 202, resp.text
    assert resp.headers["Access-Control-Allow-Origin"] == "*"
    # nothing exists before the address is verified
    with databases["accounts"]() as session:
        assert session.execute(text("SELECT count(*) FROM customers WHERE email = :e"),
                               {"e": body["email"]}).scalar() == 0
    url = verification_link(smtp, body["email"])
    assert f"/p/{shop.shop.login.identifier}/signup/verify?token=" in url
    done = _complete(platform.base_url, url)
    assert done.status_code == 200, done.text[:800]
    assert body["identifier"] in done.text
    subscriber = ApiClient(platform.base_url).login(body["identifier"], "new-pin-2026")
    me = ok(subscriber.get("/api/v1/auth/session"))
    cid = me["user"]["customer_id"]
    customer = ok(subscriber.get(f"/api/v1/customers/{cid}"))
    assert customer["status"] == "production" and customer["kind"] == "company"
    wait_until(lambda: _numbers(subscriber, cid) == sorted(shop.numbers[:2]), timeout=20,
               message="the held numbers assigned")
    wait_until(lambda: ok(subscriber.get(f"/api/v1/customers/{cid}/subscription"))["lines"],
               timeout=20, message="the subscription started")
    sub = ok(subscriber.get(f"/api/v1/customers/{cid}/subscription"))
    assert [line["item_id"] for line in sub["lines"]] == [shop.shop.items["plan"]["id"]]
    assert [p["promotion_id"] for p in sub["promotions"]] == [shop.shop.promotion["id"]]
    # the verification mail and page said everything: no "access codes follow" welcome
    subjects = [str(m["Subject"]) for m in smtp.to(body["email"])]
    assert len(subjects) == 1 and subjects[0].startswith("Confirm your e-mail address"), \
        subjects
    with databases["accounts"]() as session:
        row = session.execute(text("SELECT terms_version, terms_accepted_at, state FROM signups "
                                   "WHERE customer_id = :c"), {"c": cid}).one()
    assert row.terms_version and row.terms_accepted_at and row.state == "completed"


def _numbers(client: ApiClient, customer_id: str) -> list[str]:
    got = client.get(f"/api/v1/customers/{customer_id}/numbers")
    return sorted(n["number"] for n in got.json()["numbers"]) if got.status_code == 200 else []


def _tampered(token: str) -> list[str]:
    """The token with one character changed in its id, its key id and its signature."""
    def swap(i: int) -> str:
        c = token[i]
        return token[:i] + ("a" if c != "a" else "b") + token[i + 1:]
    dots = [i for i, c in enumerate(token) if c == "."]
    return [swap(0), swap(dots[0] + 1), swap(len(token) - 1)]


def test_a_tampered_link_is_refused(platform, signup_shop):
    for bad in _tampered(signup_shop.token):
        resp = start(platform.base_url, signup_body(signup_shop, link=bad))
        assert resp.status_code == 404, resp.text
        assert resp.json()["error"] == "not_found"
        page = requests.get(f"{platform.base_url}/signup/{bad}", timeout=15)
        assert page.status_code == 404
    assert requests.get(signup_shop.link["url"], timeout=15).status_code == 200


def test_a_revoked_link_is_refused(platform, signup_shop, smtp):
    api = signup_shop.shop.api
    ok(api.delete(f"/api/v1/signup-links/{signup_shop.link['id']}"), 204)
    body = signup_body(signup_shop)
    assert start(platform.base_url, body).status_code == 404
    assert requests.get(signup_shop.link["url"], timeout=15).status_code == 404
    assert signup_shop.link["id"] not in {
        link["id"] for link in ok(api.get("/api/v1/signup-links"))["items"]}
    assert api.delete(f"/api/v1/signup-links/{signup_shop.link['id']}").status_code == 404
    time.sleep(1)
    assert smtp.to(body["email"]) == []


def test_another_reseller_cannot_list_or_revoke_your_links(platform, signup_shop, accounts_db,
                                                          fast_hasher):
    other = make_reseller(accounts_db, fast_hasher, name="Other")
    b = ApiClient(platform.base_url).login(other.identifier, other.password)
    assert ok(b.get("/api/v1/signup-links"))["items"] == []
    refused = b.delete(f"/api/v1/signup-links/{signup_shop.link['id']}")
    assert refused.status_code == 404, refused.text
    assert signup_shop.link["id"] not in refused.text
    page = b.get("/signup-links")  # the portal page needs a cookie; the API token is no use
    assert signup_shop.token not in page.text
    mine = ok(signup_shop.shop.api.get("/api/v1/signup-links"))["items"]
    assert signup_shop.link["id"] in {link["id"] for link in mine}


def test_a_link_preselects_only_what_the_reseller_offers(signup_shop):
    api = signup_shop.shop.api
    device = signup_shop.shop.items["device"]["id"]  # offered, but not a plan
    bad = api.post("/api/v1/signup-links", json={"kind": "professional", "plan_id": device})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "plan_id"
    bad = api.post("/api/v1/signup-links", json={"kind": "company",
                                                 "promotion_id": "no-such-promotion"})
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "promotion_id"
    bad = api.post("/api/v1/signup-links", json={"kind": "custom", "label": "Help",
                                                 "url": "javascript:alert(1)"})
    assert bad.status_code == 422 and "url" in bad.text


def test_the_time_trap_refuses_a_form_sent_too_fast(platform, signup_shop, smtp):
    fresh = ApiClient(platform.base_url).get("/api/v1/public/signup/form-token").json()
    assert fresh["min_seconds"] >= 1
    for token in (fresh["form_token"], "", "123.dev.AAAAAAAAAAAAAAAAAAAAAA"):
        body = signup_body(signup_shop, form_token=token)
        resp = start(platform.base_url, body)
        assert resp.status_code == 422, resp.text
        assert resp.json()["details"][0]["field"] == "form_token"
    time.sleep(fresh["min_seconds"] + 1.5)  # issued rounded up: up to a second younger
    body = signup_body(signup_shop, form_token=fresh["form_token"])
    assert start(platform.base_url, body).status_code == 202
    assert verification_link(smtp, body["email"])


def test_the_honeypot_is_answered_like_anyone_and_nothing_happens(platform, signup_shop, smtp,
                                                                  databases):
    body = signup_body(signup_shop, website="http://spam.example")
    honest = signup_body(signup_shop)
    trapped, normal = start(platform.base_url, body), start(platform.base_url, honest)
    assert trapped.status_code == normal.status_code == 202
    assert trapped.json() == normal.json()
    verification_link(smtp, honest["email"])  # the honest one's mail came: the robot's would
    with databases["accounts"]() as session:
        assert session.execute(text("SELECT count(*) FROM signups WHERE details->>'email' = :e"),
                               {"e": body["email"]}).scalar() == 0
    assert smtp.to(body["email"]) == []


def test_starts_are_limited_per_address(platform, signup_shop):
    answers = [start(platform.base_url, signup_body(signup_shop)).status_code
               for _ in range(11)]
    assert answers[:10] == [202] * 10, answers
    assert answers[10] == 429
    refused = start(platform.base_url, signup_body(signup_shop))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_an_address_with_an_account_gets_the_same_answer(platform, signup_shop, smtp,
                                                         databases):
    existing = signup_shop.shop.api.create_customer(language="en")
    taken = start(platform.base_url, signup_body(signup_shop, email=existing["email"]))
    fresh = start(platform.base_url, signup_body(signup_shop))
    assert taken.status_code == fresh.status_code == 202
    assert taken.json() == fresh.json()
    # only the mailbox's owner learns the difference: no link, "you already have an account"
    mail = smtp.wait_for(lambda m: existing["email"] in str(m["To"])
                         and "already have" in str(m["Subject"]), timeout=20)
    assert len(mail) == 1
    assert "/signup/verify" not in mail[-1].get_body(preferencelist=("plain",)).get_content()
    with databases["accounts"]() as session:
        assert session.execute(text("SELECT count(*) FROM signups WHERE details->>'email' = :e"),
                               {"e": existing["email"]}).scalar() == 0


def test_a_verification_link_works_once(platform, signup_shop, smtp):
    body = signup_body(signup_shop)
    assert start(platform.base_url, body).status_code == 202
    url = verification_link(smtp, body["email"])
    assert _complete(platform.base_url, url).status_code == 200
    again = requests.get(url, timeout=15)
    assert again.status_code == 409 and 'data-reason="completed"' in again.text
    # a form opened before the first use and sent after it: refused with the same page
    http = requests.Session()
    csrf_page = http.get(f"{platform.base_url}/forgot", timeout=15)
    csrf = csrf_page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    second = http.post(url.split("?", 1)[0], data={
        "csrf_token": csrf, "token": _verify_token(url), "new_password": "other-pin-99",
        "confirm_password": "other-pin-99"}, timeout=15)
    assert second.status_code == 409 and 'data-reason="completed"' in second.text
    ApiClient(platform.base_url).login(body["email"], "new-pin-2026")  # the first PIN stands


def test_an_expired_verification_link_is_refused(platform, signup_shop, smtp, databases):
    body = signup_body(signup_shop)
    assert start(platform.base_url, body).status_code == 202
    url = verification_link(smtp, body["email"])
    with databases["accounts"].begin() as session:
        session.execute(text("UPDATE signups SET expires_at = :t WHERE details->>'email' = :e"),
                        {"t": datetime.now(UTC) - timedelta(seconds=1), "e": body["email"]})
    page = requests.get(url, timeout=15)
    assert page.status_code == 410 and 'data-reason="expired"' in page.text
    unknown = requests.get(url[:-3] + "xyz", timeout=15)
    assert unknown.status_code == 404 and 'data-reason="invalid"' in unknown.text
    with databases["accounts"]() as session:
        assert session.execute(text("SELECT count(*) FROM customers WHERE email = :e"),
                               {"e": body["email"]}).scalar() == 0


def test_verifying_twice_at_once_creates_one_account(platform, signup_shop, smtp, databases):
    shop = signup_shop
    body = signup_body(shop, numbers=[shop.numbers[2]])
    assert start(platform.base_url, body).status_code == 202
    url = verification_link(smtp, body["email"])
    sessions, csrfs = [], []
    for _ in range(2):
        http = requests.Session()
        page = http.get(url, timeout=15)
        assert page.status_code == 200
        sessions.append(http)
        csrfs.append(page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0])
    barrier, results = threading.Barrier(2), []

    def verify(i: int) -> None:
        barrier.wait()
        results.append(sessions[i].post(url.split("?", 1)[0], data={
            "csrf_token": csrfs[i], "token": _verify_token(url), "new_password": f"pin-{i}-2026x",
            "confirm_password": f"pin-{i}-2026x"}, timeout=60).status_code)

    threads = [threading.Thread(target=verify, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409], results
    with databases["accounts"]() as session:
        customers = session.execute(text("SELECT id FROM customers WHERE email = :e"),
                                    {"e": body["email"]}).scalars().all()
        users = session.execute(text("SELECT count(*) FROM users WHERE email = :e"),
                                {"e": body["email"]}).scalar()
    assert len(customers) == 1 and users == 1
    cid = customers[0]
    reseller = shop.shop.api
    wait_until(lambda: _numbers(reseller, cid) == [shop.numbers[2]], timeout=20,
               message="the number assigned")
    wait_until(lambda: ok(reseller.get(f"/api/v1/customers/{cid}/subscription"))["version"]
               == 1, timeout=20, message="one subscription")
    history = ok(reseller.get(f"/api/v1/customers/{cid}/subscription/history"))["items"]
    assert len(history) == 1
    with databases["numbering"]() as session:
        actions = session.execute(text("SELECT action FROM number_history WHERE e164 = :n"),
                                  {"n": shop.numbers[2]}).scalars().all()
    assert actions.count("signed up") == 1, actions


def test_held_numbers_are_not_sold_to_others_until_the_hold_ends(platform, signup_shop,
                                                                  databases):
    shop = signup_shop
    body = signup_body(shop, numbers=[shop.numbers[3]])
    assert start(platform.base_url, body).status_code == 202
    taker = shop.shop.api.create_customer(language="en")
    order = shop.shop.api.post(f"/api/v1/customers/{taker['id']}/numbers",
                               json={"numbers": [shop.numbers[3]]})
    assert order.status_code == 409, order.text
    again = start(platform.base_url, signup_body(shop, numbers=[shop.numbers[3]]))
    assert again.status_code == 409 and again.json()["details"][0]["field"] == "numbers"
    with databases["numbering"].begin() as session:  # the verification window ends
        session.execute(text("UPDATE number_holds SET expires_at = now() - interval '1 second'"))
    order = shop.shop.api.post(f"/api/v1/customers/{taker['id']}/numbers",
                               json={"numbers": [shop.numbers[3]]})
    assert order.status_code == 201, order.text


def test_custom_links_show_on_the_subscriber_home(platform, signup_shop, smtp):
    api = signup_shop.shop.api
    custom = ok(api.post("/api/v1/signup-links", json={
        "kind": "custom", "label": "Our help centre", "url": "https://help.example/start"}), 201)
    body = signup_body(signup_shop)
    assert start(platform.base_url, body).status_code == 202
    assert _complete(platform.base_url, verification_link(smtp, body["email"])).status_code == 200
    http = requests.Session()
    login = http.get(f"{platform.base_url}/login", timeout=15)
    csrf = login.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    http.post(f"{platform.base_url}/login", data={"csrf_token": csrf,
                                                   "identifier": body["email"],
                                                   "password": "new-pin-2026"}, timeout=15)
    home = http.get(f"{platform.base_url}/", timeout=15)
    assert 'href="https://help.example/start"' in home.text and "Our help centre" in home.text
    ok(api.delete(f"/api/v1/signup-links/{custom['id']}"), 204)
    assert "help.example" not in http.get(f"{platform.base_url}/", timeout=15).text


def _hidden(html: str, name: str) -> str:
    return html.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]


def test_the_html_form_has_the_time_trap_the_honeypot_and_csrf(platform, signup_shop, smtp,
                                                               databases):
    http = requests.Session()
    http.headers["Accept-Language"] = "en"
    url = signup_shop.link["url"]
    first = http.get(url, timeout=15)
    assert first.status_code == 200 and "Sign up: company account" in first.text
    tag = f"h{int(time.time() * 1000)}"
    form = {"csrf_token": _hidden(first.text, "csrf_token"),
            "form_token": _hidden(first.text, "form_token"),
            "plan_id": signup_shop.shop.items["plan"]["id"], "name": f"Html {tag}",
            "email": f"{tag}@html.example", "country": "CA", "language": "en",
            "terms_accepted": "on", "action": "confirm"}
    too_fast = http.post(url, data=form, timeout=15)
    assert too_fast.status_code == 422, too_fast.text[:300]
    assert "Please take a moment" in too_fast.text
    assert http.post(url, data={**form, "csrf_token": "forged"}, timeout=15).status_code == 403
    robot = http.post(url, data={**form, "form_token": old_form_token(),
                                 "website": "http://spam.example"}, timeout=15)
    assert robot.status_code == 200 and "Check your e-mail" in robot.text
    person = http.post(url, data={**form, "form_token": old_form_token(),
                                  "email": f"{tag}@person.example"}, timeout=15)
    assert person.status_code == 200 and "Check your e-mail" in person.text
    assert verification_link(smtp, f"{tag}@person.example")
    assert [str(m["Subject"]) for m in smtp.to(form["email"])] == []
