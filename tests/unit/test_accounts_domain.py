"""Domain modules of the accounts service against the real PostgreSQL (no broker)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import CustomerCreate, CustomerQuery, CustomerUpdate
from sbcommon.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from sbcommon.outbox import EventRecorder
from services.accounts.domain import auth, customers
from services.accounts.domain import signin_limits as limits
from services.accounts.models import ResetToken, WebSession, outbox
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
    actor = Actor(user_id=made.user_id, role=Role.RESELLER, reseller_id=made.reseller_id)
    return made, actor


def _create(accounts_db, actor, events, **fields):
    body = {"kind": "company", "name": f"Co {unique()}", "email": f"{unique()}@x.example",
            "start": "trial", **fields}
    with accounts_db.begin() as s:
        return customers.create(s, actor, CustomerCreate(**body), SETTINGS, events, T0)


def test_create_records_customer_created_in_the_same_transaction(accounts_db, owner, events):
    _, actor = owner
    body = CustomerCreate(kind="company", name=f"Co {unique()}", email=f"{unique()}@x.example",
                          start="trial")
    with accounts_db.begin() as s:
        made = customers.create(s, actor, body, SETTINGS, events, T0)
        # Inside the transaction: the event row is there, invisible to any relay until commit.
        rows = s.execute(select(outbox.c.payload)).scalars().all()
        mine = [r for r in rows if r.get("customer_id") == made["id"]]
    assert [r["event_type"] for r in mine] == ["customer_created"]
    assert mine[0]["reseller_id"] == actor.reseller_id and mine[0]["event_id"]
    assert made["trial_ends_at"] == (T0 + timedelta(days=30)).isoformat().replace(
        "+00:00", "Z")


def test_failed_transaction_leaves_no_customer_and_no_event(accounts_db, owner, events):
    _, actor = owner
    name = f"Rollback {unique()}"
    with pytest.raises(RuntimeError), accounts_db.begin() as s:
        customers.create(s, actor, CustomerCreate(kind="company", name=name,
                                                  email=f"{unique()}@x.example",
                                                  start="trial"), SETTINGS, events, T0)
        raise RuntimeError("crash before commit")
    with accounts_db() as s:
        page = customers.search(s, actor, CustomerQuery(q=name))
        assert page["total"] == 0
        rows = s.execute(select(outbox.c.payload)).scalars().all()
        assert not [r for r in rows if r.get("name") == name]


def test_scope_hides_other_tenants(accounts_db, fast_hasher, owner, events):
    _, actor = owner
    mine = _create(accounts_db, actor, events)
    other = make_reseller(accounts_db, fast_hasher)
    intruder = Actor(user_id=other.user_id, role=Role.RESELLER, reseller_id=other.reseller_id)
    admin = Actor(user_id="admin", role=Role.ADMIN)
    with accounts_db() as s:
        with pytest.raises(NotFound):
            customers.get_scoped(s, intruder, mine["id"])
        assert customers.get_scoped(s, admin, mine["id"]).id == mine["id"]
        assert customers.search(s, intruder, CustomerQuery(q=mine["email"]))["total"] == 0
    subscriber = Actor(user_id="u", role=Role.CUSTOMER, reseller_id=actor.reseller_id,
                       customer_id=mine["id"])
    sibling = _create(accounts_db, actor, events)
    with accounts_db() as s:
        assert customers.get_scoped(s, subscriber, mine["id"]).id == mine["id"]
        with pytest.raises(NotFound):
            customers.get_scoped(s, subscriber, sibling["id"])


def test_subscriber_cannot_change_status_or_create(accounts_db, owner, events):
    _, actor = owner
    mine = _create(accounts_db, actor, events)
    subscriber = Actor(user_id="u", role=Role.CUSTOMER, reseller_id=actor.reseller_id,
                       customer_id=mine["id"])
    with accounts_db.begin() as s, pytest.raises(Forbidden):
        customers.update(s, subscriber, mine["id"], CustomerUpdate(status="production"),
                         SETTINGS, events, T0)
    with accounts_db.begin() as s, pytest.raises(Forbidden):
        customers.create(s, subscriber, CustomerCreate(kind="company", name="x",
                                                       email="x@y.example", start="trial"),
                         SETTINGS, events, T0)


@pytest.mark.parametrize("start, target, allowed", [
    ("trial", "production", True), ("trial", "suspended", True),
    ("production", "trial", False), ("production", "suspended", True),
])
def test_status_transitions(accounts_db, owner, events, start, target, allowed):
    _, actor = owner
    made = _create(accounts_db, actor, events, start=start)
    with accounts_db.begin() as s:
        if allowed:
            out = customers.update(s, actor, made["id"], CustomerUpdate(status=target),
                                   SETTINGS, events, T0)
            assert out["status"] == target
        else:
            with pytest.raises(Conflict):
                customers.update(s, actor, made["id"], CustomerUpdate(status=target),
                                 SETTINGS, events, T0)


def test_reopen_is_admin_only(accounts_db, owner, events):
    _, actor = owner
    made = _create(accounts_db, actor, events)
    with accounts_db.begin() as s:
        customers.close(s, actor, made["id"], events, T0)
    with accounts_db.begin() as s, pytest.raises(Forbidden):
        customers.reopen(s, actor, made["id"], events, T0)
    with accounts_db.begin() as s:
        out = customers.reopen(s, Actor(user_id="a", role=Role.ADMIN), made["id"], events, T0)
    assert out["status"] == "production" and out["closed_at"] is None


def test_counts_per_kind_and_status(accounts_db, owner, events):
    _, actor = owner
    _create(accounts_db, actor, events, kind="professional", start="production")
    _create(accounts_db, actor, events, kind="company")
    with accounts_db() as s:
        counts = customers.counts(s, actor)
    assert counts["professional"] == 1 and counts["company"] == 1
    assert counts["trial"] == 1 and counts["production"] == 1


# -- authentication -----------------------------------------------------------------------
def test_login_by_identifier_or_email_case_insensitive(accounts_db, fast_hasher, owner):
    made, _ = owner
    for name in (made.identifier, made.email.upper()):
        with accounts_db.begin() as s:
            result = auth.login(s, fast_hasher, SETTINGS, name, made.password, T0)
        assert isinstance(result, auth.LoginResult), name


def test_backoff_holds_back_a_stranger_not_the_owner(accounts_db, fast_hasher, owner):
    """Guesses from one network hold the account back *there*, answering exactly like a
    wrong password; the owner signing in from another network is not locked out."""
    made, _ = owner
    stranger, home = "203.0.113.7", "198.51.100.9"
    for i in range(SETTINGS.max_failures):
        with accounts_db.begin() as s:
            result = auth.login(s, fast_hasher, SETTINGS, made.identifier, "wrong", T0, stranger)
        assert isinstance(result, Unauthorized), i
    with accounts_db.begin() as s:
        held = auth.login(s, fast_hasher, SETTINGS, made.identifier, made.password, T0,
                          stranger)
    assert isinstance(held, Unauthorized)
    assert held.to_dict() == Unauthorized(auth.BAD_CREDENTIALS).to_dict()
    with accounts_db.begin() as s:
        owner_in = auth.login(s, fast_hasher, SETTINGS, made.identifier, made.password, T0,
                              home)
    assert isinstance(owner_in, auth.LoginResult)
    later = T0 + timedelta(seconds=SETTINGS.lockout_base + 1)
    with accounts_db.begin() as s:  # the window ended; guessing on starts a doubled one
        again = auth.login(s, fast_hasher, SETTINGS, made.identifier, "wrong", later, stranger)
    assert isinstance(again, Unauthorized)
    for _ in range(SETTINGS.max_failures):
        with accounts_db.begin() as s:
            auth.login(s, fast_hasher, SETTINGS, made.identifier, "wrong", later, stranger)
    after_first_window = later + timedelta(seconds=SETTINGS.lockout_base + 1)
    with accounts_db.begin() as s:
        still = auth.login(s, fast_hasher, SETTINGS, made.identifier, made.password,
                           after_first_window, stranger)
    assert isinstance(still, Unauthorized)  # the second window is twice as long
    much_later = later + timedelta(seconds=SETTINGS.lockout_max + 1)
    with accounts_db.begin() as s:
        ok = auth.login(s, fast_hasher, SETTINGS, made.identifier, made.password, much_later,
                        stranger)
    assert isinstance(ok, auth.LoginResult)


def test_network_of_an_address():
    assert limits.network("2001:db8:1:2:aaaa::1") == limits.network("2001:db8:1:2:bbbb::9")
    assert limits.network("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert limits.network("2001:db8:1:3::1") != limits.network("2001:db8:1:2::1")
    assert limits.network("::ffff:192.0.2.1") == "192.0.2.1"
    assert limits.network("192.0.2.1") != limits.network("192.0.2.2")


def _session_for(accounts_db, fast_hasher, made, now=T0):
    with accounts_db.begin() as s:
        return auth.login(s, fast_hasher, SETTINGS, made.identifier, made.password, now).token


def test_session_idle_expiry_and_touch(accounts_db, fast_hasher, owner):
    made, _ = owner
    token = _session_for(accounts_db, fast_hasher, made)
    step = timedelta(seconds=SETTINGS.idle_timeout - 30)
    now = T0
    for _ in range(3):  # activity keeps it alive past one idle period
        now += step
        with accounts_db.begin() as s:
            auth.resolve_session(s, token, SETTINGS, now)
    idle = now + timedelta(seconds=SETTINGS.idle_timeout)
    with accounts_db.begin() as s, pytest.raises(Unauthorized):
        auth.resolve_session(s, token, SETTINGS, idle)
    # an expired session is removed, not just refused
    with accounts_db.begin() as s, pytest.raises(Unauthorized):
        auth.resolve_session(s, token, SETTINGS, now)


def test_session_absolute_lifetime(accounts_db, fast_hasher, owner):
    made, _ = owner
    token = _session_for(accounts_db, fast_hasher, made)
    now = T0
    while now < T0 + timedelta(seconds=SETTINGS.session_lifetime - 300):
        now += timedelta(seconds=300)
        with accounts_db.begin() as s:
            auth.resolve_session(s, token, SETTINGS, now)
    with accounts_db.begin() as s, pytest.raises(Unauthorized):
        auth.resolve_session(s, token, SETTINGS, T0 + timedelta(seconds=SETTINGS.session_lifetime))


def test_only_the_token_hash_is_stored(accounts_db, fast_hasher, owner):
    made, _ = owner
    token = _session_for(accounts_db, fast_hasher, made)
    with accounts_db() as s:
        stored = s.scalars(select(WebSession.token_hash).where(
            WebSession.user_id == made.user_id)).all()
    assert token not in stored and len(stored[-1]) == 64


def test_reset_token_single_use_and_expiry(accounts_db, fast_hasher, owner, events):
    made, _ = owner
    with accounts_db.begin() as s:
        token = auth.request_reset(s, events, SETTINGS, made.email, T0)
    assert token
    with accounts_db.begin() as s:
        auth.reset_password(s, fast_hasher, token, "brand-new-pass", T0 + timedelta(minutes=5))
    with accounts_db.begin() as s, pytest.raises(Invalid):
        auth.reset_password(s, fast_hasher, token, "another-pass", T0 + timedelta(minutes=6))
    with accounts_db.begin() as s:
        late = auth.request_reset(s, events, SETTINGS, made.identifier, T0)
    with accounts_db.begin() as s, pytest.raises(Invalid):
        auth.reset_password(s, fast_hasher, late, "too-late-pass",
                            T0 + timedelta(seconds=SETTINGS.reset_ttl + 1))
    with accounts_db.begin() as s:
        result = auth.login(s, fast_hasher, SETTINGS, made.identifier, "brand-new-pass",
                            T0 + timedelta(minutes=7))
    assert isinstance(result, auth.LoginResult)


def test_reset_requests_are_capped_per_hour_and_silent_for_unknowns(accounts_db, owner,
                                                                     events):
    made, _ = owner
    with accounts_db.begin() as s:
        assert auth.request_reset(s, events, SETTINGS, f"nobody-{unique()}", T0) is None
    issued = []
    for i in range(SETTINGS.reset_per_hour + 2):
        with accounts_db.begin() as s:
            issued.append(auth.request_reset(s, events, SETTINGS, made.identifier,
                                             T0 + timedelta(minutes=i)))
    assert sum(1 for t in issued if t) == SETTINGS.reset_per_hour
    with accounts_db() as s:
        n = len(s.scalars(select(ResetToken).where(ResetToken.user_id == made.user_id)).all())
    assert n == SETTINGS.reset_per_hour


def test_change_password_needs_current_and_ends_other_sessions(accounts_db, fast_hasher, owner):
    made, _ = owner
    keep = _session_for(accounts_db, fast_hasher, made)
    other = _session_for(accounts_db, fast_hasher, made)
    with accounts_db.begin() as s:
        web, user = auth.resolve_session(s, keep, SETTINGS, T0)
        error = auth.change_password(s, fast_hasher, SETTINGS, user, "wrong", "new-password-1",
                                     web.id, T0)
    assert isinstance(error, Invalid)
    with accounts_db.begin() as s:
        web, user = auth.resolve_session(s, keep, SETTINGS, T0)
        assert auth.change_password(s, fast_hasher, SETTINGS, user, made.password,
                                    "new-password-1", web.id, T0) is None
    with accounts_db.begin() as s:
        auth.resolve_session(s, keep, SETTINGS, T0)
    with accounts_db.begin() as s, pytest.raises(Unauthorized):
        auth.resolve_session(s, other, SETTINGS, T0)
