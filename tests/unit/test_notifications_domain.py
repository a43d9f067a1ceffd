"""The notifications domain without a broker: message building, header safety, retry
schedule, CSV neutralisation, PDF rendering, and delivery against a real aiosmtpd server
and the real PostgreSQL outbox."""

from __future__ import annotations

import contextlib
import io
import re
import smtplib
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from sbcommon.errors import Invalid
from services.notifications.domain import compose, csvsafe, delivery, documents, messages, strings
from services.notifications.domain.brand import DEFAULT, Brand
from services.notifications.domain.retry import is_permanent, next_delay
from services.notifications.domain.strings import STRINGS
from services.notifications.models import Mail, metadata
from services.notifications.settings import NotificationsSettings, SmtpSettings
from tests.mailbox import Mailbox
from tests.support import free_port, unique

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
CUSTOMER = {"id": "c1", "reseller_id": "r1", "name": "Toitures Beauce", "contact_name": None,
            "identifier": "toitures.beauce", "kind": "company", "status": "trial",
            "language": "fr", "email": "info@beauce.example",
            "trial_ends_at": "2026-03-31T08:00:00+00:00", "created_at": T0.isoformat()}


def test_migrations_match_models(databases):
    engine = databases["notifications"].kw["bind"]
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_catalogues_have_the_same_keys_and_placeholders():
    assert set(STRINGS["fr"]) == set(STRINGS["en"])
    import string

    for key in STRINGS["en"]:
        names = [{n for _, n, _, _ in string.Formatter().parse(STRINGS[lang][key]) if n}
                 for lang in ("fr", "en")]
        assert names[0] == names[1], key


@pytest.mark.parametrize("subject", ["Hi\r\nBcc: x@evil.example", "Hi\nthere", "a\x00b",
                                     "a\u2028b", "", "   ", "x" * 201])
def test_unsafe_subjects_are_refused(subject):
    with pytest.raises(Invalid) as err:
        messages.safe_subject(subject)
    assert err.value.details[0]["field"] == "subject"


@pytest.mark.parametrize("address", ["", "a@b.example\nBcc: c@d.example",
                                     "Eve <eve@evil.example>", "no-at-sign"])
def test_unusable_addresses_are_refused(address):
    with pytest.raises(Invalid):
        messages.safe_address(address)


def test_unknown_language_is_refused():
    with pytest.raises(Invalid):
        messages.render("welcome", "de", DEFAULT, {"name": "x", "account": "x",
                                                   "trial_ends": None})
    assert compose.event_language("de") == "fr"  # an event cannot be answered with a 4xx


def test_message_has_both_parts_brand_and_escaped_body():
    look = Brand(name="Télé Nord", support_phone="+1 418 555 0100",
                 support_email="aide@telenord.example", primary_color="#aa0000",
                 accent_color="#00aa00")
    rendered = compose.custom_message(CUSTOMER, look, "Avis <important>",
                                      "<img src=x onerror=alert(1)>\nligne 2")
    msg = messages.build(rendered, "Platform <noreply@sb.example>", CUSTOMER["email"],
                         messages.new_message_id("noreply@sb.example"), look, "fr")
    assert msg["Subject"] == "Avis <important>" and msg["Content-Language"] == "fr"
    assert "Télé Nord" in str(msg["From"]) and "noreply@sb.example" in str(msg["From"])
    assert msg["Reply-To"] == "aide@telenord.example"
    assert msg["Message-ID"].endswith("@sb.example>")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "<img src=x" in text and "<img" not in html and "&lt;img src=x" in html
    assert "Bonjour Toitures Beauce" in text and "+1 418 555 0100" in html
    # the brand's colour is used, and only inside style attributes (never as markup)
    styles = re.findall(r'style="([^"]*)"', html)
    assert any("#00aa00" in style for style in styles)
    assert html.count("#00aa00") == sum(style.count("#00aa00") for style in styles)


def test_access_codes_mail_has_identifier_link_and_no_secret_in_subject():
    event = {"purpose": "access_codes", "language": "en", "display_name": "Ann",
             "identifier": "ann.co", "email": "ann@co.example", "reset_token": "tok-123",
             "expires_at": "2026-03-01T09:00:00+00:00"}
    rendered = compose.reset_link(event, DEFAULT, "https://portal.example")
    assert rendered.subject == "Your Switchboard access codes"
    assert "https://portal.example/reset?token=tok-123" in rendered.text
    assert "ann.co" in rendered.html and "2026-03-01 09:00 UTC" in rendered.text
    assert "tok-123" not in rendered.subject


def test_retry_schedule_doubles_up_to_the_cap():
    assert [next_delay(n, 30, 3600) for n in range(0, 9)] == [
        0, 30, 60, 120, 240, 480, 960, 1920, 3600]
    assert next_delay(10_000, 30, 3600) == 3600


def test_permanent_failures_are_5xx_about_the_message():
    assert is_permanent(smtplib.SMTPRecipientsRefused({"a@b": (550, b"no such user")}))
    assert not is_permanent(smtplib.SMTPRecipientsRefused({"a@b": (451, b"try later")}))
    assert not is_permanent(ConnectionRefusedError())
    assert not is_permanent(smtplib.SMTPServerDisconnected())


@pytest.mark.parametrize(("cell", "out"), [
    ("=1+1", "'=1+1"), ("+33 1", "'+33 1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=x", "'\t=x"), ("Plain", "Plain"), ("a=b", "a=b"), (None, ""), ("", ""),
])
def test_csv_cells_that_start_a_formula_are_neutralised(cell, out):
    assert csvsafe.neutralise(cell) == out


def test_csv_header_has_a_bom_and_translated_columns():
    assert csvsafe.header("fr").startswith("\ufeffNom,Identifiant,Courriel")
    row = csvsafe.rows([{**CUSTOMER, "name": "=cmd", "phone": None, "country": "CA"}], "en")
    assert row.startswith("'=cmd,toitures.beauce,") and "Company,Free trial" in row


EMPTY_STATEMENT = {"currency": "CAD", "lines": [], "promotions": [],
                   "monthly": {"subtotal": 0, "discounts": 0, "net": 0, "taxes": [],
                               "tax_total": 0, "total": 0},
                   "monthly_after_promotions": {"subtotal": 0, "discounts": 0, "net": 0,
                                                "taxes": [], "tax_total": 0, "total": 0,
                                                "full_price_from": None},
                   "one_time": {"subtotal": 0, "discounts": 0, "net": 0, "taxes": [],
                                "tax_total": 0, "total": 0}}


def test_statement_pdf_lists_the_account_and_totals_in_its_language():
    html = documents.statement_html(DEFAULT, CUSTOMER, EMPTY_STATEMENT, "fr", T0)
    text = "\n".join(p.extract_text() for p in
                     pypdf.PdfReader(io.BytesIO(documents.render_pdf(html))).pages)
    for expected in ("Relevé d'abonnement", "Toitures Beauce", "toitures.beauce",
                     "Essai gratuit", "2026-03-31", "Aucun forfait", "Total mensuel", "0,00"):
        assert expected in text, expected


@pytest.mark.parametrize(("minor", "currency", "language", "text"), [
    (3750, "CAD", "en", "$37.50"), (3750, "CAD", "fr", "37,50\u00a0$"),
    (123456, "JPY", "en", "123,456\u00a0JPY"), (1250, "BHD", "fr", "1,250\u00a0BHD"),
    (-500, "EUR", "en", "-5.00\u00a0EUR")])
def test_money_is_shown_with_the_currencys_own_decimals(minor, currency, language, text):
    assert strings.format_money(minor, currency, language) == text


def test_documents_never_fetch_urls(tmp_path):
    # A real HTTP server in its own process, so its log is the record of what was asked.
    log_path = tmp_path / "requests.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
             "--directory", str(tmp_path)], stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        port = int(server.stdout.readline().split(" port ")[1].split()[0])
        url = f"http://127.0.0.1:{port}"
        html = (f'<link rel="stylesheet" href="{url}/style.css"><img src="{url}/logo.png">'
                f'<p style="background: url({url}/bg.png)">ok</p>')
        pdf = documents.render_pdf(html)
        # the control: the same server does hear a client that asks (its answer is 404)
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(f"{url}/control", timeout=5)  # noqa: S310
    finally:
        server.terminate()
        server.wait(timeout=10)
    asked = [line.split('"GET ')[1].split()[0] for line in log_path.read_text().splitlines()
             if '"GET ' in line]
    assert "ok" in pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert asked == ["/control"], asked


@pytest.fixture(scope="module")
def outbox_db():
    """A notifications database of its own: the platform's sender (running for the e2e
    tests of the same session) must not claim these rows from the shared one."""
    from sqlalchemy.orm import sessionmaker

    from sbcommon.config import database_url
    from sbcommon.db import make_engine
    from sbcommon.migrate import drop_database, upgrade

    url = database_url("notifications") + "_unit"
    drop_database(url)
    upgrade("notifications", url)
    engine = make_engine(url, pool_size=2)
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()
    drop_database(url)


@pytest.fixture
def mailbox():
    box = Mailbox(free_port())
    box.start()
    yield box
    box.stop()


def _queue(sessions, n, tag):
    with sessions.begin() as s:
        for i in range(n):
            rendered = compose.custom_message({**CUSTOMER, "language": "en"}, DEFAULT,
                                              f"{tag} {i}", "body")
            compose.queue(s, rendered, kind="message", recipient=f"{tag}@x.example",
                          language="en", brand=DEFAULT, sender="noreply@sb.example",
                          reseller_id="r1", customer_id="c1", now=T0)


def _settings(port):
    return NotificationsSettings(smtp=SmtpSettings(port=port, timeout=3), retry_base=30,
                                 retry_max=3600)


def test_delivery_sends_once_retries_after_an_outage_and_wipes_bodies(outbox_db, mailbox):
    sessions = outbox_db
    tag = unique("d")
    _queue(sessions, 3, tag)
    mailbox.stop()  # the server is down: one attempt recorded, the rest untouched
    clock = [T0]
    assert delivery.deliver_due(sessions, _settings(mailbox.port), lambda: clock[0]) == 0
    with sessions() as s:
        rows = s.scalars(select(Mail).where(Mail.recipient == f"{tag}@x.example")).all()
    assert sorted(r.attempts for r in rows) == [0, 0, 1]
    failed = next(r for r in rows if r.attempts == 1)
    assert failed.status == "waiting" and failed.last_error
    assert failed.next_attempt_at == T0 + timedelta(seconds=30)
    mailbox.start()
    assert delivery.deliver_due(sessions, _settings(mailbox.port), lambda: clock[0]) >= 2
    clock[0] = T0 + timedelta(seconds=31)
    delivery.deliver_due(sessions, _settings(mailbox.port), lambda: clock[0])
    assert len(mailbox.to(f"{tag}@x.example")) == 3
    delivery.deliver_due(sessions, _settings(mailbox.port), lambda: clock[0])
    assert len(mailbox.to(f"{tag}@x.example")) == 3  # never twice
    with sessions() as s:
        rows = s.scalars(select(Mail).where(Mail.recipient == f"{tag}@x.example")).all()
    assert {r.status for r in rows} == {"sent"} and {r.raw for r in rows} == {None}


def test_a_refused_recipient_fails_for_good(outbox_db, mailbox):
    sessions = outbox_db
    tag = unique("f")
    _queue(sessions, 1, tag)

    class Refusing(smtplib.SMTP):
        def sendmail(self, *args, **kwargs):
            raise smtplib.SMTPRecipientsRefused({f"{tag}@x.example": (550, b"unknown user")})

    delivery.deliver_due(sessions, _settings(mailbox.port), lambda: T0,
                         open_connection=lambda smtp: Refusing(smtp.host, smtp.port))
    with sessions() as s:
        row = s.scalars(select(Mail).where(Mail.recipient == f"{tag}@x.example")).one()
    assert row.status == "failed" and "550" in row.last_error and row.raw is None
