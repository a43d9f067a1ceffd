"""Free trials and archiving end to end: the welcome mail says when the trial ends, the
reminders reach the subscriber's mailbox (real SMTP) once each, an unconverted trial is
suspended at its end; a closed account is archived after the retention period, its
sign-in refused; only the system administrator reopens a closed account, never an archived
one. The lifecycle timer's pass is run at chosen moments through the development hook."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.notifications.test_mail_e2e import parts
from tests.support import ApiClient, sign_in_subscriber, wait_until


def _mails(smtp, to: str, subject_part: str) -> list:
    return [m for m in smtp.to(to) if subject_part.lower() in str(m["Subject"]).lower()]


def _one(smtp, to: str, subject_part: str, timeout: float = 20):
    found = smtp.wait_for(lambda m: to.lower() in str(m["To"]).lower()
                          and subject_part.lower() in str(m["Subject"]).lower(),
                          timeout=timeout)
    assert found, f"no mail to {to} about {subject_part!r}; got " + repr(
        [(str(m["To"]), str(m["Subject"])) for m in smtp.messages[-5:]])
    return found[0]


def test_the_welcome_mail_says_when_the_trial_ends_in_both_languages(platform, smtp,
                                                                      reseller_api):
    for language, line in (("en", "Your free trial ends on"),
                           ("fr", "Votre essai gratuit se termine le")):
        customer = reseller_api.create_customer(language=language, start="trial")
        day = customer["trial_ends_at"][:10]
        subject = "Welcome" if language == "en" else "Bienvenue"
        text, html, _ = parts(_one(smtp, customer["email"], subject))
        assert f"{line} {day}" in text and f"{line} {day}" in html
    production = reseller_api.create_customer(language="en", start="production")
    text, _, _ = parts(_one(smtp, production["email"], "Welcome"))
    assert "free trial" not in text


def test_trial_reminders_once_each_then_suspended_unless_converted(
        platform, smtp, reseller, reseller_api, run_lifecycle):
    lapsing = reseller_api.create_customer(language="en", start="trial")
    converted = reseller_api.create_customer(language="fr", start="trial")
    ends = datetime.fromisoformat(lapsing["trial_ends_at"].replace("Z", "+00:00"))
    day = ends.date().isoformat()

    for _ in range(2):  # two ticks (or two replicas) a week before: one reminder each
        week = run_lifecycle((ends - timedelta(days=7)).isoformat(), reseller.reseller_id)
    assert week["reminders_7_days"] == 0  # the second tick found nothing left to do
    mail = _one(smtp, lapsing["email"], f"ends on {day}")
    text, html, _ = parts(mail)
    assert f"ends on {day}, in 7 days" in text and "production" in text
    fr = _one(smtp, converted["email"], f"se termine le {converted['trial_ends_at'][:10]}")
    assert "dans 7 jours" in parts(fr)[0]

    # The reseller converts one of them ("convert to production").
    assert reseller_api.patch(f"/api/v1/customers/{converted['id']}",
                              json={"status": "production"}).json()["status"] == "production"

    morning = ends.replace(hour=0, minute=0, second=1, microsecond=0)
    if morning >= ends:
        morning = ends
    for _ in range(2):
        run_lifecycle(morning.isoformat(), reseller.reseller_id)
    _one(smtp, lapsing["email"], "ends today")
    report = run_lifecycle((ends + timedelta(seconds=1)).isoformat(), reseller.reseller_id)
    assert report["trials_suspended"] == 1
    smtp.wait_for(lambda m: False, timeout=2)  # let any duplicate arrive before counting
    assert len(_mails(smtp, lapsing["email"], f"ends on {day}")) == 1
    assert len(_mails(smtp, lapsing["email"], "ends today")) == 1
    assert _mails(smtp, converted["email"], "aujourd'hui") == []
    got = lambda c: reseller_api.get(f"/api/v1/customers/{c['id']}").json()["status"]  # noqa: E731
    assert (got(lapsing), got(converted)) == ("suspended", "production")
    # The mail log shows the two kinds.
    logged = reseller_api.get("/api/v1/mail-log", params={"customer_id": lapsing["id"]})
    assert logged.status_code == 200, logged.text
    kinds = sorted(m["kind"] for m in logged.json()["items"] if m["kind"].startswith("trial"))
    assert kinds == ["trial_ending", "trial_ends_today"]


def test_closed_account_archived_after_retention_then_never_reopened(
        platform, reseller, reseller_api, admin_api, accounts_events, run_lifecycle):
    customer = reseller_api.create_customer(language="en", start="production",
                                            phone="+15145550123", contact_name="Marie T")
    sign_in_subscriber(platform.base_url, accounts_events, customer, "pin-archived-1")
    closed = reseller_api.delete(f"/api/v1/customers/{customer['id']}")
    assert closed.status_code == 200, closed.text
    closed_at = datetime.fromisoformat(closed.json()["closed_at"].replace("Z", "+00:00"))

    early = run_lifecycle((closed_at + timedelta(days=89)).isoformat(), reseller.reseller_id)
    assert early["archived"] == 0
    report = run_lifecycle((closed_at + timedelta(days=90)).isoformat(), reseller.reseller_id)
    assert report["archived"] == 1

    record = reseller_api.get(f"/api/v1/customers/{customer['id']}").json()
    assert (record["status"], record["identifier"], record["name"]) == (
        "archived", customer["identifier"], customer["name"])
    assert record["email"].endswith("@archived.invalid")
    assert (record["phone"], record["contact_name"]) == (None, None)

    # The mail log keeps what was sent, no longer to which address.
    def forgotten() -> bool:
        items = reseller_api.get("/api/v1/mail-log",
                                 params={"customer_id": customer["id"]}).json()["items"]
        return bool(items) and all(m["recipient"] == "archived@archived.invalid"
                                   for m in items)
    wait_until(forgotten, timeout=20, message="the mail log forgot the address")

    # Sign-in refused with the same answer an unknown identifier gets.
    for login in (customer["identifier"], customer["email"]):
        refused = ApiClient(platform.base_url).post("/api/v1/auth/login", json={
            "identifier": login, "password": "pin-archived-1"})
        assert refused.status_code == 401
        assert refused.json()["message"] == ApiClient(platform.base_url).post(
            "/api/v1/auth/login", json={"identifier": "nobody.here.000",
                                        "password": "x"}).json()["message"]
    assert "closed" in refused.json()["message"]

    # Never reopened, not even by the administrator; nothing else changes it either.
    again = admin_api.post(f"/api/v1/customers/{customer['id']}/reopen")
    assert again.status_code == 409 and "archived" in again.json()["message"]
    assert reseller_api.patch(f"/api/v1/customers/{customer['id']}",
                              json={"name": "Back"}).status_code == 409


def test_only_the_administrator_reopens_a_closed_account(platform, reseller_api, admin_api):
    customer = reseller_api.create_customer(start="production")
    assert reseller_api.delete(f"/api/v1/customers/{customer['id']}").status_code == 200
    assert reseller_api.post(f"/api/v1/customers/{customer['id']}/reopen").status_code == 403
    reopened = admin_api.post(f"/api/v1/customers/{customer['id']}/reopen")
    assert reopened.status_code == 200 and reopened.json()["status"] == "production"
    wait_until(lambda: reseller_api.get(f"/api/v1/customers/{customer['id']}").json()[
        "status"] == "production", timeout=5, message="reopened")


def test_the_lifecycle_hook_is_the_administrators_alone(platform, rpc, reseller):
    from sbcommon.actor import sign_actor
    from sbcommon.errors import Forbidden, Invalid

    as_reseller = sign_actor({"user_id": reseller.user_id, "role": "reseller",
                              "reseller_id": reseller.reseller_id})
    try:
        rpc.accounts.run_lifecycle(as_reseller, "2031-01-01T00:00:00+00:00",
                                   reseller.reseller_id)
    except Forbidden:
        pass
    else:
        raise AssertionError("a reseller ran the lifecycle")
    admin = sign_actor({"user_id": "ops", "role": "admin"})
    try:
        rpc.accounts.run_lifecycle(admin, "not a date", reseller.reseller_id)
    except Invalid:
        pass
    else:
        raise AssertionError("a bad moment was accepted")
