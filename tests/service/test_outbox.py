"""The outbox with a real service, broker and database: an event goes out if and only if
its transaction commits; committed rows left behind are relayed; consumers de-duplicate."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
from nameko.standalone.events import event_dispatcher
from sqlalchemy import insert

from sbcommon.config import amqp_uri
from sbcommon.errors import Invalid
from tests.service import probe_service


def test_committed_change_publishes_its_event(probe, listener):
    rpc, _ = probe
    item = f"ok-{uuid.uuid4()}"
    rpc.outboxprobe.write(item)
    event = listener.wait_for(lambda e: e.get("item_id") == item, timeout=5)
    assert event is not None
    assert event["event_type"] == "item_written"
    assert uuid.UUID(event["event_id"]) and event["occurred_at"]


def test_rolled_back_change_publishes_nothing(probe, listener):
    rpc, _ = probe
    item = f"fail-{uuid.uuid4()}"
    with pytest.raises(Invalid):
        rpc.outboxprobe.write(item, fail=True)
    control = f"ok-{uuid.uuid4()}"
    rpc.outboxprobe.write(control)  # once this arrives, the failed one would have too
    assert listener.wait_for(lambda e: e.get("item_id") == control, timeout=5)
    listener.drain(1.5)  # past one poll interval of the relay
    assert not [e for e in listener.events if e.get("item_id") == item]


def test_rows_left_in_the_outbox_are_relayed(probe, listener):
    _, engine = probe
    item = f"orphan-{uuid.uuid4()}"
    event_id = str(uuid.uuid4())
    # As if a replica committed and died before relaying: no worker wakes the relay.
    with engine.begin() as conn:
        conn.execute(insert(probe_service.outbox).values(
            event_id=event_id, event_type="item_written", created_at=datetime.now(UTC),
            payload={"event_id": event_id, "event_type": "item_written", "item_id": item,
                     "occurred_at": datetime.now(UTC).isoformat()}))
    event = listener.wait_for(lambda e: e.get("item_id") == item, timeout=5)
    assert event is not None and event["event_id"] == event_id


def test_consumer_applies_a_redelivered_event_once(probe):
    rpc, _ = probe
    item = f"dup-{uuid.uuid4()}"
    payload = {"event_id": str(uuid.uuid4()), "event_type": "item_written", "item_id": item,
               "occurred_at": datetime.now(UTC).isoformat()}
    dispatch = event_dispatcher({"AMQP_URI": amqp_uri()})
    for _ in range(3):
        dispatch("outboxprobe", "item_written", payload)
    other = {**payload, "event_id": str(uuid.uuid4())}
    dispatch("outboxprobe", "item_written", other)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and rpc.outboxprobe.applied_count(item) < 2:
        time.sleep(0.1)
    time.sleep(0.5)
    assert rpc.outboxprobe.applied_count(item) == 2  # two distinct events, each once
