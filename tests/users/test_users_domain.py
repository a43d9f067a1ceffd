"""The account-users domain module against the real PostgreSQL (no broker)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import (
    AccountUserCreate,
    AccountUserQuery,
    AccountUserUpdate,
    CustomerCreate,
)
from sbcommon.contracts.events import AccountUserChanged
from sbcommon.errors import Conflict, Forbidden, NotFound
from sbcommon.outbox import EventRecorder
from services.accounts.domain import customers, users
from services.accounts.models import User, outbox
from services.accounts.settings import AccountsSettings
from tests.support import make_reseller, unique

SETTINGS = AccountsSettings()
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def events():
    return EventRecorder(outbox)


@pytest.fixture
def owner(accounts_db, fast_hasher):
    made = make_reseller(accounts_db, fast_hasher)
    return Actor(user_id=made.user_id, role=Role.RESELLER, reseller_id=made.reseller_id)


def _account(db, actor, events, kind="company"):
    body = CustomerCreate(kind=kind, name=f"Co {unique()}", email=f"{unique()}@x.example",
                          start="production")
    with db.begin() as s:
        return customers.create(s, actor, body, SETTINGS, events, T0)


def _user(db, actor, events, customer_id, **fields):
    body = {"email": f"{unique()}@u.example", "first_name": "Ada", "last_name": "Lovelace",
            **fields}
    with db.begin() as s:
        return users.create(s, actor, customer_id, AccountUserCreate(**body), events, T0)


def _user_events(db, user_id):
    with db() as s:
        rows = s.execute(select(outbox.c.payload).order_by(outbox.c.id)).scalars().all()
    return [r for r in rows if r.get("event_type") == "account_user_changed"
            and r["user_id"] == user_id]


def test_main_user_is_the_account_admin_and_listed(accounts_db, owner, events):
    account = _account(accounts_db, owner, events)
    with accounts_db() as s:
        page = users.list_users(s, owner, account["id"])
    assert page["total"] == 1
    main = page["items"][0]
    assert main["main"] and main["account_role"] == "account_admin"
    assert main["identifier"] == account["identifier"] and not main["has_pin"]


def test_create_update_delete_with_versioned_events(accounts_db, owner, events):
    account = _account(accounts_db, owner, events)
    made = _user(accounts_db, owner, events, account["id"], extension="201")
    assert made["display_name"] == "Ada Lovelace" and made["version"] == 1
    assert made["account_role"] == "user" and made["language"] == account["language"]
    with accounts_db.begin() as s:
        changed = users.update(s, owner, account["id"], made["id"],
                               AccountUserUpdate(last_name="King", extension="202",
                                                 version=1), events, T0)
    assert changed["display_name"] == "Ada King" and changed["extension"] == "202"
    assert changed["version"] == 2
    with accounts_db.begin() as s:
        gone = users.delete(s, owner, account["id"], made["id"], events, T0)
    assert gone["deleted"] and gone["version"] == 3
    published = _user_events(accounts_db, made["id"])
    assert [(e["version"], e["deleted"], e["extension"]) for e in published] == [
        (1, False, "201"), (2, False, "202"), (3, True, "202")]
    for e in published:  # each payload holds to the contract
        AccountUserChanged.model_validate(e)
    with accounts_db() as s, pytest.raises(NotFound):
        users.get(s, owner, account["id"], made["id"])


def test_stale_version_is_refused(accounts_db, owner, events):
    account = _account(accounts_db, owner, events)
    made = _user(accounts_db, owner, events, account["id"])
    with accounts_db.begin() as s:
        users.update(s, owner, account["id"], made["id"], AccountUserUpdate(language="en"),
                     events, T0)
    with accounts_db.begin() as s, pytest.raises(Conflict) as err:
        users.update(s, owner, account["id"], made["id"],
                     AccountUserUpdate(language="fr", version=1), events, T0)
    assert err.value.details[0]["field"] == "version"


def test_extension_unique_within_the_account_only(accounts_db, owner, events):
    one, two = _account(accounts_db, owner, events), _account(accounts_db, owner, events)
    _user(accounts_db, owner, events, one["id"], extension="300")
    with pytest.raises(Conflict) as err:
        _user(accounts_db, owner, events, one["id"], extension="300")
    assert err.value.details[0]["field"] == "extension"
    assert _user(accounts_db, owner, events, two["id"], extension="300")["extension"] == "300"
    other = _user(accounts_db, owner, events, one["id"], extension="301")
    with accounts_db.begin() as s, pytest.raises(Conflict) as err:
        users.update(s, owner, one["id"], other["id"], AccountUserUpdate(extension="300"),
                     events, T0)
    assert err.value.details[0]["field"] == "extension"


def test_email_unique_across_the_platform(accounts_db, owner, events):
    one, two = _account(accounts_db, owner, events), _account(accounts_db, owner, events)
    email = f"{unique()}@dup.example"
    _user(accounts_db, owner, events, one["id"], email=email)
    with pytest.raises(Conflict) as err:
        _user(accounts_db, owner, events, two["id"], email=email.upper())
    assert err.value.details[0]["field"] == "email"


def test_professional_has_exactly_one_user(accounts_db, owner, events):
    pro = _account(accounts_db, owner, events, kind="professional")
    with pytest.raises(Conflict) as err:
        _user(accounts_db, owner, events, pro["id"])
    assert "professional" in err.value.message
    with accounts_db() as s:
        assert users.count(s, pro["id"]) == 1


def test_main_user_cannot_be_deleted_nor_demoted(accounts_db, owner, events):
    account = _account(accounts_db, owner, events)
    with accounts_db() as s:
        main = users.list_users(s, owner, account["id"])["items"][0]
    with accounts_db.begin() as s, pytest.raises(Conflict):
        users.delete(s, owner, account["id"], main["id"], events, T0)
    with accounts_db.begin() as s, pytest.raises(Conflict) as err:
        users.update(s, owner, account["id"], main["id"],
                     AccountUserUpdate(account_role="user"), events, T0)
    assert err.value.details[0]["field"] == "account_role"


def test_main_users_email_is_the_accounts(accounts_db, owner, events):
    account = _account(accounts_db, owner, events)
    with accounts_db() as s:
        main = users.list_users(s, owner, account["id"])["items"][0]
    email = f"{unique()}@new.example"
    with accounts_db.begin() as s:
        users.update(s, owner, account["id"], main["id"], AccountUserUpdate(email=email),
                     events, T0)
    with accounts_db() as s:
        assert customers.get_scoped(s, owner, account["id"]).email == email


def test_who_may_manage(accounts_db, fast_hasher, owner, events):
    account = _account(accounts_db, owner, events)
    other_account = _account(accounts_db, owner, events)
    plain = _user(accounts_db, owner, events, account["id"])
    admin_user = _user(accounts_db, owner, events, account["id"], account_role="account_admin")
    as_plain = Actor(user_id=plain["id"], role=Role.CUSTOMER, reseller_id=owner.reseller_id,
                     customer_id=account["id"], account_role="user")
    as_admin = Actor(user_id=admin_user["id"], role=Role.CUSTOMER,
                     reseller_id=owner.reseller_id, customer_id=account["id"],
                     account_role="account_admin")
    legacy = Actor(user_id="main", role=Role.CUSTOMER, reseller_id=owner.reseller_id,
                   customer_id=account["id"])  # signed before account roles: an admin
    stranger = make_reseller(accounts_db, fast_hasher)
    foreign = Actor(user_id=stranger.user_id, role=Role.RESELLER,
                    reseller_id=stranger.reseller_id)
    with accounts_db() as s:
        assert users.get(s, as_plain, account["id"], plain["id"])["id"] == plain["id"]
        with pytest.raises(Forbidden):
            users.get(s, as_plain, account["id"], admin_user["id"])
        with pytest.raises(Forbidden):
            users.list_users(s, as_plain, account["id"])
        assert users.list_users(s, as_admin, account["id"])["total"] == 3
        assert users.list_users(s, legacy, account["id"])["total"] == 3
        for outsider, where in ((foreign, account["id"]), (as_admin, other_account["id"])):
            with pytest.raises(NotFound):
                users.list_users(s, outsider, where)
        with pytest.raises(NotFound):  # a user id of another account
            users.get(s, as_admin, account["id"], _user(
                accounts_db, owner, events, other_account["id"])["id"])
    with accounts_db.begin() as s, pytest.raises(Forbidden):
        users.create(s, as_plain, account["id"],
                     AccountUserCreate(email=f"{unique()}@u.example", display_name="X"),
                     events, T0)
    with accounts_db.begin() as s:
        made = users.create(s, as_admin, account["id"],
                            AccountUserCreate(email=f"{unique()}@u.example", display_name="Y"),
                            events, T0)
    assert made["customer_id"] == account["id"]


def test_upsert_by_email_is_idempotent(accounts_db, owner, events):
    account = _account(accounts_db, owner, events)
    row = AccountUserCreate(email=f"{unique()}@imp.example", first_name="Grace",
                            last_name="Hopper", extension="400")
    with accounts_db() as s:
        assert users.plan_upsert(s, owner, account["id"], row) == "create"
    with accounts_db.begin() as s:
        first = users.upsert_by_email(s, owner, account["id"], row, events, T0)
    with accounts_db() as s:
        assert users.plan_upsert(s, owner, account["id"], row) == "unchanged"
    with accounts_db.begin() as s:
        again = users.upsert_by_email(s, owner, account["id"], row, events, T0)
    assert (first["outcome"], again["outcome"]) == ("create", "unchanged")
    assert again["user"]["version"] == 1
    moved = row.model_copy(update={"extension": "401"})
    with accounts_db() as s:
        assert users.plan_upsert(s, owner, account["id"], moved) == "update"
    with accounts_db.begin() as s:
        third = users.upsert_by_email(s, owner, account["id"], moved, events, T0)
    assert third["outcome"] == "update" and third["user"]["extension"] == "401"
    with accounts_db() as s:
        assert users.count(s, account["id"]) == 2
        assert s.scalar(select(User.version).where(User.id == first["user"]["id"])) == 2


def test_search_and_closed_account(accounts_db, owner, events):
    account = _account(accounts_db, owner, events)
    _user(accounts_db, owner, events, account["id"], first_name="Zed", extension="555")
    with accounts_db() as s:
        assert users.list_users(s, owner, account["id"],
                                AccountUserQuery(q="555"))["total"] == 1
        assert users.list_users(s, owner, account["id"],
                                AccountUserQuery(q="zed"))["total"] == 1
    with accounts_db.begin() as s:
        customers.close(s, owner, account["id"], events, T0)
    with pytest.raises(Conflict):
        _user(accounts_db, owner, events, account["id"])
