"""E-mail end to end: the API → notifications (and accounts) → PostgreSQL outbox → a real
aiosmtpd server; PDF text extracted with pypdf."""

from __future__ import annotations

import io
import re
import time
import uuid

import pypdf

from sbcommon.actor import sign_actor
from tests.support import ApiClient, make_reseller, unique, wait_until

LINK_RE = re.compile(r"(https?://\S+/reset\?token=([A-Za-z0-9_\-]+))")


def parts(msg):
    """text/plain and text/html bodies of a message, and its attachments."""
    text = html = None
    files = []
    for part in msg.walk():
        if part.get_content_disposition() == "attachment":
            files.append(part)
        elif part.get_content_type() == "text/plain" and text is None:
            text = part.get_content()
        elif part.get_content_type() == "text/html" and html is None:
            html = part.get_content()
    return text, html, files


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def wait_one(smtp, to: str, subject_part: str, timeout: float = 20):
    found = smtp.wait_for(lambda m: to.lower() in str(m["To"]).lower()
                          and subject_part.lower() in str(m["Subject"]).lower(),
                          timeout=timeout)
    assert found, f"no mail to {to} about {subject_part!r}; got " + repr(
        [(str(m["To"]), str(m["Subject"])) for m in smtp.messages[-5:]])
    return found[0]


def test_access_codes_mail_carries_identifier_and_a_link_that_works_once(
        platform, smtp, reseller_api, api):
    customer = reseller_api.create_customer(language="en")
    resp = reseller_api.post(f"/api/v1/customers/{customer['id']}/emails/access-codes")
    assert resp.status_code == 202, resp.text
    assert "token" not in resp.text
    msg = wait_one(smtp, customer["email"], "access codes")
    assert msg["Message-ID"] and msg["Content-Language"] == "en"
    assert "Reseller" in str(msg["From"])  # the reseller's name, not the platform's
    assert msg.get_content_type() == "multipart/alternative"
    text, html, _ = parts(msg)
    assert customer["identifier"] in text and customer["identifier"] in html
    assert "password" not in text.lower().split("never send")[0]  # no credential in it
    link, token = LINK_RE.search(text).groups()
    assert link in html.replace("&amp;", "&")
    first = api.post("/api/v1/auth/reset", json={"token": token, "new_password": "pin-123456"})
    assert first.status_code == 204, first.text
    again = api.post("/api/v1/auth/reset", json={"token": token, "new_password": "pin-654321"})
    assert again.status_code == 422
    ApiClient(platform.base_url).login(customer["identifier"], "pin-123456")
    # the welcome mail went out on creation, in the customer's language
    wait_one(smtp, customer["email"], "Welcome to")


def test_forgot_password_mail_is_in_the_users_language(smtp, reseller_api, api):
    customer = reseller_api.create_customer(language="fr")
    assert api.post("/api/v1/auth/forgot",
                    json={"identifier": customer["email"]}).status_code == 202
    msg = wait_one(smtp, customer["email"], "nouveau mot de passe")
    text, html, _ = parts(msg)
    assert msg["Content-Language"] == "fr" and "Bonjour" in text and 'lang="fr"' in html
    assert LINK_RE.search(text)


def test_statement_has_the_pdf_attached_in_the_customers_language(smtp, reseller_api):
    for language, title, total in (("en", "Subscription statement", "$0.00"),
                                   ("fr", "Relevé d'abonnement", "0,00")):
        customer = reseller_api.create_customer(language=language, name=f"Élan {unique()}")
        resp = reseller_api.post(f"/api/v1/customers/{customer['id']}/emails/statement")
        assert resp.status_code == 202, resp.text
        msg = wait_one(smtp, customer["email"], "statement" if language == "en" else "relevé")
        assert msg.get_content_type() == "multipart/mixed"
        _, _, files = parts(msg)
        [pdf] = files
        assert pdf.get_content_type() == "application/pdf"
        assert pdf.get_filename().endswith(".pdf") and customer["identifier"] in pdf.get_filename()
        content = "\n".join(pdf_text(pdf.get_content()))
        assert title in content and customer["name"] in content
        assert customer["identifier"] in content and total in content


def test_custom_message_is_escaped_and_bad_input_is_refused_with_nothing_queued(
        smtp, reseller_api):
    customer = reseller_api.create_customer(language="en")
    url = f"/api/v1/customers/{customer['id']}/emails/message"
    bad = [
        ({"subject": "Hi\r\nBcc: victim@evil.example", "body": "x"}, 422, "subject"),
        ({"subject": "Hi\nthere", "body": "x"}, 422, "subject"),
        ({"subject": "x" * 201, "body": "x"}, 422, "subject"),
        ({"subject": "Hi", "body": "y" * 20_001}, 422, "body"),
        ({"subject": "Hi", "body": ""}, 422, "body"),
        ({"subject": "Hi", "body": "x", "html": True}, 422, "html"),
        ({"subject": "Hi", "body": "z" * 1_100_000}, 413, None),
    ]
    for body, status, where in bad:
        resp = reseller_api.post(url, json=body)
        assert resp.status_code == status, (body.get("subject"), resp.text[:200])
        if where:
            assert where in resp.json()["message"]
    log = reseller_api.get("/api/v1/mail-log", params={"customer_id": customer["id"]}).json()
    assert [m["kind"] for m in log["items"]] == ["welcome"]  # nothing half-queued

    script = "<script>alert('x')</script> & <b>bold</b>\nsecond line"
    resp = reseller_api.post(url, json={"subject": "Ça <marche> & bien", "body": script})
    assert resp.status_code == 202, resp.text
    msg = wait_one(smtp, customer["email"], "Ça <marche>")
    text, html, _ = parts(msg)
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>bold" not in html
    assert "second line" in html and script in text.replace("\r\n", "\n")
    assert msg["Bcc"] is None


def test_customer_without_email_and_unknown_language_get_a_clear_4xx(
        reseller_api, accounts_db, databases):
    from sqlalchemy import text

    customer = reseller_api.create_customer()
    with accounts_db.begin() as s:
        s.execute(text("UPDATE customers SET email = '' WHERE id = :id"), {"id": customer["id"]})
    for what in ("statement", "message"):
        body = {"subject": "Hi", "body": "x"} if what == "message" else None
        resp = reseller_api.post(f"/api/v1/customers/{customer['id']}/emails/{what}", json=body)
        assert resp.status_code == 422, resp.text
        assert "e-mail" in resp.json()["message"]
    resp = reseller_api.get("/api/v1/customers/export.csv", params={"lang": "de"})
    assert resp.status_code == 422 and "lang" in resp.json()["message"]
    with databases["notifications"]() as s:
        queued = s.execute(text("SELECT count(*) FROM mail WHERE customer_id = :id"),
                           {"id": customer["id"]}).scalar()
    assert queued == 1  # the welcome mail only


def test_mail_log_shows_only_the_resellers_own_mail(platform, accounts_db, fast_hasher,
                                                     reseller_api):
    mine = reseller_api.create_customer()
    other = make_reseller(accounts_db, fast_hasher)
    other_api = ApiClient(platform.base_url).login(other.identifier, other.password)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = reseller_api.get("/api/v1/mail-log", params={"customer_id": mine["id"]}).json()
        if log["total"]:
            break
        time.sleep(0.2)
    assert log["items"][0]["recipient"] == mine["email"]
    theirs = other_api.get("/api/v1/mail-log", params={"per_page": 100}).json()
    assert mine["email"] not in str(theirs)
    assert other_api.get("/api/v1/mail-log",
                         params={"customer_id": mine["id"]}).json()["total"] == 0
    assert reseller_api.get("/api/v1/mail-log", params={"status": "lost"}).status_code == 422


def test_smtp_outage_in_the_middle_of_a_batch_loses_nothing_and_sends_once(
        smtp, reseller_api):
    customer = reseller_api.create_customer(language="en")
    url = f"/api/v1/customers/{customer['id']}/emails/message"
    tag = uuid.uuid4().hex[:8]
    assert reseller_api.post(url, json={"subject": f"{tag} before", "body": "1"}
                             ).status_code == 202
    wait_one(smtp, customer["email"], f"{tag} before")
    smtp.stop()
    try:
        for i in range(5):
            assert reseller_api.post(url, json={"subject": f"{tag} during {i}", "body": "x"}
                                     ).status_code == 202

        def tried_and_waiting() -> bool:
            log = reseller_api.get("/api/v1/mail-log", params={
                "customer_id": customer["id"], "status": "waiting"}).json()
            return log["total"] == 5 and any(m["last_error"] and m["attempts"] >= 1
                                              for m in log["items"])

        wait_until(tried_and_waiting, timeout=20, interval=0.2,
                   message="five mails waiting after a failed attempt")
    finally:
        smtp.start()
    got = smtp.wait_for(lambda m: f"{tag} during" in str(m["Subject"]), count=5, timeout=30)
    assert len(got) == 5

    def all_sent() -> bool:
        log = reseller_api.get("/api/v1/mail-log", params={"customer_id": customer["id"]})
        return {m["status"] for m in log.json()["items"]} == {"sent"}

    # once every row says sent, nothing of them can go out again: count what arrived
    wait_until(all_sent, timeout=20, interval=0.2, message="every mail marked sent")
    got = [m for m in smtp.messages if f"{tag} during" in str(m["Subject"])]
    assert sorted(str(m["Subject"]) for m in got) == [f"{tag} during {i}" for i in range(5)]
    assert len({m["Message-ID"] for m in got}) == 5
    log = reseller_api.get("/api/v1/mail-log", params={"customer_id": customer["id"]}).json()
    assert {m["status"] for m in log["items"]} == {"sent"}


def test_export_routes_are_not_taken_for_a_customer_id(reseller_api):
    from gateway.framework.routing import Dispatcher
    from gateway.registry import API as routes

    dispatcher = Dispatcher(routes)
    for ext in ("csv", "pdf"):
        route, args = dispatcher.match(f"/api/v1/customers/export.{ext}", "GET")
        assert route.path.endswith(f"export.{ext}") and args == {}
        resp = reseller_api.get(f"/api/v1/customers/export.{ext}", params={"q": "zz-none"})
        assert resp.status_code == 200, resp.text[:200]


def test_csv_export_is_excel_safe_and_keeps_the_filters(reseller_api):
    tag = unique("x")
    names = [f"=HYPERLINK(\"evil\") {tag}", f"+1 {tag}", f"@SUM {tag}", f"-2 {tag}",
             f"Plain, \"quoted\" {tag}"]
    made = [reseller_api.create_customer(name=n) for n in names]
    reseller_api.patch(f"/api/v1/customers/{made[4]['id']}", json={"status": "production"})
    resp = reseller_api.get("/api/v1/customers/export.csv",
                            params={"q": tag, "lang": "en", "tab": "company"})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    body = resp.content.decode("utf-8")
    assert body.startswith("\ufeffName,Identifier,E-mail")
    import csv

    rows = list(csv.reader(io.StringIO(body[1:])))
    assert len(rows) == 1 + len(names)
    cells = {r[0] for r in rows[1:]}
    assert cells == {"'" + n if n[0] in "=+-@" else n for n in names}
    only = reseller_api.get("/api/v1/customers/export.csv",
                            params={"q": tag, "status": "production"}).content.decode()
    assert only.count("\r\n") == 2 and "Plain" in only


def test_pdf_export_repeats_the_header_on_every_page(reseller_api):
    tag = unique("p")
    for i in range(70):
        reseller_api.create_customer(name=f"Client {i:03d} {tag}", kind="professional")
    resp = reseller_api.get("/api/v1/customers/export.pdf",
                            params={"q": tag, "kind": "professional", "lang": "fr"})
    assert resp.status_code == 200, resp.text[:300]
    assert resp.headers["Content-Type"] == "application/pdf"
    pages = pdf_text(resp.content)
    assert len(pages) >= 2
    for number, page in enumerate(pages, 1):
        assert "Identifiant" in page and "Courriel" in page  # the header row, in French
        assert f"Page {number} sur {len(pages)}" in page
    everything = "\n".join(pages)
    assert all(f"Client {i:03d}" in everything for i in range(70))


def test_mail_is_signed_with_the_resellers_own_name(platform, smtp, rpc, accounts_db,
                                                     fast_hasher):
    """White label: a new reseller's customers get mail in the reseller's name and with its
    contact, learned from accounts' reseller_created event."""
    reseller = make_reseller(accounts_db, fast_hasher, name="Télécom Boréal")
    client = ApiClient(platform.base_url).login(reseller.identifier, reseller.password)
    actor = sign_actor(client.get("/api/v1/auth/session").json()["actor"])
    deadline = time.monotonic() + 15
    while rpc.notifications.get_branding(actor)["name"] == "Switchboard":
        assert time.monotonic() < deadline, "notifications never learned the reseller"
        time.sleep(0.2)
    customer = client.create_customer(language="fr")
    client.post(f"/api/v1/customers/{customer['id']}/emails/access-codes")
    msg = wait_one(smtp, customer["email"], "accès")
    assert "Télécom Boréal" in str(msg["From"])
    text, _, _ = parts(msg)
    assert reseller.email in text and "Switchboard" not in str(msg["From"])


def test_csv_export_goes_past_the_first_chunk_of_customers(platform, accounts_db, fast_hasher):
    """accounts hands the export out in chunks of 1 000 and counts them only with the
    first: the export must still stream every row after it (it used to stop at 1 000)."""
    from pathlib import Path

    from sqlalchemy import text

    from tests.support import ApiClient, make_reseller

    owner = make_reseller(accounts_db, fast_hasher)
    seed = (Path(__file__).resolve().parents[2] / "bench" / "seed.sql").read_text()
    with accounts_db.begin() as session:
        session.execute(text(seed), {"reseller_id": owner.reseller_id, "count": 1_234,
                                     "start": 7_000_000 + int(owner.reseller_id[:5], 16)})
    client = ApiClient(platform.base_url).login(owner.identifier, owner.password)
    resp = client.get("/api/v1/customers/export.csv", params={"lang": "en"}, timeout=60)
    assert resp.status_code == 200
    assert resp.content.decode("utf-8").count("\r\n") == 1 + 1_234  # the header and every row
