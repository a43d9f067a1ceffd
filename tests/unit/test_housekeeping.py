"""Purge tasks against the real PostgreSQL: what has expired goes, what is live stays."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from sbcommon.consumer import PROCESSED_EVENTS, first_delivery
from sbcommon.housekeeping import processed_events_retention, purge_processed_events
from services.accounts.domain import auth
from services.accounts.models import ResetToken, WebSession
from services.accounts.settings import AccountsSettings
from tests.support import make_reseller

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SETTINGS = AccountsSettings(idle_timeout=600, reset_ttl=3600)


def _session_row(user_id: str, last_seen: datetime, expires: datetime) -> dict:
    return {"id": str(uuid.uuid4()), "token_hash": uuid.uuid4().hex + uuid.uuid4().hex,
            "user_id": user_id, "created_at": last_seen, "last_seen_at": last_seen,
            "expires_at": expires}


def test_ended_sessions_are_purged_and_live_ones_kept(accounts_db, fast_hasher):
    user = make_reseller(accounts_db, fast_hasher).user_id
    live = _session_row(user, NOW - timedelta(minutes=1), NOW + timedelta(hours=1))
    idle = _session_row(user, NOW - timedelta(minutes=11), NOW + timedelta(hours=1))
    expired = _session_row(user, NOW - timedelta(seconds=5), NOW - timedelta(seconds=1))
    with accounts_db.begin() as s:
        s.execute(insert(WebSession), [live, idle, expired])
    with accounts_db.begin() as s:
        assert auth.purge_ended_sessions(s, NOW, SETTINGS) >= 2
    with accounts_db() as s:
        left = set(s.scalars(select(WebSession.id).where(WebSession.user_id == user)))
    assert left == {live["id"]}


def test_reset_tokens_older_than_a_day_are_purged(accounts_db, fast_hasher):
    user = make_reseller(accounts_db, fast_hasher).user_id
    rows = [{"id": str(uuid.uuid4()), "token_hash": uuid.uuid4().hex + uuid.uuid4().hex,
             "user_id": user, "created_at": at, "expires_at": at + timedelta(hours=1),
             "used_at": used}
            for at, used in [(NOW - timedelta(days=2), None),
                             (NOW - timedelta(days=2), NOW - timedelta(days=2)),
                             (NOW - timedelta(minutes=30), None)]]
    with accounts_db.begin() as s:
        s.execute(insert(ResetToken), rows)
    with accounts_db.begin() as s:
        assert auth.purge_old_reset_tokens(s, NOW, SETTINGS) >= 2
    with accounts_db() as s:
        left = set(s.scalars(select(ResetToken.id).where(ResetToken.user_id == user)))
    assert left == {rows[2]["id"]}


def test_processed_event_marks_past_retention_are_purged(databases):
    sessions = databases["numbering"]
    old, recent = str(uuid.uuid4()), str(uuid.uuid4())
    with sessions.begin() as s:
        s.execute(insert(PROCESSED_EVENTS).values(
            event_id=old, consumer="test",
            processed_at=NOW - processed_events_retention() - timedelta(minutes=1)))
        s.execute(insert(PROCESSED_EVENTS).values(
            event_id=recent, consumer="test", processed_at=NOW - timedelta(days=1)))
    with sessions.begin() as s:
        assert purge_processed_events(s, NOW) >= 1
    with sessions.begin() as s:
        assert first_delivery(s, old, "test")  # forgotten: would be applied again
        assert not first_delivery(s, recent, "test")  # still recognised
