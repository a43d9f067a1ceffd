"""accounts.issue_access_codes: a tenant-scoped, single-use set-PIN link carried by the
password_reset_requested event (purpose access_codes); the answer never holds the token."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import CustomerCreate
from sbcommon.contracts.events import PasswordResetRequested
from sbcommon.errors import Conflict, Forbidden, NotFound, TooManyRequests
from sbcommon.outbox import EventRecorder
from services.accounts.domain import auth, customers
from services.accounts.models import ResetToken, outbox
from services.accounts.settings import AccountsSettings
from tests.support import make_reseller, unique

SETTINGS = AccountsSettings()
T0 = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def events():
    return EventRecorder(outbox)


def _reseller(accounts_db, fast_hasher):
    made = make_reseller(accounts_db, fast_hasher)
    return Actor(user_id=made.user_id, role=Role.RESELLER, reseller_id=made.reseller_id)


def _customer(accounts_db, actor, events):
    body = CustomerCreate(kind="company", name=f"Co {unique()}", email=f"{unique()}@x.example",
                          start="trial", language="en")
    with accounts_db.begin() as s:
        return customers.create(s, actor, body, SETTINGS, events, T0)


def _events_for(accounts_db, customer_id):
    with accounts_db() as s:
        rows = s.execute(select(outbox.c.payload)).scalars().all()
    return [r for r in rows if r.get("customer_id") == customer_id
            and r["event_type"] == "password_reset_requested"]


def test_issues_a_link_for_the_main_user_with_purpose_access_codes(accounts_db, fast_hasher,
                                                                   events):
    actor = _reseller(accounts_db, fast_hasher)
    made = _customer(accounts_db, actor, events)
    with accounts_db.begin() as s:
        answer = customers.issue_access_codes(s, actor, made["id"], SETTINGS, events, T0)
    assert answer["email"] == made["email"]
    assert "token" not in str(answer)
    [event] = _events_for(accounts_db, made["id"])
    parsed = PasswordResetRequested.model_validate(event)
    assert parsed.purpose == "access_codes" and parsed.identifier == made["identifier"]
    assert parsed.language == "en"
    with accounts_db() as s:
        purposes = s.scalars(select(ResetToken.purpose).where(
            ResetToken.user_id == event["user_id"])).all()
    assert purposes == ["access_codes"]
    # the token is the one a subscriber uses to choose a PIN, once
    with accounts_db.begin() as s:
        auth.reset_password(s, fast_hasher, event["reset_token"], "new-pin-1234", T0)


def test_other_tenant_gets_not_found_and_subscriber_forbidden(accounts_db, fast_hasher, events):
    owner = _reseller(accounts_db, fast_hasher)
    other = _reseller(accounts_db, fast_hasher)
    made = _customer(accounts_db, owner, events)
    with pytest.raises(NotFound), accounts_db.begin() as s:
        customers.issue_access_codes(s, other, made["id"], SETTINGS, events, T0)
    me = Actor(user_id="u", role=Role.CUSTOMER, reseller_id=owner.reseller_id,
               customer_id=made["id"])
    with pytest.raises(Forbidden), accounts_db.begin() as s:
        customers.issue_access_codes(s, me, made["id"], SETTINGS, events, T0)
    assert _events_for(accounts_db, made["id"]) == []


def test_closed_account_conflicts_and_the_hourly_cap_is_a_429(accounts_db, fast_hasher, events):
    actor = _reseller(accounts_db, fast_hasher)
    made = _customer(accounts_db, actor, events)
    for _ in range(SETTINGS.reset_per_hour):
        with accounts_db.begin() as s:
            customers.issue_access_codes(s, actor, made["id"], SETTINGS, events, T0)
    with pytest.raises(TooManyRequests), accounts_db.begin() as s:
        customers.issue_access_codes(s, actor, made["id"], SETTINGS, events, T0)
    with accounts_db.begin() as s:
        customers.close(s, actor, made["id"], events, T0)
    with pytest.raises(Conflict), accounts_db.begin() as s:
        customers.issue_access_codes(s, actor, made["id"], SETTINGS, events, T0)
