"""Provisioning service: thin nameko entrypoints over the domain modules.

RPCs for devices and the boot configuration (every one carries the actor; scope is checked
here, never trusted from the gateway), and handlers that keep the customers and numbers
this service needs from accounts' and numbering's events. The FTP and HTTP file servers run
in their own process (``python -m services.provisioning.fileserver``) on the same database.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

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
    NumberAssigned,
    NumberReleased,
    ResellerUpdated,
)
from sbcommon.contracts.provisioning import DeviceCreate, DeviceUpdate
from sbcommon.contracts.rpc import AccountsRpc, rpc_proxy
from sbcommon.db import Database, health_report
from sbcommon.housekeeping import Housekeeping
from sbcommon.idempotency import Idempotency
from sbcommon.outbox import Outbox
from sbcommon.replica import CustomerReplica
from sbcommon.rpc import rpc
from sbcommon.telemetry import Telemetry
from sbcommon.validation import parse

from .domain import accounts, customers, devices, sip_server, vendors
from .models import AccountUser, Customer, CustomerNumber, idempotency, outbox
from .settings import ProvisioningSettings, secret_box

log = logging.getLogger(__name__)

SETTINGS = ProvisioningSettings()
BOX = secret_box(SETTINGS)
URLS = (SETTINGS.ftp_public_url, SETTINGS.http_public_url)


def utcnow() -> datetime:
    return datetime.now(UTC)


class ProvisioningService:
    name = "provisioning"

    db = Database("provisioning")
    telemetry = Telemetry()
    housekeeping = Housekeeping()
    outbox = Outbox(outbox)
    accounts_rpc: AccountsRpc = rpc_proxy("accounts")
    known_customers = CustomerReplica(Customer, accounts="accounts_rpc")
    # Two requests may race for one MAC (the unique index decides); a rotated FTP password
    # is kept for repeats of the rotation, encrypted.
    once = Idempotency(idempotency,
                       unique={"mac": "this MAC address already belongs to a device"},
                       secret_fields=("password",))

    # -- health -------------------------------------------------------------------------
    @rpc
    def health(self) -> dict[str, Any]:
        return health_report(self.name, self.db)

    # -- devices --------------------------------------------------------------------------
    @rpc
    def list_models(self) -> dict[str, Any]:
        return {"items": vendors.catalogue()}

    @rpc
    def list_devices(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        self.known_customers.ensure(who, customer_id)
        with self.db.begin() as session:
            return devices.list_devices(session, who, customer_id)

    @rpc
    def get_device(self, actor: dict[str, Any], customer_id: str, device_id: str
                   ) -> dict[str, Any]:
        who = Actor.parse(actor)
        self.known_customers.ensure(who, customer_id)
        with self.db.begin() as session:
            _, device = devices.get_scoped(session, who, customer_id, device_id)
            return devices.to_contract(device)

    @rpc
    def create_device(self, actor: dict[str, Any], customer_id: str, payload: dict[str, Any]
                      ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(DeviceCreate, payload)
        self.known_customers.ensure(who, customer_id)
        replica.ensure_user(self.db, self.accounts_rpc, AccountUser, who, customer_id,
                            data.user_id)
        return self.once(who, lambda session: devices.create(
            session, who, customer_id, data, BOX, self.outbox, utcnow()))

    @rpc
    def update_device(self, actor: dict[str, Any], customer_id: str, device_id: str,
                      payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(DeviceUpdate, payload)
        self.known_customers.ensure(who, customer_id)
        replica.ensure_user(self.db, self.accounts_rpc, AccountUser, who, customer_id,
                            data.user_id)
        return self.once(who, lambda session: devices.update(
            session, who, customer_id, device_id, data, BOX, self.outbox, utcnow()))

    @rpc
    def delete_device(self, actor: dict[str, Any], customer_id: str, device_id: str) -> None:
        who = Actor.parse(actor)
        self.known_customers.ensure(who, customer_id)
        self.once(who, lambda session: devices.delete(
            session, who, customer_id, device_id, self.outbox, utcnow()))

    # -- boot configuration ---------------------------------------------------------------
    @rpc
    def get_provisioning(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        self.known_customers.ensure(who, customer_id)
        with self.db.begin() as session:
            return accounts.get_info(session, who, customer_id, BOX, URLS, utcnow())

    @rpc
    def rotate_provisioning(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        self.known_customers.ensure(who, customer_id)
        info = self.once(who, lambda session: accounts.rotate(
            session, who, customer_id, BOX, URLS, utcnow()))
        log.info("FTP password rotated for customer %s", customer_id)
        return info

    @rpc
    def devices_never_fetched(self, actor: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return devices.never_fetched(session, who)

    # -- events from accounts and numbering ---------------------------------------------
    # A closed customer's FTP/HTTP login and device files stop at once: both check the
    # customer's status on every login and every file.
    @handles("accounts", "customer_created", CustomerCreated)
    def on_customer_created(self, session: Session, event: CustomerCreated) -> None:
        replica.apply(session, Customer, event, utcnow())

    @handles("accounts", "customer_updated", CustomerUpdated)
    def on_customer_updated(self, session: Session, event: CustomerUpdated) -> None:
        replica.apply(session, Customer, event, utcnow())

    @handles("accounts", "customer_status_changed", CustomerStatusChanged)
    def on_customer_status_changed(self, session: Session, event: CustomerStatusChanged
                                   ) -> None:
        replica.apply(session, Customer, event, utcnow())

    @handles("accounts", "customer_closed", CustomerClosed)
    def on_customer_closed(self, session: Session, event: CustomerClosed) -> None:
        replica.apply(session, Customer, event, utcnow())

    @handles("accounts", "reseller_updated", ResellerUpdated)
    def on_reseller_updated(self, session: Session, event: ResellerUpdated) -> None:
        if sip_server.apply_update(session, event, utcnow()):
            devices.realm_changed(session, event.reseller_id, BOX, self.outbox)

    @handles("accounts", "account_user_changed", AccountUserChanged)
    def on_account_user_changed(self, session: Session, event: AccountUserChanged) -> None:
        """Keep the user (its name is on its phones); a deleted user's lines go with it."""
        if replica.apply_user(session, AccountUser, event) and event.deleted:
            devices.remove_user_lines(session, event.user_id, self.outbox)

    @handles("numbering", "number_assigned", NumberAssigned)
    def on_number_assigned(self, session: Session, event: NumberAssigned) -> None:
        before = self._holder(session, event.number)
        if customers.assign_number(session, event, utcnow()):
            self._lines_follow(session, before, event.user_id)

    @handles("numbering", "number_released", NumberReleased)
    def on_number_released(self, session: Session, event: NumberReleased) -> None:
        before = self._holder(session, event.number)
        if customers.release_number(session, event):
            self._lines_follow(session, before, None)

    @staticmethod
    def _holder(session: Session, number: str) -> str | None:
        row = session.get(CustomerNumber, number)
        return row.user_id if row is not None else None

    def _lines_follow(self, session: Session, before: str | None, after: str | None) -> None:
        """The users whose numbers changed: their lines call from another number now."""
        for user_id in {before, after} - {None}:
            devices.user_numbers_changed(session, user_id, BOX, self.outbox)
