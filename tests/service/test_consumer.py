"""The shared event consumer with a real service, broker and database: a failing handler is
retried with back-off and applied once, a poison event is parked in the dead-letter queue
while the others keep flowing, and a parked event can be replayed."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

from nameko.standalone.events import event_dispatcher

from sbcommon import deadletters
from sbcommon.config import amqp_uri


def _dispatch(item: str) -> str:
    event_id = str(uuid.uuid4())
    event_dispatcher({"AMQP_URI": amqp_uri()})("outboxprobe", "item_written", {
        "event_id": event_id, "event_type": "item_written", "item_id": item,
        "occurred_at": datetime.now(UTC).isoformat()})
    return event_id


def _wait(condition, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _parked(event_id: str) -> list[dict]:
    return [row for row in deadletters.list_parked(amqp_uri(), "outboxprobe")
            if row["event_id"] == event_id]


def test_a_failing_handler_is_retried_and_applied_once(probe):
    rpc, _ = probe
    item = f"flaky2-{uuid.uuid4()}"
    _dispatch(item)
    assert _wait(lambda: rpc.outboxprobe.applied_count(item) == 1)
    assert rpc.outboxprobe.attempt_count(item) == 3  # two failures, then applied
    time.sleep(0.5)
    assert rpc.outboxprobe.applied_count(item) == 1


def test_a_poison_event_is_parked_and_the_others_keep_flowing(probe):
    rpc, _ = probe
    poison = f"poison-{uuid.uuid4()}"
    poison_id = _dispatch(poison)
    healthy = [f"ok-{uuid.uuid4()}" for _ in range(5)]
    for item in healthy:
        _dispatch(item)
    assert _wait(lambda: all(rpc.outboxprobe.applied_count(i) == 1 for i in healthy))
    assert _wait(lambda: bool(_parked(poison_id)))
    [row] = _parked(poison_id)
    assert row["event"] == "outboxprobe.item_written"
    assert row["attempts"] == 3
    assert "cannot apply" in row["error"]
    assert rpc.outboxprobe.attempt_count(poison) == 3
    assert rpc.outboxprobe.applied_count(poison) == 0
    assert deadletters.count(amqp_uri(), "outboxprobe") >= 1


def test_a_parked_event_is_replayed_by_the_operator_command(probe):
    rpc, _ = probe
    item = f"flaky4-{uuid.uuid4()}"  # fails 4 times: parked after 3, applied on replay
    event_id = _dispatch(item)
    assert _wait(lambda: bool(_parked(event_id)))
    assert rpc.outboxprobe.applied_count(item) == 0
    moved = deadletters.main(["replay", "outboxprobe", "--event-id", event_id])
    assert moved == 0  # exit status
    assert _wait(lambda: rpc.outboxprobe.applied_count(item) == 1)
    assert rpc.outboxprobe.attempt_count(item) == 5
    assert not _parked(event_id)
