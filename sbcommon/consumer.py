"""One way to consume events: one durable queue per service, retries, a dead-letter queue.

nameko's ``@event_handler`` gives every handler method its own queue (so event types arrive
in any order) and acks a message whose handler raised (so one database blip loses the event).
Here every ``@handles`` method of a service shares the queue ``evt-<service>``, bound to each
``<source>.events`` exchange for the types it handles, and a message is acked only after its
handler returned, that is after the handler's transaction committed:

- the handler's effects and the "processed" mark of its ``event_id`` commit together, so a
  redelivered event is skipped and an event whose transaction failed is not marked;
- a handler that raises sends the event to a delay queue (``evt-<service>.retry.<ms>``,
  whose TTL dead-letters it back to the service queue) and only then acks the original, so a
  failure waits out a growing back-off instead of looping hot;
- after ``max_attempts`` the event is parked in ``evt-<service>.dead`` with its last error.
  ``python -m sbcommon.deadletters`` lists and replays parked events; health reports the count.

Delivery is at-least-once; with the processed mark the effect is applied once.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial, wraps
from typing import Any

from kombu import Exchange, Queue, binding
from nameko.constants import AMQP_URI_CONFIG_KEY
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import Entrypoint, ProviderCollector, SharedExtension
from nameko.messaging import HeaderDecoder, QueueConsumer
from nameko.standalone.events import get_event_exchange
from pydantic import BaseModel
from sqlalchemy import Column, DateTime, MetaData, String, Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from . import metrics
from .config import env, env_int
from .errors import Unavailable
from .logging import CORRELATION_KEY

log = logging.getLogger(__name__)

SOURCE_HEADER = "x-sb-source"
TYPE_HEADER = "x-sb-event-type"
ATTEMPT_HEADER = "x-sb-attempt"
ERROR_HEADER = "x-sb-error"
MAX_ERROR_TEXT = 2000



def processed_events_table(metadata: MetaData) -> Table:
    """Which events a service's handlers have applied (the de-duplication marks)."""
    return Table(
        "processed_events",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("consumer", String(100), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )


# For the DML only: every service has the same table in its own database.
PROCESSED_EVENTS = processed_events_table(MetaData())


@dataclass(frozen=True)
class RetryPolicy:
    """Back-off of a failing event: ``base`` seconds doubling up to ``cap``, then parked."""

    max_attempts: int = 8
    base_seconds: float = 0.5
    cap_seconds: float = 30.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        return cls(max_attempts=max(env_int("SB_EVENT_MAX_ATTEMPTS", 8), 1),
                   base_seconds=float(env("SB_EVENT_RETRY_BASE_SECONDS", "0.5")),
                   cap_seconds=float(env("SB_EVENT_RETRY_MAX_SECONDS", "30")))

    def delay_ms(self, failures: int) -> int:
        """Wait before the attempt that follows the ``failures``-th failure."""
        seconds = min(self.base_seconds * 2 ** (failures - 1), self.cap_seconds)
        return max(int(seconds * 1000), 1)


def queue_arguments(**extra: Any) -> dict[str, Any]:
    """Arguments of every event queue: ``SB_EVENT_QUEUE_TYPE=quorum`` declares them as
    quorum queues, replicated over the broker's nodes so one can fail (Kubernetes sets it;
    the single-node dev broker keeps the default). A queue cannot change type once declared:
    moving a running platform means draining and deleting the old queues first
    (docs/operations.md)."""
    kind = env("SB_EVENT_QUEUE_TYPE", "").strip()
    return {**({"x-queue-type": kind} if kind else {}), **extra}


def service_queue_name(service: str) -> str:
    return f"evt-{service}"


def dead_queue(service: str) -> Queue:
    return Queue(f"evt-{service}.dead", exchange=Exchange(""), durable=True,
                 queue_arguments=queue_arguments())


def retry_queue(service: str, delay_ms: int) -> Queue:
    # One queue per delay: a per-message TTL would let a long wait at the head of the
    # queue hold back the short ones behind it.
    return Queue(f"evt-{service}.retry.{delay_ms}", exchange=Exchange(""), durable=True,
                 queue_arguments=queue_arguments(**{
                     "x-message-ttl": delay_ms, "x-dead-letter-exchange": "",
                     "x-dead-letter-routing-key": service_queue_name(service)}))


def event_key(message: Any) -> tuple[str, str]:
    """(source service, event type) of a message, first delivery or retried copy."""
    headers = message.headers or {}
    if SOURCE_HEADER in headers:
        return headers[SOURCE_HEADER], headers[TYPE_HEADER]
    exchange = message.delivery_info.get("exchange", "")
    return exchange.removesuffix(".events"), message.delivery_info.get("routing_key", "")


class EventInbox(SharedExtension, ProviderCollector):
    """The service's one queue: declares it with a binding per handled event type and hands
    each message to the ``EventConsumer`` registered for its (source, type)."""

    queue_consumer = QueueConsumer()

    def __init__(self) -> None:
        super().__init__()
        self.policy = RetryPolicy()
        self.service = ""
        self._leaving = False

    def setup(self) -> None:
        self.service = self.container.service_name
        self.policy = RetryPolicy.from_env()
        self.queue_consumer.register_provider(self)
        metrics.register_scraped(
            "switchboard_event_dead_letters_parked",
            "Events waiting in the service's dead-letter queue for an operator",
            ["service"], partial(_parked, self.service))

    def unregister_provider(self, provider: Any) -> None:
        # Stop consuming as soon as the first handler leaves (the service is stopping), so
        # no message reaches a handler that is gone; unacked ones go back to the queue.
        if not self._leaving:
            self._leaving = True
            self.queue_consumer.unregister_provider(self)
        super().unregister_provider(provider)

    def stop(self) -> None:
        self.wait_for_providers()

    @property
    def amqp_uri(self) -> str:
        return self.container.config[AMQP_URI_CONFIG_KEY]

    @property
    def queue(self) -> Queue:
        bindings = [
            binding(get_event_exchange(p.source, self.container.config), routing_key=p.event_type)
            for p in self._providers
        ]
        return Queue(service_queue_name(self.service), bindings=bindings, durable=True,
                     queue_arguments=queue_arguments())

    def handle_message(self, body: Any, message: Any) -> None:
        key = event_key(message)
        provider = next((p for p in self._providers
                         if (p.source, p.event_type) == key), None)
        if provider is None and self._leaving:
            self.queue_consumer.requeue_message(message)
            return
        if provider is None:  # a binding left from an older version of the service
            log.warning("no handler for %s.%s on %s; dropped", *key, self.service)
            self.queue_consumer.ack_message(message)
            return
        provider.handle_message(body, message)

    def retry_or_park(self, body: Any, message: Any, exc_info: Any) -> None:
        """Publish the failed event to a delay queue (or the dead letters), then ack it."""
        source, event_type = event_key(message)
        failures = int((message.headers or {}).get(ATTEMPT_HEADER, 0)) + 1
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        headers = {**(message.headers or {}), SOURCE_HEADER: source, TYPE_HEADER: event_type,
                   ATTEMPT_HEADER: failures, ERROR_HEADER: error[:MAX_ERROR_TEXT]}
        event = f"{source}.{event_type}"
        if failures >= self.policy.max_attempts:
            target = dead_queue(self.service)
            metrics.EVENT_DEAD.labels(self.service, event).inc()
            log.error("event %s.%s %s parked in %s after %d attempts: %s", source,
                      event_type, _event_id(body), target.name, failures, error)
        else:
            target = retry_queue(self.service, self.policy.delay_ms(failures))
            metrics.EVENT_RETRIES.labels(self.service, event).inc()
            log.warning("event %s.%s %s failed (attempt %d), retried in %d ms: %s", source,
                        event_type, _event_id(body), failures,
                        self.policy.delay_ms(failures), error)
        try:
            publish(self.amqp_uri, body, target, headers)
        except Exception:
            # Not acked: the broker gives the message back when this connection goes.
            log.exception("could not re-queue event %s; it stays unacknowledged",
                          _event_id(body))
            self.queue_consumer.requeue_message(message)
            return
        self.queue_consumer.ack_message(message)


def publish(amqp_uri: str, body: Any, queue: Queue, headers: dict[str, Any]) -> None:
    """Publish ``body`` straight to ``queue`` (declared on the way) with publisher confirms."""
    from nameko.amqp.publish import Publisher

    Publisher(amqp_uri).publish(body, exchange=queue.exchange, routing_key=queue.name,
                                declare=[queue], headers=headers, delivery_mode=2,
                                mandatory=True,
                                retry=True, retry_policy={"max_retries": 3})


def _parked(service: str) -> Any:
    from .db import _dead_letters  # cached count, shared with the health check

    parked = _dead_letters(service)
    if parked is not None:
        yield [service], float(parked)


def _event_id(body: Any) -> str:
    return str(body.get("event_id", "?")) if isinstance(body, dict) else "?"


class EventConsumer(Entrypoint, HeaderDecoder):
    """Entrypoint of one (source, event type); the message is settled by its outcome."""

    inbox = EventInbox()

    def __init__(self, source: str, event_type: str, **kwargs: Any):
        self.source = source
        self.event_type = event_type
        super().__init__(**kwargs)

    def setup(self) -> None:
        self.inbox.register_provider(self)

    def stop(self) -> None:
        self.inbox.unregister_provider(self)
        super().stop()

    def handle_message(self, body: Any, message: Any) -> None:
        context_data = self.unpack_message_headers(message)
        if isinstance(body, dict):
            observe_lag(self.container.service_name, f"{self.source}.{self.event_type}", body)
            # the request that caused the event, for the handler's log lines and its RPCs
            if body.get(CORRELATION_KEY) and CORRELATION_KEY not in context_data:
                context_data[CORRELATION_KEY] = body[CORRELATION_KEY]
        try:
            self.container.spawn_worker(self, (body,), {}, context_data=context_data,
                                        handle_result=partial(self.handle_result, body,
                                                              message))
        except ContainerBeingKilled:
            self.inbox.queue_consumer.requeue_message(message)

    def handle_result(self, body: Any, message: Any, worker_ctx: Any, result: Any = None,
                      exc_info: Any = None) -> tuple[Any, Any]:
        if exc_info is None:
            self.inbox.queue_consumer.ack_message(message)
        else:
            self.inbox.retry_or_park(body, message, exc_info)
        return result, exc_info


def observe_lag(service: str, event: str, body: dict[str, Any]) -> None:
    """How long the event waited between its commit and its handler (outbox and queue)."""
    try:
        occurred = datetime.fromisoformat(str(body.get("occurred_at")))
    except ValueError:
        return
    lag = (datetime.now(UTC) - occurred).total_seconds()
    metrics.EVENT_LAG.labels(service, event).observe(max(lag, 0.0))


def first_delivery(session: Session, event_id: str, consumer: str) -> bool:
    """Mark ``event_id`` handled by ``consumer``; False if it already was (a redelivery)."""
    inserted = session.execute(
        pg_insert(PROCESSED_EVENTS)
        .values(event_id=event_id, consumer=consumer, processed_at=datetime.now(UTC))
        .on_conflict_do_nothing()
        .returning(PROCESSED_EVENTS.c.event_id)
    ).first()
    return inserted is not None


Handler = Callable[[Any, Session, Any], None]


def handles(source: str, event_type: str, model: type[BaseModel] | None = None,
            database: str = "db") -> Callable[[Handler], Any]:
    """Declare ``method(self, session, event)`` as the handler of ``source``'s events.

    The method runs inside a transaction of the service's ``database`` provider that also
    marks the event processed, so a redelivery does nothing; ``event`` is ``model``
    validated (or the raw dict).
    """
    def decorate(method: Handler) -> Any:
        consumer = method.__name__

        @wraps(method)
        def handler(self: Any, payload: dict[str, Any]) -> None:
            event = model.model_validate(payload) if model is not None else payload
            with getattr(self, database).begin() as session:
                if not first_delivery(session, payload["event_id"], consumer):
                    log.info("event %s already handled by %s", payload["event_id"], consumer)
                    return
                method(self, session, event)
            # one line per applied event: with the correlation id, it ties the request
            # that caused the event to its effect here
            log.info("applied %s.%s %s in %s", source, event_type, payload["event_id"],
                     consumer)

        # A database or service that is away is retried like any failure, but it is an
        # expected outcome: nameko logs it as a warning rather than an error with traceback.
        return EventConsumer.decorator(source, event_type,
                                       expected_exceptions=(Unavailable,))(handler)

    return decorate
