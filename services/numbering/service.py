"""Numbering service: thin nameko entrypoints over the inventory and import modules."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import time
from datetime import UTC, datetime
from typing import Any

import eventlet
from eventlet import tpool
from nameko.timer import timer
from phonenumbers import PhoneMetadata
from sqlalchemy.orm import Session

from sbcommon import replica
from sbcommon.actor import Actor
from sbcommon.consumer import handles
from sbcommon.contracts.events import (
    AccountUserChanged,
    CustomerClosed,
    CustomerCreated,
    CustomerStatusChanged,
    CustomerUpdated,
    SignupCompleted,
)
from sbcommon.contracts.numbering import (
    NumberAdd,
    NumberCheck,
    NumberHolder,
    NumberQuery,
    NumberQuotaSet,
    NumberRequest,
    PoolSettings,
)
from sbcommon.contracts.rpc import AccountsRpc, rpc_proxy
from sbcommon.db import Database, health_report
from sbcommon.errors import Conflict, Invalid
from sbcommon.housekeeping import Housekeeping
from sbcommon.idempotency import Idempotency
from sbcommon.metrics import IMPORT_LINES, IMPORTS
from sbcommon.outbox import Outbox
from sbcommon.replica import CustomerReplica
from sbcommon.rpc import rpc
from sbcommon.telemetry import Telemetry
from sbcommon.textlines import block_lines
from sbcommon.validation import parse

from .domain import holds, imports, inventory, quotas
from .models import KnownCustomer, KnownUser, idempotency, outbox
from .settings import NumberingSettings

SETTINGS = NumberingSettings()
MAX_BLOCK = 1024 * 1024  # bytes of one fed block
# phonenumbers loads a country's metadata on first use, under a threading.Lock that
# eventlet turns green; imports parse in OS threads (tpool), where taking a green lock
# fails ("Cannot switch to a different thread"). Load everything once, up front.
PhoneMetadata.load_all()


def utcnow() -> datetime:
    return datetime.now(UTC)


UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
AREA_RE = re.compile(r"^[0-9]{1,8}$")


def _public_args(reseller_id: Any, country: Any, area_code: Any
                 ) -> tuple[str, str | None, str | None]:
    if not isinstance(reseller_id, str) or not UUID_RE.match(reseller_id):
        raise Invalid("reseller_id must be a UUID", [{"field": "reseller_id", "message": "bad"}])
    if country is not None and (not isinstance(country, str) or not COUNTRY_RE.match(country)):
        raise Invalid("country must be two letters", [{"field": "country", "message": "bad"}])
    if area_code is not None and (not isinstance(area_code, str)
                                  or not AREA_RE.match(area_code)):
        raise Invalid("area_code must be digits", [{"field": "area_code", "message": "bad"}])
    return reseller_id, country, area_code


def network(address: str | None) -> str:
    """The unit a per-visitor cap applies to: the IPv4 address, the IPv6 /64."""
    if not address:
        return "unknown"
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else ip)


def count_import(report: dict[str, Any]) -> None:
    IMPORTS.labels(str(report.get("status", "unknown"))).inc()
    for result in ("added", "rejected"):
        if isinstance(report.get(result), int):
            IMPORT_LINES.labels(result).inc(report[result])


class NumberingService:
    name = "numbering"

    db = Database("numbering")
    telemetry = Telemetry()
    housekeeping = Housekeeping(holds.purge)
    outbox = Outbox(outbox)
    accounts: AccountsRpc = rpc_proxy("accounts")
    customers = CustomerReplica(KnownCustomer)
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
                       after: str | None = None) -> dict[str, Any]:
        """One page of the search as CSV (sbcommon.contracts.exports.CsvPage)."""
        who, data = Actor.parse(actor), parse(NumberQuery, query or {}, "query")
        with self.db() as session:
            return inventory.export_page(session, who, data, after)

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
    def feed_import(self, actor: dict[str, Any], import_id: int, first_line: int, data: str,
                    bytes_read: int = 0) -> dict[str, int]:
        """A block of whole lines of the file (sbcommon.textlines.line_blocks), base64."""
        who = Actor.parse(actor)
        lines = block_lines(*self._block(first_line, data))
        # Parsing is CPU work: an OS thread leaves the hub free to answer other calls.
        screened = tpool.execute(imports.screen, lines)
        # Blocks are parsed side by side but added in the file's order: wait for the
        # block before this one (it is being written), up to the import's expiry.
        deadline = time.monotonic() + SETTINGS.import_expiry_seconds
        while True:
            with self.db.begin() as session:
                added = imports.add_screened(session, who, import_id, screened,
                                             int(bytes_read), utcnow())
            if added is not None:
                return added
            if time.monotonic() > deadline:
                raise Conflict("the block before this one never came")
            eventlet.sleep(0.02)

    @staticmethod
    def _block(first_line: Any, data: Any) -> tuple[int, bytes]:
        if not isinstance(first_line, int) or first_line < 1:
            raise Invalid("first_line is the number of the block's first line, from 1")
        if not isinstance(data, str) or len(data) > MAX_BLOCK * 4 // 3 + 4:
            raise Invalid(f"a block is at most {MAX_BLOCK} bytes, in base64")
        try:
            return first_line, base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid("a block is sent in base64") from None

    @rpc
    def finish_import(self, actor: dict[str, Any], import_id: int, failure: str | None = None
                      ) -> dict[str, Any]:
        """The end of the file (``failure`` None) or of the upload (``failure``: why)."""
        who = Actor.parse(actor)
        with self.db.begin() as session:
            imports.finish(session, who, import_id, failure and str(failure), utcnow())
        with self.db() as session:
            report = imports.report(session, who, import_id)
        count_import(report)
        return report

    @timer(interval=SETTINGS.import_check_seconds)
    def expire_imports(self) -> None:
        with self.db.begin() as session:
            imports.expire_stale(session, utcnow(), SETTINGS.import_expiry_seconds)

    @rpc
    def import_report(self, actor: dict[str, Any], import_id: int,
                      with_rejections: bool = True) -> dict[str, Any]:
        with self.db() as session:
            return imports.report(session, Actor.parse(actor), import_id, with_rejections)

    @rpc
    def check_numbers(self, actor: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        """Many numbers looked up in the pool in one call, changing nothing."""
        who, data = Actor.parse(actor), parse(NumberCheck, payload)
        with self.db() as session:
            return {"numbers": inventory.check(session, who, data.numbers, data.customer_id,
                                               data.country, utcnow())}

    # -- customers' numbers --------------------------------------------------------------
    @rpc
    def request_numbers(self, actor: dict[str, Any], customer_id: str,
                        payload: dict[str, Any]) -> dict[str, Any]:
        who, data = Actor.parse(actor), parse(NumberRequest, payload)
        self.customers.ensure(who, customer_id)

        def request(session: Any) -> dict[str, Any]:
            customer = inventory.customer_to_change(session, who, customer_id)
            if data.numbers is not None:
                numbers = inventory.assign(session, who, customer, data.numbers, data.reserve,
                                           self.outbox, utcnow())
            else:
                quotas.check_order(session, who, customer.id, customer.reseller_id,
                                   data.count or 0, SETTINGS.number_quota_default, utcnow())
                numbers = inventory.order(session, who, customer, data.count or 0,
                                          data.country, data.area_code, self.outbox, utcnow())
            return {"numbers": numbers}
        return self.once(who, request)

    @rpc
    def get_number_quota(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        self.customers.ensure(who, customer_id)
        with self.db.begin() as session:
            customer = inventory.customer_for(session, who, customer_id)
            return quotas.describe(session, customer.id, customer.reseller_id,
                                   SETTINGS.number_quota_default, utcnow())

    @rpc
    def set_number_quota(self, actor: dict[str, Any], customer_id: str,
                         payload: dict[str, Any]) -> dict[str, Any]:
        who, data = Actor.parse(actor), parse(NumberQuotaSet, payload)
        self.customers.ensure(who, customer_id)
        return self.once(who, lambda session: quotas.set_quota(
            session, who, customer_id,
            inventory.customer_for(session, who, customer_id).reseller_id,
            data.max_numbers, SETTINGS.number_quota_default, utcnow()))

    @rpc
    def customer_numbers(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        self.customers.ensure(who, customer_id)
        with self.db() as session:
            inventory.customer_for(session, who, customer_id)
            query = NumberQuery(customer_id=customer_id, per_page=500)
            return {"numbers": inventory.search(session, who, query)["items"]}

    @rpc
    def unassign_number(self, actor: dict[str, Any], customer_id: str, number: str
                        ) -> dict[str, Any]:
        who = Actor.parse(actor)
        self.customers.ensure(who, customer_id)
        return self.once(who, lambda session: inventory.unassign(
            session, who, inventory.customer_to_change(session, who, customer_id), number,
            self.outbox, utcnow()))

    @rpc
    def set_number_user(self, actor: dict[str, Any], customer_id: str, number: str,
                        payload: dict[str, Any]) -> dict[str, Any]:
        """Give one of the account's numbers to one of its users (or back to the account)."""
        who, data = Actor.parse(actor), parse(NumberHolder, payload)
        self.customers.ensure(who, customer_id)
        if data.user_id:
            self._ensure_user(who, customer_id, data.user_id)

        def give(session: Any) -> dict[str, Any]:
            customer = inventory.customer_for(session, who, customer_id)
            user = replica.user_of(session, KnownUser, customer.id, data.user_id) \
                if data.user_id else None
            return inventory.give_to_user(session, who, customer, number, user, self.outbox,
                                          utcnow())
        return self.once(who, give)

    def _ensure_user(self, who: Actor, customer_id: str, user_id: str) -> None:
        replica.ensure_user(self.db, self.accounts, KnownUser, who, customer_id, user_id)

    # -- the public sign-up (no actor: a visitor, through the gateway) ----------------------
    @rpc
    def signup_numbers(self, reseller_id: str, country: str | None = None,
                       area_code: str | None = None) -> dict[str, Any]:
        """Free numbers of a reseller's pool for a visitor choosing its own."""
        reseller_id, country, area_code = _public_args(reseller_id, country, area_code)
        with self.db() as session:
            return holds.offer(session, reseller_id, country, area_code, utcnow())

    @rpc
    def hold_numbers(self, reseller_id: str, hold_key: str, numbers: list[str], seconds: int,
                     client_ip: str | None = None) -> dict[str, Any]:
        reseller_id = _public_args(reseller_id, None, None)[0]
        if not isinstance(hold_key, str) or not UUID_RE.match(hold_key):
            raise Invalid("hold_key must be a UUID", [{"field": "hold_key", "message": "bad"}])
        if not isinstance(numbers, list) or not isinstance(seconds, int):
            raise Invalid("numbers must be a list", [{"field": "numbers", "message": "bad"}])
        net = network(client_ip)
        return self.once(None, lambda session: holds.hold(
            session, reseller_id, hold_key, numbers, net, seconds,
            SETTINGS.signup_holds_per_network, utcnow()))

    @handles("accounts", "signup_completed", SignupCompleted)
    def on_signup_completed(self, session: Session, event: SignupCompleted) -> None:
        """The verified sign-up's numbers, assigned exactly once (the event is applied once;
        a number already the customer's is skipped)."""
        replica.apply(session, KnownCustomer, event)
        holds.assign_signed_up(session, event.reseller_id, event.customer_id, event.numbers,
                               event.hold_key, self.outbox, utcnow())

    # -- what accounts tells us ---------------------------------------------------------
    @handles("accounts", "account_user_changed", AccountUserChanged)
    def on_account_user_changed(self, session: Session, event: AccountUserChanged) -> None:
        """Keep the user; a deleted user's numbers go back to the pool through aging."""
        if replica.apply_user(session, KnownUser, event) and event.deleted:
            inventory.release_user(session, event.user_id, self.outbox, utcnow())

    @handles("accounts", "customer_created", CustomerCreated)
    def on_customer_created(self, session: Session, event: CustomerCreated) -> None:
        replica.apply(session, KnownCustomer, event)

    @handles("accounts", "customer_updated", CustomerUpdated)
    def on_customer_updated(self, session: Session, event: CustomerUpdated) -> None:
        replica.apply(session, KnownCustomer, event)

    @handles("accounts", "customer_status_changed", CustomerStatusChanged)
    def on_customer_status_changed(self, session: Session, event: CustomerStatusChanged
                                   ) -> None:
        replica.apply(session, KnownCustomer, event)

    @handles("accounts", "customer_closed", CustomerClosed)
    def on_customer_closed(self, session: Session, event: CustomerClosed) -> None:
        """Every number of a closed account goes back to the pool, exactly once."""
        replica.apply(session, KnownCustomer, event)
        if replica.is_latest(session, KnownCustomer, event):
            inventory.release_customer(session, event.customer_id, self.outbox, utcnow())

    @timer(interval=SETTINGS.aging_check_seconds)
    def promote_aged(self) -> None:
        with self.db.begin() as session:
            inventory.promote_aged(session, utcnow())
