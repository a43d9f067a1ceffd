"""The copies other services keep of an account's users, against the real PostgreSQL: a
late, older event never brings a deleted user back; a deleted user's numbers go to aging."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sbcommon import replica
from sbcommon.actor import Actor, Role
from sbcommon.contracts.events import AccountUserChanged
from sbcommon.errors import Conflict, Forbidden, NotFound
from sbcommon.outbox import EventRecorder
from services.numbering.domain import inventory
from services.numbering.models import KnownCustomer, KnownUser, Number, PoolSettings, outbox
from tests.numbering.conftest import fresh_numbers

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _event(user_id: str, customer_id: str, reseller_id: str, version: int,
           deleted: bool = False, name: str = "Ada") -> AccountUserChanged:
    return AccountUserChanged(
        event_id=str(uuid.uuid4()), event_type="account_user_changed",
        occurred_at=T0.isoformat(), reseller_id=reseller_id, customer_id=customer_id,
        user_id=user_id, display_name=name, extension="201", account_role="user",
        language="fr", email=f"{user_id[:8]}@x.example", version=version, deleted=deleted)


@pytest.fixture
def numbering_db(databases):
    return databases["numbering"]


@pytest.fixture
def account(numbering_db):
    reseller_id, customer_id = str(uuid.uuid4()), str(uuid.uuid4())
    with numbering_db.begin() as s:
        s.add(KnownCustomer(id=customer_id, reseller_id=reseller_id, status="production",
                            version=1))
        s.add(PoolSettings(reseller_id=reseller_id, aging_days=30))
    reseller = Actor(user_id=str(uuid.uuid4()), role=Role.RESELLER, reseller_id=reseller_id)
    return reseller, customer_id


def test_a_late_older_event_never_revives_a_deleted_user(numbering_db, account):
    reseller, customer_id = account
    user_id = str(uuid.uuid4())
    rid = reseller.reseller_id
    with numbering_db.begin() as s:
        assert replica.apply_user(s, KnownUser, _event(user_id, customer_id, rid, 3, True))
        # the creation and a rename arrive after the deletion: both are older
        assert not replica.apply_user(s, KnownUser, _event(user_id, customer_id, rid, 1))
        assert not replica.apply_user(s, KnownUser, _event(user_id, customer_id, rid, 2,
                                                           name="Renamed"))
        row = s.get(KnownUser, user_id)
        assert (row.deleted, row.version, row.display_name) == (True, 3, "Ada")
        with pytest.raises(NotFound) as err:
            replica.user_of(s, KnownUser, customer_id, user_id)
        assert err.value.details[0]["field"] == "user_id"


def test_a_deleted_users_numbers_go_to_aging_and_the_accounts_stay(numbering_db, account):
    reseller, customer_id = account
    rid = reseller.reseller_id
    user_id, other_customer = str(uuid.uuid4()), str(uuid.uuid4())
    events = EventRecorder(outbox)
    mine, kept = fresh_numbers(2)
    with numbering_db.begin() as s:
        replica.apply_user(s, KnownUser, _event(user_id, customer_id, rid, 1))
        for e164 in (mine, kept):
            inventory.add_number(s, reseller, e164, T0)
        customer = inventory.customer_for(s, reseller, customer_id)
        inventory.assign(s, reseller, customer, [mine, kept], False, events, T0)
        user = replica.user_of(s, KnownUser, customer_id, user_id)
        given = inventory.give_to_user(s, reseller, customer, mine, user, events, T0)
        assert given["user_id"] == user_id
        with pytest.raises(NotFound):  # a user of another account
            replica.user_of(s, KnownUser, other_customer, user_id)
    plain = Actor(user_id=user_id, role=Role.CUSTOMER, reseller_id=rid,
                  customer_id=customer_id, account_role="user")
    with numbering_db.begin() as s:
        from sbcommon.contracts.numbering import NumberQuery
        seen = inventory.search(s, plain, NumberQuery(customer_id=customer_id))
        assert [n["number"] for n in seen["items"]] == [mine]
        customer = inventory.customer_for(s, plain, customer_id)
        with pytest.raises(Forbidden):
            inventory.give_to_user(s, plain, customer, mine, None, events, T0)
        with pytest.raises(Forbidden):
            inventory.order(s, plain, customer, 1, None, None, events, T0)

    with numbering_db.begin() as s:
        assert replica.apply_user(s, KnownUser, _event(user_id, customer_id, rid, 2, True))
        assert inventory.release_user(s, user_id, events, T0) == 1
        assert inventory.release_user(s, user_id, events, T0) == 0  # nothing left to free
    with numbering_db() as s:
        aged, held = s.get(Number, mine), s.get(Number, kept)
        assert (aged.state, aged.customer_id, aged.user_id) == ("aging", None, None)
        assert aged.available_at == T0 + timedelta(days=30)
        assert (held.state, held.customer_id) == ("assigned", customer_id)
        released = [p for p in s.scalars(select(outbox.c.payload))
                    if p["event_type"] == "number_released" and p["number"] == mine]
        assert [p["reason"] for p in released] == ["user_deleted"]
    with numbering_db.begin() as s:  # the aging number is no longer the account's
        customer = inventory.customer_for(s, reseller, customer_id)
        with pytest.raises(NotFound):
            inventory.give_to_user(s, reseller, customer, mine, None, events, T0)
        spare = fresh_numbers(1)[0]
        inventory.add_number(s, reseller, spare, T0)
        inventory.assign(s, reseller, customer, [spare], True, events, T0)  # reserved
        with pytest.raises(Conflict):  # only an assigned number goes to a user
            inventory.give_to_user(s, reseller, customer, spare, None, events, T0)
