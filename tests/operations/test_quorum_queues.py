"""SB_EVENT_QUEUE_TYPE=quorum (set in the Kubernetes manifests) declares a service's event,
retry and dead-letter queues as quorum queues on a real broker; unset, they stay classic."""

from __future__ import annotations

import subprocess
import uuid

from kombu import Connection

from sbcommon import consumer
from sbcommon.config import amqp_uri
from tests.support import require_tool


def queue_types(vhost: str, prefix: str) -> dict[str, str]:
    tool = require_tool("rabbitmqctl")
    listed = subprocess.run([tool, "-q", "list_queues", "-p", vhost, "name", "type"],
                            capture_output=True, text=True, timeout=60, check=True).stdout
    rows = (line.split() for line in listed.splitlines())
    return {r[0]: r[1] for r in rows if len(r) == 2 and r[0].startswith(prefix)}


def test_event_queues_are_quorum_queues_when_asked(monkeypatch):
    service = f"quorum{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("SB_EVENT_QUEUE_TYPE", "quorum")
    queues = [consumer.dead_queue(service), consumer.retry_queue(service, 500)]
    monkeypatch.delenv("SB_EVENT_QUEUE_TYPE")
    classic = consumer.dead_queue(f"classic{service}")
    uri = amqp_uri()
    with Connection(uri) as conn:
        channel = conn.channel()
        try:
            for queue in [*queues, classic]:
                queue(channel).declare()
            types = queue_types(uri.rsplit("/", 1)[-1], "evt-")
            assert types[f"evt-{service}.dead"] == "quorum"
            assert types[f"evt-{service}.retry.500"] == "quorum"
            assert types[classic.name] == "classic"
        finally:
            for queue in [*queues, classic]:
                queue(channel).delete()
