"""Idempotent mutations with a real nameko process, broker and PostgreSQL: a repeat answers
the stored outcome, concurrent duplicates run once, a request past its deadline never runs."""

from __future__ import annotations

import os
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import func, insert, select
from sqlalchemy.orm import sessionmaker

from sbcommon.actor import sign_actor
from sbcommon.config import amqp_uri
from sbcommon.errors import Conflict, Expired, Invalid, TooManyRequests
from sbcommon.idempotency import purge_expired_records
from tests.service import idempotency_probe as probe_service
from tests.support import probe_process

ACTOR = {"user_id": "u-1", "role": "admin"}
OTHER = {"user_id": "u-2", "role": "admin"}
CONFIG = {"AMQP_URI": amqp_uri()}


@pytest.fixture(scope="module")
def probe():
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "SB_HOUSEKEEPING_SECONDS": "1"}
    with probe_process("idemprobe", "tests.service.idempotency_probe", probe_service.metadata,
                       env, lambda rpc: rpc.idemprobe.started("warmup")) as (_, engine):
        yield sessionmaker(engine)


def call(key: str | None = None, deadline: float | None = None, actor: dict = ACTOR,
         **kwargs):
    """One RPC, as a caller naming it with ``key`` and waiting until ``deadline``."""
    context = {k: v for k, v in (("idempotency_key", key), ("deadline", deadline)) if v}
    with ClusterRpcProxy(CONFIG, context_data=context, timeout=30) as rpc:
        return rpc.idemprobe.add(sign_actor(actor), **kwargs)


def rows(sessions, item: str) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(probe_service.items)
                              .where(probe_service.items.c.id == item))


def started(item: str) -> int:
    with ClusterRpcProxy(CONFIG, timeout=30) as rpc:
        return rpc.idemprobe.started(item)


def new() -> tuple[str, str]:
    return f"item-{uuid.uuid4().hex[:12]}", str(uuid.uuid4())


def test_a_repeat_answers_the_first_result_without_running_again(probe):
    item, key = new()
    first = call(key, item_id=item, amount=3)
    again = call(key, item_id=item, amount=3)
    assert again == first  # the same run id, the same datetime (type included), the same token
    assert isinstance(first["at"], datetime)
    assert rows(probe, item) == 1 and started(item) == 1


def test_without_a_key_every_call_runs(probe):
    item, _ = new()
    call(item_id=item)
    with pytest.raises(Conflict) as failed:  # the unique violation, mapped to Conflict
        call(item_id=item)
    assert failed.value.message == "this item already exists"
    assert started(item) == 2


def test_the_same_key_with_another_request_or_user_is_refused(probe):
    item, key = new()
    call(key, item_id=item, amount=1)
    with pytest.raises(Invalid, match="different request"):
        call(key, item_id=item, amount=2)
    with pytest.raises(Invalid, match="another user"):
        call(key, actor=OTHER, item_id=item, amount=1)
    assert rows(probe, item) == 1 and started(item) == 1


def test_concurrent_duplicates_run_once_and_answer_alike(probe):
    item, key = new()
    answers: list = []

    def send() -> None:
        answers.append(call(key, item_id=item, sleep=1.0))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(answers) == 2 and answers[0] == answers[1]
    assert rows(probe, item) == 1 and started(item) == 1


def test_a_typed_error_is_the_answer_to_every_repeat(probe):
    item, key = new()
    for _ in range(2):
        with pytest.raises(Conflict, match="asked to conflict"):
            call(key, item_id=item, fail="conflict")
    assert rows(probe, item) == 0  # the work was undone, the error kept
    assert started(item) == 1


def test_a_returned_error_keeps_its_effects_and_is_answered_again(probe):
    item, key = new()
    for _ in range(2):
        with pytest.raises(Invalid, match="refuse after writing"):
            call(key, item_id=item, fail="returned")
    assert rows(probe, item) == 1 and started(item) == 1


def test_a_transient_error_frees_the_key_for_a_retry(probe):
    item, key = new()
    with pytest.raises(TooManyRequests):
        call(key, item_id=item, fail="transient")
    assert call(key, item_id=item)["item"] == item
    assert rows(probe, item) == 1 and started(item) == 2


def test_a_request_past_its_deadline_is_not_run(probe):
    item, key = new()
    with pytest.raises(Expired, match="expired before it ran"):
        call(key, deadline=time.time() - 0.1, item_id=item)
    assert rows(probe, item) == 0 and started(item) == 0
    # Nothing was stored: the caller's retry, with a new deadline, runs.
    assert call(key, deadline=time.time() + 10, item_id=item)["item"] == item
    assert rows(probe, item) == 1


def test_a_request_that_started_in_time_runs_exactly_once(probe):
    # The work outlives the caller's deadline: having started, it completes, and the
    # caller's retry with the same key (made while it runs) gets its answer.
    item, key = new()
    late: list = []
    slow = threading.Thread(target=lambda: late.append(
        call(key, deadline=time.time() + 0.5, item_id=item, sleep=1.5)))
    slow.start()
    time.sleep(0.6)
    retry = call(key, deadline=time.time() + 10, item_id=item, sleep=1.5)
    slow.join(timeout=30)
    assert late == [retry]
    assert rows(probe, item) == 1 and started(item) == 1


def test_secrets_in_a_result_are_stored_encrypted(probe):
    item, key = new()
    first = call(key, item_id=item)
    with probe() as session:
        stored = session.scalar(select(probe_service.idempotency.c.outcome).where(
            probe_service.idempotency.c.key == key))
    assert first["token"] not in str(stored) and item in str(stored)
    assert call(key, item_id=item)["token"] == first["token"]


@pytest.mark.parametrize("key, deadline", [("\x01bad", None), ("k" * 300, None),
                                            (None, "tomorrow")])
def test_a_malformed_key_or_deadline_is_refused(probe, key, deadline):
    item, _ = new()
    with pytest.raises(Invalid):
        call(key, deadline, item_id=item)
    assert started(item) == 0


def _record(key: str, age: timedelta) -> dict:
    return {"scope": "idemprobe.add", "key": key, "actor_id": "u", "fingerprint": "f",
            "status": "ok", "outcome": {}, "created_at": datetime.now(UTC) - age}


def test_the_service_purges_records_past_retention(probe):
    table = probe_service.idempotency
    with probe.begin() as session:  # the probe keeps 24 h and purges every second
        session.execute(insert(table), [_record("expired-1", timedelta(hours=25)),
                                        _record("kept-1", timedelta(hours=23))])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with probe() as session:
            keys = set(session.scalars(select(table.c.key).where(
                table.c.key.in_(["expired-1", "kept-1"]))))
        if keys == {"kept-1"}:
            with probe.begin() as session:
                session.execute(table.delete().where(table.c.key == "kept-1"))
            return
        time.sleep(0.2)
    raise AssertionError(f"not purged in time: {keys}")


def test_purge_deletes_only_what_is_past_retention(probe):
    table = probe_service.idempotency
    with probe.begin() as session:
        session.execute(insert(table), [_record(f"old-{i}", timedelta(hours=25))
                                        for i in range(7)] + [_record("recent", timedelta(0))])
    with probe.begin() as session:  # as if the hourly pass ran two hours from now
        assert purge_expired_records(session, datetime.now(UTC) + timedelta(hours=2)) >= 7
    with probe() as session:
        keys = set(session.scalars(select(table.c.key)))
    assert "recent" in keys and not any(k.startswith("old-") for k in keys)
