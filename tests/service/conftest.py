"""The probe service (tests/service/probe_service.py) as a real process, for the outbox
and consumer tests."""

from __future__ import annotations

import time

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from sbcommon.config import amqp_uri, database_url
from sbcommon.db import make_engine
from sbcommon.migrate import drop_database, ensure_database
from tests.service import probe_service
from tests.support import EventListener, Platform, free_port, purge_queues


@pytest.fixture(scope="session")
def probe(platform):
    url = database_url("outboxprobe")
    purge_queues("outboxprobe")
    drop_database(url)
    ensure_database(url)
    engine = make_engine(url, pool_size=2)
    probe_service.metadata.create_all(engine)
    plat = Platform(base_url=f"http://127.0.0.1:{free_port()}", env=platform.env)
    # Few, quick retries: the consumer tests wait for events to be parked.
    proc = plat.add("accounts", "tests.service.probe_service", suffix="-probe",
                    SB_EVENT_MAX_ATTEMPTS="3", SB_EVENT_RETRY_BASE_SECONDS="0.2",
                    SB_EVENT_RETRY_MAX_SECONDS="0.5")
    with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=30) as rpc:
        for _ in range(100):
            try:
                rpc.outboxprobe.applied_count("warmup")
                break
            except Exception:
                if proc.proc.poll() is not None:
                    raise RuntimeError(proc.log_text()) from None
                time.sleep(0.2)
        yield rpc, engine
    plat.stop()
    engine.dispose()


@pytest.fixture
def listener(probe):
    events = EventListener(amqp_uri(), "outboxprobe")
    yield events
    events.close()
