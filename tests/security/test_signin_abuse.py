"""Sign-in abuse: parallel guesses all counted, one answer for locked / wrong / unknown, a
limit per IPv6 /64 shared by every replica, recovery links a stranger cannot use up, and
links that die with a password change."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from sbcommon.errors import Invalid, TooManyRequests, Unauthorized
from sbcommon.outbox import EventRecorder
from services.accounts.domain import auth
from services.accounts.domain.passwords import Hasher
from services.accounts.models import User, outbox
from services.accounts.settings import AccountsSettings
from tests.support import make_reseller, unique

SETTINGS = AccountsSettings()


def _login(base_url: str, identifier: str, password: str) -> requests.Response:
    return requests.post(f"{base_url}/api/v1/auth/login", timeout=30,
                         json={"identifier": identifier, "password": password})


def test_twenty_parallel_wrong_passwords_are_counted_twenty_times(platform, accounts_db,
                                                                    fast_hasher):
    victim = make_reseller(accounts_db, fast_hasher)
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda i: _login(platform.base_url, victim.identifier,
                                                 f"guess-{i}-wrong"), range(20)))
    assert {a.status_code for a in answers} == {401}
    with accounts_db() as s:
        counted = s.scalar(select(User.failed_logins).where(User.id == victim.user_id))
    assert counted == 20


def test_locked_wrong_and_unknown_get_the_same_answer_in_the_same_time(platform, accounts_db):
    real = Hasher()  # the service's own cost, as every stored hash has in production
    locked = make_reseller(accounts_db, real)
    other = make_reseller(accounts_db, real)
    for _ in range(SETTINGS.max_failures):  # hold `locked` back for this address
        _login(platform.base_url, locked.identifier, "not-the-password")
    cases = {
        "locked (right password)": (locked.identifier, locked.password),
        "wrong password": (other.identifier, "not-the-password"),
        "unknown identifier": (unique("ghost"), "not-the-password"),
    }
    bodies, times = {}, {}
    for name, (identifier, password) in cases.items():
        durations = []
        for _ in range(3):
            start = time.monotonic()
            resp = _login(platform.base_url, identifier, password)
            durations.append(time.monotonic() - start)
            assert resp.status_code == 401, (name, resp.text)
            assert "Retry-After" not in resp.headers, name
            bodies[name] = resp.json()
        times[name] = statistics.median(durations)
    print("\nmedian answer time: " + ", ".join(f"{n} {t * 1000:.0f} ms"
                                               for n, t in times.items()))
    assert len({str(b) for b in bodies.values()}) == 1, bodies
    # One class: each checked a password hash (the same cost), none answered at once.
    slowest, fastest = max(times.values()), min(times.values())
    assert fastest > slowest / 4, times


def test_the_address_limit_covers_an_ipv6_slash_64_and_is_in_the_database(accounts_db,
                                                                          fast_hasher):
    """Addresses within one /64 share one budget; the count lives in PostgreSQL, so every
    accounts replica (each with its own session here) sees the same."""
    now = datetime.now(UTC)
    prefix = f"2001:db8:{int(time.time()) % 65536:x}:{unique()[-4:]}"
    results = []
    for i in range(SETTINGS.ip_failures_per_minute + 1):
        with accounts_db.begin() as s:  # a new connection each time, like another replica
            results.append(auth.login(s, fast_hasher, SETTINGS, unique("spray"), "x", now,
                                      client_ip=f"{prefix}::{i + 1:x}"))
    assert all(isinstance(r, Unauthorized) for r in results[:-1])
    assert isinstance(results[-1], TooManyRequests)
    assert results[-1].details["retry_after"] > 0
    with accounts_db.begin() as s:  # a neighbouring /64 is not affected
        fine = auth.login(s, fast_hasher, SETTINGS, unique("spray"), "x", now,
                          client_ip="2001:db8:ffff:1::1")
    assert isinstance(fine, Unauthorized)


def test_strangers_cannot_use_up_the_owners_recovery_quota(accounts_db, fast_hasher):
    owner = make_reseller(accounts_db, fast_hasher)
    events = EventRecorder(outbox)
    now = datetime.now(UTC)
    stranger_links = []
    for i in range(SETTINGS.reset_per_hour + 2):
        with accounts_db.begin() as s:
            stranger_links.append(auth.request_reset(
                s, events, SETTINGS, owner.identifier, now + timedelta(seconds=i),
                client_ip="203.0.113.66"))
    assert sum(1 for t in stranger_links if t) == SETTINGS.reset_per_hour
    with accounts_db.begin() as s:
        mine = auth.request_reset(s, events, SETTINGS, owner.email, now + timedelta(minutes=1),
                                  client_ip="198.51.100.20")
    assert mine, "the owner, from its own network, still gets a link"


def test_a_password_change_ends_every_outstanding_reset_link(accounts_db, fast_hasher):
    owner = make_reseller(accounts_db, fast_hasher)
    events = EventRecorder(outbox)
    now = datetime.now(UTC)
    with accounts_db.begin() as s:
        link = auth.request_reset(s, events, SETTINGS, owner.identifier, now,
                                  client_ip="203.0.113.9")
    assert link
    with accounts_db.begin() as s:
        user = s.get(User, owner.user_id)
        assert auth.change_password(s, fast_hasher, SETTINGS, user, owner.password,
                                    "a-brand-new-password", None, now) is None
    with accounts_db.begin() as s, pytest.raises(Invalid, match="invalid"):
        auth.reset_password(s, fast_hasher, link, "attacker-chosen-1", now)
