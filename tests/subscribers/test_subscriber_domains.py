"""Domain modules of subscribers' support, without a broker: the lock rule, the actor's
support fields inside its signature, and accounts' direct access, locks and audit log against
the real PostgreSQL with an injected clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sbcommon.actor import Actor, Role, sign_actor
from sbcommon.contracts.accounts import AuditQuery, CustomerCreate, CustomerUpdate, SupportAction
from sbcommon.errors import Conflict, Forbidden, Locked, NotFound, Unauthorized
from sbcommon.locks import check_unlocked, refused
from sbcommon.outbox import EventRecorder
from sbcommon.replica import CustomerState
from services.accounts.domain import audit, auth, customers, support
from services.accounts.models import outbox
from services.accounts.settings import AccountsSettings
from tests.support import make_reseller, unique

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SETTINGS = AccountsSettings()


def subscriber(customer_id: str = "c1", **extra: str) -> Actor:
    return Actor(user_id="u1", role=Role.CUSTOMER, reseller_id="r1", customer_id=customer_id,
                 **extra)


# -- the lock rule ------------------------------------------------------------------------------
def test_the_lock_refuses_only_the_subscriber_itself():
    assert refused(subscriber(), True)
    assert not refused(subscriber(), False)
    assert not refused(subscriber(support_user_id="s1"), True)
    assert not refused(Actor(user_id="r", role=Role.RESELLER, reseller_id="r1"), True)
    assert not refused(Actor(user_id="a", role=Role.ADMIN), True)
    with pytest.raises(Locked) as caught:
        check_unlocked(subscriber(), True)
    assert caught.value.status == 423 and "locked" in caught.value.message


def test_copies_read_the_lock_from_events_and_default_to_unlocked():
    event = {"customer_id": "c", "reseller_id": "r", "status": "trial", "version": 3}
    assert CustomerState.model_validate(event).locked is False
    assert CustomerState.model_validate({**event, "locked": True}).locked is True


# -- the actor's support fields ---------------------------------------------------------------
def test_support_fields_are_signed_with_the_actor_and_absent_when_unset():
    plain = Actor(user_id="u", role=Role.ADMIN).plain()
    assert "support_user_id" not in plain  # the wire form of ordinary actors is unchanged
    inside = subscriber(support_user_id="s1", support_name="Ann").dump()
    assert Actor.parse(inside).support_user_id == "s1"
    with pytest.raises(Forbidden):  # removing who is really there breaks the signature
        Actor.parse({k: v for k, v in inside.items() if k != "support_user_id"})
    forged = dict(subscriber().dump(), support_user_id="s1")
    with pytest.raises(Forbidden):
        Actor.parse(forged)
    # An older caller that never heard of the field still works.
    legacy = sign_actor({"user_id": "u", "role": "reseller", "reseller_id": "r"})
    assert Actor.parse(legacy).support_user_id is None


def test_only_a_subscribers_actor_carries_a_support_user():
    from sbcommon.errors import Invalid

    with pytest.raises(Invalid):
        Actor.parse(sign_actor({"user_id": "u", "role": "reseller", "reseller_id": "r",
                                "support_user_id": "s"}))


# -- audit helpers ----------------------------------------------------------------------------
def test_details_never_keep_secrets_and_cells_never_start_a_formula():
    cleaned = audit._clean({"reset_token": "x", "new_password": "y", "PIN": "1", "to": "a",
                            "n": 3, "obj": {"a": 1}})
    assert cleaned == {"to": "a", "n": 3, "obj": "{'a': 1}"}
    assert [audit.neutralise(v) for v in ("=1+1", "+33", "-2", "@x", "\tx", "ok", None)] == [
        "'=1+1", "'+33", "'-2", "'@x", "'\tx", "ok", ""]


def test_a_visit_lasts_the_setting_but_never_more_than_30_minutes():
    assert support.lifetime(AccountsSettings(SB_DIRECT_ACCESS_SECONDS=5)) == timedelta(seconds=5)
    assert support.lifetime(AccountsSettings(SB_DIRECT_ACCESS_SECONDS=86400)) == timedelta(
        minutes=30)


# -- against PostgreSQL -----------------------------------------------------------------------
@pytest.fixture
def shop(accounts_db, fast_hasher):
    made = make_reseller(accounts_db, fast_hasher, name="Unit")
    actor = Actor(user_id=made.user_id, role=Role.RESELLER, reseller_id=made.reseller_id)
    body = CustomerCreate(kind="company", name=f"Co {unique()}", email=f"{unique()}@x.example",
                          start="trial")
    events = EventRecorder(outbox)
    with accounts_db.begin() as s:
        customer = customers.create(s, actor, body, SETTINGS, events, T0)
    return actor, customer, events


def test_a_visit_is_a_session_of_the_main_user_that_ends_at_its_time(accounts_db, shop):
    actor, customer, _ = shop
    with accounts_db.begin() as s:
        opened = support.open_visit(s, actor, customer["id"], SETTINGS, T0)
    assert opened.expires_at == T0 + timedelta(minutes=30)
    with accounts_db.begin() as s:  # no PIN chosen yet: the visit still opens
        web, user = auth.resolve_session(s, opened.token, SETTINGS, T0 + timedelta(minutes=5))
        assert web.support_user_id == actor.user_id and user.customer_id == customer["id"]
        with pytest.raises(Forbidden):
            support.refuse_pin_change(web)
    # Active the whole time, it still ends at its time.
    late = T0 + timedelta(minutes=30, seconds=1)
    with pytest.raises(Unauthorized), accounts_db.begin() as s:  # rolled back, as in the service
        auth.resolve_session(s, opened.token, SETTINGS, late)
    with accounts_db.begin() as s:
        assert support.end_expired(s, late, SETTINGS) >= 1
    with accounts_db() as s:
        log = audit.search(s, actor, AuditQuery(customer_id=customer["id"]))["items"]
    assert [e["action"] for e in log] == ["direct_access.expired", "direct_access.started"]
    assert all(e["actor_user_id"] == actor.user_id and e["direct_access"] for e in log)


def test_no_visit_for_another_reseller_a_subscriber_or_a_closed_account(accounts_db,
                                                                         fast_hasher, shop):
    actor, customer, events = shop
    other = make_reseller(accounts_db, fast_hasher, name="Other")
    stranger = Actor(user_id=other.user_id, role=Role.RESELLER, reseller_id=other.reseller_id)
    with accounts_db.begin() as s, pytest.raises(NotFound):
        support.open_visit(s, stranger, customer["id"], SETTINGS, T0)
    inside = subscriber(customer["id"]).model_copy(update={"reseller_id": actor.reseller_id})
    with accounts_db.begin() as s, pytest.raises(Forbidden):
        support.open_visit(s, inside, customer["id"], SETTINGS, T0)
    with accounts_db.begin() as s:
        customers.close(s, actor, customer["id"], events, T0)
    with accounts_db.begin() as s, pytest.raises(Conflict):
        support.open_visit(s, actor, customer["id"], SETTINGS, T0)


def test_locking_carries_the_lock_in_the_event_and_refuses_the_subscriber(accounts_db, shop):
    actor, customer, events = shop
    with accounts_db.begin() as s:
        assert customers.set_lock(s, actor, customer["id"], True, events, T0)["locked"]
        # Locking twice changes nothing and logs nothing.
        customers.set_lock(s, actor, customer["id"], True, events, T0)
        rows = [r for r in s.execute(select(outbox.c.payload)).scalars()
                if r.get("customer_id") == customer["id"] and r.get("fields") == ["locked"]]
    assert len(rows) == 1 and rows[0]["locked"] is True
    own = Actor(user_id="u", role=Role.CUSTOMER, reseller_id=actor.reseller_id,
                customer_id=customer["id"])
    with accounts_db.begin() as s, pytest.raises(Locked):
        customers.update(s, own, customer["id"], CustomerUpdate(phone="+15145550100"),
                         SETTINGS, events, T0)
    with accounts_db.begin() as s:  # its language stays its own
        customers.update(s, own, customer["id"], CustomerUpdate(language="en"), SETTINGS,
                         events, T0)
        customers.update(s, own.model_copy(update={"support_user_id": actor.user_id}),
                         customer["id"], CustomerUpdate(phone="+15145550100"), SETTINGS,
                         events, T0)
    with accounts_db() as s:
        log = audit.search(s, actor, AuditQuery(customer_id=customer["id"]))["items"]
    assert [e["action"] for e in log] == ["customer.locked"]


def test_status_changes_and_support_actions_are_audited(accounts_db, shop):
    actor, customer, events = shop
    with accounts_db.begin() as s:
        customers.update(s, actor, customer["id"], CustomerUpdate(status="suspended"),
                         SETTINGS, events, T0)
        row = s.get(customers.Customer, customer["id"])
        # A timer (no actor) records a change with the same one call.
        customers.record_status_change(s, row, "suspended", "production", T0, None,
                                       {"reason": "trial ended"})
    inside = Actor(user_id="u", role=Role.CUSTOMER, reseller_id=actor.reseller_id,
                   customer_id=customer["id"], support_user_id=actor.user_id)
    action = SupportAction(method="POST", route="/x/{customer_id}", path="/x/1",
                           targets={"customer_id": customer["id"]})
    with accounts_db.begin() as s:
        entry = support.record_action(s, inside, action, T0)["entry"]
        support.record_action(s, inside, action.model_copy(
            update={"failed_entry": entry, "status": 409}), T0)
        with pytest.raises(Forbidden):  # only a visit records support actions
            support.record_action(s, subscriber(customer["id"]), action, T0)
    with accounts_db() as s:
        log = audit.search(s, actor, AuditQuery(customer_id=customer["id"]))["items"]
        system = audit.search(s, actor, AuditQuery(customer_id=customer["id"],
                                                   action="customer.status_changed"))
    assert [e["action"] for e in log] == ["direct_access.action_failed",
                                          "direct_access.action",
                                          "customer.status_changed",
                                          "customer.status_changed"]
    assert log[0]["details"]["entry"] == entry and log[0]["details"]["status"] == 409
    assert [e["actor_role"] for e in system["items"]] == ["system", "reseller"]
