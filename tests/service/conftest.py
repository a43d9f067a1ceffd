"""The probe service (tests/service/probe_service.py) as a real process, for the outbox
and consumer tests."""

from __future__ import annotations

import pytest

from sbcommon.config import amqp_uri
from tests.service import probe_service
from tests.support import EventListener, probe_process, purge_queues


@pytest.fixture(scope="session")
def probe(platform):
    purge_queues("outboxprobe")
    # Few, quick retries: the consumer tests wait for events to be parked.
    with probe_process("outboxprobe", "tests.service.probe_service", probe_service.metadata,
                       platform.env, lambda rpc: rpc.outboxprobe.applied_count("warmup"),
                       SB_EVENT_MAX_ATTEMPTS="3", SB_EVENT_RETRY_BASE_SECONDS="0.2",
                       SB_EVENT_RETRY_MAX_SECONDS="0.5") as (rpc, engine):
        yield rpc, engine


@pytest.fixture
def listener(probe):
    events = EventListener(amqp_uri(), "outboxprobe")
    yield events
    events.close()
