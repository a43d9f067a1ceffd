"""Events a service could not apply after every retry: count, list and replay them.

    python -m sbcommon.deadletters list SERVICE [--limit N]
    python -m sbcommon.deadletters replay SERVICE [--limit N] [--event-id ID]

``replay`` moves parked events back to the service's queue with their attempt count reset
(after the cause was fixed); a handler that already applied an event skips it, so replaying
twice is harmless. Uses ``AMQP_URI`` like the services.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from kombu import Connection, Exchange, Queue

from .config import amqp_uri
from .consumer import (
    ATTEMPT_HEADER,
    ERROR_HEADER,
    SOURCE_HEADER,
    TYPE_HEADER,
    dead_queue,
    publish,
    service_queue_name,
)


def count(uri: str, service: str) -> int:
    """Parked events of ``service`` (0 when its dead-letter queue does not exist yet)."""
    with Connection(uri, connect_timeout=2) as conn:
        channel = conn.channel()
        try:
            return channel.queue_declare(dead_queue(service).name, passive=True).message_count
        except Exception:  # the queue does not exist: nothing was ever parked
            return 0


def _summary(message: Any) -> dict[str, Any]:
    headers = message.headers or {}
    body = message.decode() if message.body else None
    return {"event_id": body.get("event_id") if isinstance(body, dict) else None,
            "event": f"{headers.get(SOURCE_HEADER)}.{headers.get(TYPE_HEADER)}",
            "attempts": headers.get(ATTEMPT_HEADER), "error": headers.get(ERROR_HEADER)}


def list_parked(uri: str, service: str, limit: int = 100) -> list[dict[str, Any]]:
    """Read without removing: every message fetched goes back when the channel closes."""
    out = []
    with Connection(uri) as conn:
        queue = dead_queue(service)(conn.channel())
        queue.declare()
        for _ in range(limit):
            message = queue.get(no_ack=False)
            if message is None:
                break
            out.append(_summary(message))
    return out


def replay(uri: str, service: str, limit: int = 1000, event_id: str | None = None) -> int:
    """Move parked events back to the service queue; returns how many were moved."""
    moved = 0
    target = Queue(service_queue_name(service), exchange=Exchange(""), durable=True,
                   no_declare=True)
    with Connection(uri) as conn:
        queue = dead_queue(service)(conn.channel())
        queue.declare()
        skipped = []
        while moved < limit:
            message = queue.get(no_ack=False)
            if message is None:
                break
            body = message.decode()
            if event_id and (not isinstance(body, dict) or body.get("event_id") != event_id):
                skipped.append(message)
                continue
            headers = {k: v for k, v in (message.headers or {}).items() if k != ERROR_HEADER}
            headers[ATTEMPT_HEADER] = 0
            publish(uri, body, target, headers)
            message.ack()
            moved += 1
        for message in skipped:
            message.requeue()
    return moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sbcommon.deadletters",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["list", "count", "replay"])
    parser.add_argument("service")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--event-id")
    args = parser.parse_args(argv)
    uri = amqp_uri()
    if args.action == "count":
        print(count(uri, args.service))
    elif args.action == "list":
        for row in list_parked(uri, args.service, args.limit):
            print(json.dumps(row, ensure_ascii=False))
    else:
        print(f"replayed {replay(uri, args.service, args.limit, args.event_id)} event(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
