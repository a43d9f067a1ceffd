"""The account lifecycle's timers (trial reminders and ends, archiving) and the states they
lead to, against the real PostgreSQL with an injected clock (no broker).

Every pass is run over the test's own reseller (``run_pass(..., reseller_id)``), so the
other tests' accounts in the shared database are never touched."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import CustomerCreate, CustomerUpdate
from sbcommon.errors import AccountSuspended, Conflict, Forbidden, Unauthorized
from sbcommon.outbox import EventRecorder
from services.accounts.domain import auth, customers, lifecycle
from services.accounts.models import (
    Customer,
    Reseller,
    ResetToken,
    TrialReminder,
    User,
    WebSession,
    outbox,
)
from services.accounts.settings import AccountsSettings
from tests.support import make_reseller, unique

SETTINGS = AccountsSettings()
# A trial created at C0 ends 30 days later, on 2031-03-31 at 10:00 UTC.
C0 = datetime(2031, 3, 1, 10, 0, tzinfo=UTC)
ENDS = C0 + timedelta(days=30)
ADMIN = Actor(user_id="admin", role=Role.ADMIN)


class KeptEvents(EventRecorder):
    """Records into the outbox as the service does, and keeps a copy to read back: when the
    test platform runs in the same session, its relay publishes (and removes) outbox rows."""

    def __init__(self) -> None:
        super().__init__(outbox)
        self.kept: list[dict] = []

    def record(self, session, event_type, data):
        event = super().record(session, event_type, data)
        self.kept.append(event)
        return event


@pytest.fixture
def events():
    return KeptEvents()


@pytest.fixture
def owner(accounts_db, fast_hasher):
    made = make_reseller(accounts_db, fast_hasher, trial_days=30)
    with accounts_db.begin() as s:
        reseller = s.get(Reseller, made.reseller_id)
        reseller.support_phone, reseller.support_email = "+1 514 555 0199", "help@acme.example"
    return made, Actor(user_id=made.user_id, role=Role.RESELLER, reseller_id=made.reseller_id)


def _create(accounts_db, actor, events, hasher=None, **fields):
    body = {"kind": "company", "name": f"Co {unique()}", "email": f"{unique()}@x.example",
            "start": "trial", "phone": "+15145550123", "contact_name": "Marie Tremblay",
            **fields}
    with accounts_db.begin() as s:
        made = customers.create(s, actor, CustomerCreate(**body), SETTINGS, events, C0)
        if hasher is not None:  # the subscriber chose its PIN
            user = s.scalars(select(User).where(User.customer_id == made["id"])).one()
            user.password_hash = hasher.hash("pin-123456")
    return made


def _pass(accounts_db, events, owner, now):
    return lifecycle.run_pass(accounts_db, events, now, SETTINGS, owner[0].reseller_id)


def _events(events, customer_id, event_type):
    """The account's events of one type, in the order they were recorded."""
    return [e for e in events.kept
            if e.get("customer_id") == customer_id and e["event_type"] == event_type]


def _status(accounts_db, customer_id):
    with accounts_db() as s:
        return s.get(Customer, customer_id).status


def test_trial_reminders_a_week_before_and_on_the_day_then_suspended(accounts_db, owner,
                                                                       events):
    made = _create(accounts_db, owner[1], events)
    at = lambda day, hour=9: datetime(2031, 3, day, hour, 0, tzinfo=UTC)  # noqa: E731

    report = _pass(accounts_db, events, owner, at(23))  # 8 days before: nothing yet
    assert report["reminders_7_days"] == 0
    assert _events(events, made["id"], "customer_trial_ending") == []

    for _ in range(2):  # 7 days before, twice: one reminder
        _pass(accounts_db, events, owner, at(24))
    _pass(accounts_db, events, owner, at(27))  # still within the week: not again
    sent = _events(events, made["id"], "customer_trial_ending")
    assert [e["reminder"] for e in sent] == ["7_days"]
    assert sent[0]["trial_ends_at"].startswith("2031-03-31") and sent[0]["email"] == made["email"]

    for _ in range(2):  # the day itself, before the end: one reminder, still on trial
        report = _pass(accounts_db, events, owner, at(31, 8))
    assert [e["reminder"] for e in _events(events, made["id"], "customer_trial_ending")
            ] == ["7_days", "today"]
    assert report["trials_suspended"] == 0 and _status(accounts_db, made["id"]) == "trial"

    report = _pass(accounts_db, events, owner, ENDS)  # the end, not converted
    assert report["trials_suspended"] == 1
    assert _status(accounts_db, made["id"]) == "suspended"
    changed = _events(events, made["id"], "customer_status_changed")
    assert [(e["previous_status"], e["status"], e["reason"], e["changed_by"])
            for e in changed] == [("trial", "suspended", "trial_ended", None)]
    _pass(accounts_db, events, owner, ENDS + timedelta(hours=1))
    assert len(_events(events, made["id"], "customer_status_changed")) == 1


def test_a_converted_trial_stays_in_production(accounts_db, owner, events):
    made = _create(accounts_db, owner[1], events)
    _pass(accounts_db, events, owner, ENDS - timedelta(days=7))
    with accounts_db.begin() as s:  # the reseller converts it ("convert to production")
        customers.update(s, owner[1], made["id"], CustomerUpdate(status="production"),
                         SETTINGS, events, ENDS - timedelta(days=2))
    report = _pass(accounts_db, events, owner, ENDS + timedelta(days=1))
    assert report["trials_suspended"] == 0 and report["reminders_today"] == 0
    assert _status(accounts_db, made["id"]) == "production"
    assert [e["reminder"] for e in _events(events, made["id"], "customer_trial_ending")
            ] == ["7_days"]
    changed = _events(events, made["id"], "customer_status_changed")
    assert [(e["status"], e["reason"], e["changed_by"]) for e in changed] == [
        ("production", "changed", owner[1].user_id)]


def test_replicas_ticking_together_send_each_reminder_once(accounts_db, owner, events):
    """Several accounts replicas run the same pass at the same moment: row locks (SKIP
    LOCKED) and the reminder's key let each reminder through once."""
    made = [_create(accounts_db, owner[1], events) for _ in range(30)]
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def replica():
        try:
            barrier.wait()
            _pass(accounts_db, events, owner, ENDS - timedelta(days=7))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=replica) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for customer in made:
        assert len(_events(events, customer["id"], "customer_trial_ending")) == 1
    with accounts_db() as s:
        rows = s.scalars(select(TrialReminder).where(
            TrialReminder.customer_id.in_([c["id"] for c in made]))).all()
    assert len(rows) == 30


def test_batches_cover_more_accounts_than_one_batch(accounts_db, owner, events):
    made = [_create(accounts_db, owner[1], events) for _ in range(7)]
    small = SETTINGS.model_copy(update={"lifecycle_batch": 3})
    report = lifecycle.run_pass(accounts_db, events, ENDS, small, owner[0].reseller_id)
    assert report["trials_suspended"] == 7
    assert {_status(accounts_db, c["id"]) for c in made} == {"suspended"}


def test_a_new_trial_gets_new_reminders(accounts_db, owner, events):
    made = _create(accounts_db, owner[1], events)
    _pass(accounts_db, events, owner, ENDS)  # reminders due at the end: today, then suspended
    restart = ENDS + timedelta(days=1)
    with accounts_db.begin() as s:
        customers.update(s, owner[1], made["id"], CustomerUpdate(status="trial"), SETTINGS,
                         events, restart)
    _pass(accounts_db, events, owner, restart + timedelta(days=30))
    reminders = _events(events, made["id"], "customer_trial_ending")
    assert len({e["trial_ends_at"] for e in reminders}) == 2


def _close(accounts_db, owner, events, customer_id, when):
    with accounts_db.begin() as s:
        customers.close(s, owner[1], customer_id, events, when)


def test_closed_account_archived_after_the_retention_period(accounts_db, owner, events,
                                                            fast_hasher):
    made = _create(accounts_db, owner[1], events, fast_hasher, start="production")
    with accounts_db.begin() as s:
        token = auth.request_reset(s, events, SETTINGS, made["identifier"], C0)
    assert token
    closed_at = C0 + timedelta(days=1)
    _close(accounts_db, owner, events, made["id"], closed_at)

    report = _pass(accounts_db, events, owner, closed_at + timedelta(days=89))
    assert report["archived"] == 0 and _status(accounts_db, made["id"]) == "closed"

    report = _pass(accounts_db, events, owner, closed_at + timedelta(days=90))
    assert report["archived"] == 1
    with accounts_db() as s:
        customer = s.get(Customer, made["id"])
        users = s.scalars(select(User).where(User.customer_id == made["id"])).all()
        sessions = s.scalars(select(WebSession).where(
            WebSession.user_id.in_([u.id for u in users]))).all()
        links = s.scalars(select(ResetToken).where(
            ResetToken.user_id.in_([u.id for u in users]))).all()
    # Kept for accounting: id, identifier, reseller, kind, dates, the company's name.
    assert (customer.status, customer.identifier, customer.reseller_id, customer.name) == (
        "archived", made["identifier"], owner[0].reseller_id, made["name"])
    assert customer.closed_at == closed_at and customer.created_at == C0
    # Gone: how to reach a person.
    assert customer.email == f"archived-{customer.id}@archived.invalid"
    assert (customer.phone, customer.contact_name) == (None, None)
    assert users and all(u.disabled and u.password_hash is None
                         and u.email.endswith("@archived.invalid")
                         and u.display_name == lifecycle.ARCHIVED_USER
                         and (u.first_name, u.last_name) == (None, None) for u in users)
    # The services keeping a copy of the users drop them, names included.
    gone = _events(events, made["id"], "account_user_changed")
    assert {e["user_id"] for e in gone} == {u.id for u in users}
    assert all(e["deleted"] and e["display_name"] == lifecycle.ARCHIVED_USER
               and e["email"].endswith("@archived.invalid") and e["first_name"] is None
               for e in gone)
    assert sessions == [] and links == []
    archived, = [e for e in _events(events, made["id"], "customer_status_changed")
                 if e["status"] == "archived"]
    assert (archived["status"], archived["previous_status"], archived["reason"]) == (
        "archived", "closed", "retention_ended")
    assert made["email"] not in str(archived)

    # Sign-in: the same answer as an unknown identifier; nothing can be changed.
    with accounts_db.begin() as s:
        refused = auth.login(s, fast_hasher, SETTINGS, made["identifier"], "pin-123456",
                             closed_at + timedelta(days=91))
    assert isinstance(refused, Unauthorized) and refused.message == auth.BAD_CREDENTIALS
    with accounts_db.begin() as s, pytest.raises(Conflict, match="archived"):
        customers.update(s, owner[1], made["id"], CustomerUpdate(name="Back"), SETTINGS,
                         events, closed_at + timedelta(days=91))
    with accounts_db.begin() as s, pytest.raises(Conflict, match="never be reopened"):
        customers.reopen(s, ADMIN, made["id"], events, closed_at + timedelta(days=91))
    with accounts_db.begin() as s:
        assert auth.request_reset(s, events, SETTINGS, made["identifier"],
                                  closed_at + timedelta(days=91)) is None


def test_a_professional_account_loses_its_name_when_archived(accounts_db, owner, events):
    made = _create(accounts_db, owner[1], events, kind="professional", name="Élodie Gagnon",
                   start="production")
    _close(accounts_db, owner, events, made["id"], C0)
    _pass(accounts_db, events, owner, C0 + timedelta(days=SETTINGS.closed_retention_days))
    with accounts_db() as s:
        customer = s.get(Customer, made["id"])
    assert (customer.status, customer.name) == ("archived", lifecycle.ARCHIVED_NAME)


def test_only_the_administrator_reopens_a_closed_account(accounts_db, owner, events):
    made = _create(accounts_db, owner[1], events, start="production")
    _close(accounts_db, owner, events, made["id"], C0)
    with accounts_db.begin() as s, pytest.raises(Forbidden):
        customers.reopen(s, owner[1], made["id"], events, C0)
    with accounts_db.begin() as s:
        reopened = customers.reopen(s, ADMIN, made["id"], events, C0 + timedelta(days=1))
    assert reopened["status"] == "production" and reopened["closed_at"] is None
    # Reopened: the retention clock no longer runs.
    _pass(accounts_db, events, owner, C0 + timedelta(days=365))
    assert _status(accounts_db, made["id"]) == "production"


def test_a_suspended_subscriber_is_told_so_only_with_its_pin(accounts_db, owner, events,
                                                             fast_hasher):
    made = _create(accounts_db, owner[1], events, fast_hasher, start="production")
    with accounts_db.begin() as s:
        signed_in = auth.login(s, fast_hasher, SETTINGS, made["identifier"], "pin-123456", C0)
    assert isinstance(signed_in, auth.LoginResult)
    with accounts_db.begin() as s:
        customers.update(s, owner[1], made["id"], CustomerUpdate(status="suspended"),
                         SETTINGS, events, C0)
    with accounts_db.begin() as s:  # its open session ended with the suspension
        assert s.scalars(select(WebSession).where(
            WebSession.user_id == signed_in.user_id)).all() == []
    with accounts_db.begin() as s:
        wrong = auth.login(s, fast_hasher, SETTINGS, made["identifier"], "nope", C0)
    assert isinstance(wrong, Unauthorized)
    with accounts_db.begin() as s:
        told = auth.login(s, fast_hasher, SETTINGS, made["identifier"], "pin-123456", C0)
    assert isinstance(told, AccountSuspended) and told.status == 403
    assert told.to_dict()["error"] == "account_suspended"
    assert told.details == {"reseller_id": owner[0].reseller_id,
                            "support_phone": "+1 514 555 0199",
                            "support_email": "help@acme.example"}
    with accounts_db.begin() as s:
        customers.update(s, owner[1], made["id"], CustomerUpdate(status="production"),
                         SETTINGS, events, C0)
    with accounts_db.begin() as s:
        back = auth.login(s, fast_hasher, SETTINGS, made["identifier"], "pin-123456", C0)
    assert isinstance(back, auth.LoginResult)
