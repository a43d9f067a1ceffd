"""Numbering service: thin nameko entrypoints over the inventory and import modules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eventlet import tpool
from nameko.events import event_handler
from nameko.rpc import RpcProxy, rpc
from nameko.timer import timer
from phonenumbers import PhoneMetadata

from sbcommon.actor import Actor
from sbcommon.contracts.numbering import NumberAdd, NumberQuery, NumberRequest, PoolSettings
from sbcommon.db import Database, health_report
from sbcommon.errors import Invalid
from sbcommon.idempotency import Idempotency
from sbcommon.outbox import Outbox, first_delivery
from sbcommon.validation import parse

from .domain import imports, inventory
from .models import KnownCustomer, idempotency, outbox, processed_events
from .settings import NumberingSettings

SETTINGS = NumberingSettings.from_env()
MAX_BATCH = 5000
# phonenumbers loads a country's metadata on first use, under a threading.Lock that
# eventlet turns green; imports parse in OS threads (tpool), where taking a green lock
# fails ("Cannot switch to a different thread"). Load everything once, up front.
PhoneMetadata.load_all()


def utcnow() -> datetime:
    return datetime.now(UTC)


class NumberingService:
    name = "numbering"

    db = Database("numbering")
    outbox = Outbox(outbox)
    accounts = RpcProxy("accounts")
    once = Idempotency(idempotency, unique={"number": "this number is already in a pool"})

    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, self.db)

    # -- pool ---------------------------------------------------------------------------
    @rpc
    def add_number(self, actor: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        who, data = Actor.parse(actor), parse(NumberAdd, payload)
        return self.once(who, lambda session: inventory.add_number(
            session, who, data.number, utcnow()))

    @rpc
    def list_numbers(self, actor: dict[str, Any], query: dict[str, Any] | None = None
                     ) -> dict[str, Any]:
        who, data = Actor.parse(actor), parse(NumberQuery, query or {}, "query")
        with self.db() as session:
            return inventory.search(session, who, data)

    @rpc
    def export_numbers(self, actor: dict[str, Any], query: dict[str, Any] | None,
                       after: str | None = None) -> list[dict[str, Any]]:
        who, data = Actor.parse(actor), parse(NumberQuery, query or {}, "query")
        with self.db() as session:
            return inventory.export_chunk(session, who, data, after)

    @rpc
    def number_history(self, actor: dict[str, Any], number: str) -> list[dict[str, Any]]:
        with self.db() as session:
            return inventory.history(session, Actor.parse(actor), number)

    @rpc
    def get_pool_settings(self, actor: dict[str, Any]) -> dict[str, int]:
        who = Actor.parse(actor)
        with self.db() as session:
            return {"aging_days": inventory.aging_days(session, who.reseller_id or "")}

    @rpc
    def set_pool_settings(self, actor: dict[str, Any], payload: dict[str, Any]
                          ) -> dict[str, int]:
        who, data = Actor.parse(actor), parse(PoolSettings, payload)
        return self.once(who, lambda session: inventory.set_aging_days(
            session, who, data.aging_days))

    # -- import ---------------------------------------------------------------------------
    @rpc
    def start_import(self, actor: dict[str, Any], bytes_total: int | None = None) -> int:
        with self.db.begin() as session:
            return imports.start(session, Actor.parse(actor), bytes_total, utcnow())

    @rpc
    def import_batch(self, actor: dict[str, Any], import_id: int, lines: list[Any],
                     bytes_read: int = 0) -> dict[str, int]:
        who = Actor.parse(actor)
        batch = self._lines(lines)
        # Parsing is CPU work: an OS thread leaves the hub free to answer other calls.
        screened = tpool.execute(imports.screen, batch)
        with self.db.begin() as session:
            return imports.add_screened(session, who, import_id, screened, bytes_read,
                                        utcnow())

    @staticmethod
    def _lines(lines: list[Any]) -> list[tuple[int, str | None]]:
        if not isinstance(lines, list) or len(lines) > MAX_BATCH:
            raise Invalid(f"a batch is a list of at most {MAX_BATCH} [line, text] pairs")
        try:
            return [(int(n), None if t is None else str(t)) for n, t in lines]
        except (TypeError, ValueError):
            raise Invalid("a batch is a list of [line, text] pairs") from None

    @rpc
    def finish_import(self, actor: dict[str, Any], import_id: int, failed: bool = False
                      ) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db.begin() as session:
            imports.finish(session, who, import_id, failed, utcnow())
        with self.db() as session:
            return imports.report(session, who, import_id)

    @rpc
    def import_report(self, actor: dict[str, Any], import_id: int,
                      with_rejections: bool = True) -> dict[str, Any]:
        with self.db() as session:
            return imports.report(session, Actor.parse(actor), import_id, with_rejections)

    # -- customers' numbers --------------------------------------------------------------
    def _customer(self, session: Any, who: Actor, customer_id: str) -> KnownCustomer:
        """From the event-carried copy; a customer created a moment ago may not have
        arrived yet, so ask accounts (which checks the actor's scope) and remember it."""
        known = session.get(KnownCustomer, customer_id) if len(str(customer_id)) <= 36 else None
        if known is None:
            found = self.accounts.get_customer(who.dump(), customer_id)
            inventory.remember_customer(session, found["id"], found["reseller_id"],
                                        found["country"], found["status"])
            session.flush()
        return inventory.customer_for(session, who, customer_id)

    @rpc
    def request_numbers(self, actor: dict[str, Any], customer_id: str,
                        payload: dict[str, Any]) -> dict[str, Any]:
        who, data = Actor.parse(actor), parse(NumberRequest, payload)

        def request(session: Any) -> dict[str, Any]:
            customer = self._customer(session, who, customer_id)
            if data.numbers is not None:
                numbers = inventory.assign(session, who, customer, data.numbers, data.reserve,
                                           self.outbox, utcnow())
            else:
                numbers = inventory.order(session, who, customer, data.count or 0,
                                          data.country, data.area_code, self.outbox, utcnow())
            return {"numbers": numbers}
        return self.once(who, request)

    @rpc
    def customer_numbers(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db.begin() as session:
            self._customer(session, who, customer_id)
            query = NumberQuery(customer_id=customer_id, per_page=500)
            return {"numbers": inventory.search(session, who, query)["items"]}

    @rpc
    def unassign_number(self, actor: dict[str, Any], customer_id: str, number: str
                        ) -> dict[str, Any]:
        who = Actor.parse(actor)
        return self.once(who, lambda session: inventory.unassign(
            session, who, self._customer(session, who, customer_id), number, self.outbox,
            utcnow()))

    # -- what accounts tells us ---------------------------------------------------------
    def _once(self, session: Any, payload: dict[str, Any], consumer: str) -> bool:
        return first_delivery(session, processed_events, payload["event_id"], consumer)

    @event_handler("accounts", "customer_created")
    def on_customer_created(self, payload: dict[str, Any]) -> None:
        with self.db.begin() as session:
            if self._once(session, payload, "numbering.customer_created"):
                inventory.remember_customer(session, payload["customer_id"],
                                            payload["reseller_id"], payload["country"],
                                            payload["status"])

    @event_handler("accounts", "customer_updated")
    def on_customer_updated(self, payload: dict[str, Any]) -> None:
        with self.db.begin() as session:
            if self._once(session, payload, "numbering.customer_updated"):
                inventory.remember_customer(session, payload["customer_id"],
                                            payload["reseller_id"], payload["country"],
                                            payload["status"])

    @event_handler("accounts", "customer_status_changed")
    def on_customer_status_changed(self, payload: dict[str, Any]) -> None:
        with self.db.begin() as session:
            known = session.get(KnownCustomer, payload["customer_id"])
            if self._once(session, payload, "numbering.customer_status_changed") and known:
                known.status = payload["status"]

    @event_handler("accounts", "customer_closed")
    def on_customer_closed(self, payload: dict[str, Any]) -> None:
        """F63: every number of a closed account goes back to the pool, exactly once."""
        with self.db.begin() as session:
            if not self._once(session, payload, "numbering.customer_closed"):
                return
            known = session.get(KnownCustomer, payload["customer_id"])
            if known:
                known.status = "closed"
            inventory.release_customer(session, payload["customer_id"], self.outbox, utcnow())

    @timer(interval=SETTINGS.aging_check_seconds)
    def promote_aged(self) -> None:
        with self.db.begin() as session:
            inventory.promote_aged(session, utcnow())
