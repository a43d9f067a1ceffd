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

from nameko.events import event_handler
from nameko.rpc import rpc
from sqlalchemy.exc import IntegrityError

from sbcommon.actor import Actor
from sbcommon.contracts.events import (
    CustomerClosed,
    CustomerCreated,
    CustomerStatusChanged,
    CustomerUpdated,
    NumberAssigned,
    NumberReleased,
)
from sbcommon.contracts.provisioning import DeviceCreate, DeviceUpdate
from sbcommon.contracts.rpc import AccountsRpc, rpc_proxy
from sbcommon.db import Database, health_report
from sbcommon.errors import Conflict
from sbcommon.outbox import Outbox, first_delivery
from sbcommon.validation import parse

from .domain import accounts, customers, devices, vendors
from .domain.credentials import SecretBox
from .models import outbox, processed_events
from .settings import ProvisioningSettings

log = logging.getLogger(__name__)

SETTINGS = ProvisioningSettings()
BOX = SecretBox(SETTINGS.encryption_keys)
URLS = (SETTINGS.ftp_public_url, SETTINGS.http_public_url)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _mac_conflict(exc: IntegrityError) -> Conflict:
    # Two requests raced for the same MAC; the unique index decided.
    if "mac" in str(exc.orig):
        return Conflict("this MAC address already belongs to a device",
                        [{"field": "mac", "message": "already in use"}])
    return Conflict("a concurrent change conflicted; try again")


class ProvisioningService:
    name = "provisioning"

    db = Database("provisioning")
    outbox = Outbox(outbox)
    accounts_rpc: AccountsRpc = rpc_proxy("accounts")

    def _lookup(self, actor: Actor, customer_id: str) -> dict[str, Any]:
        return self.accounts_rpc.get_customer(actor.dump(), customer_id)

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
        with self.db.begin() as session:
            return devices.list_devices(session, who, customer_id, self._lookup, utcnow())

    @rpc
    def get_device(self, actor: dict[str, Any], customer_id: str, device_id: str
                   ) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db.begin() as session:
            _, device = devices.get_scoped(session, who, customer_id, device_id, self._lookup,
                                           utcnow())
            return devices.to_contract(device)

    @rpc
    def create_device(self, actor: dict[str, Any], customer_id: str, payload: dict[str, Any]
                      ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(DeviceCreate, payload)
        try:
            with self.db.begin() as session:
                return devices.create(session, who, customer_id, data, BOX, self.outbox,
                                      self._lookup, utcnow())
        except IntegrityError as exc:
            raise _mac_conflict(exc) from None

    @rpc
    def update_device(self, actor: dict[str, Any], customer_id: str, device_id: str,
                      payload: dict[str, Any]) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(DeviceUpdate, payload)
        try:
            with self.db.begin() as session:
                return devices.update(session, who, customer_id, device_id, data, self.outbox,
                                      self._lookup, utcnow())
        except IntegrityError as exc:
            raise _mac_conflict(exc) from None

    @rpc
    def delete_device(self, actor: dict[str, Any], customer_id: str, device_id: str) -> None:
        who = Actor.parse(actor)
        with self.db.begin() as session:
            devices.delete(session, who, customer_id, device_id, self.outbox, self._lookup,
                           utcnow())

    # -- boot configuration ---------------------------------------------------------------
    @rpc
    def get_provisioning(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db.begin() as session:
            return accounts.get_info(session, who, customer_id, BOX, URLS, self._lookup,
                                     utcnow())

    @rpc
    def rotate_provisioning(self, actor: dict[str, Any], customer_id: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db.begin() as session:
            info = accounts.rotate(session, who, customer_id, BOX, URLS, self._lookup,
                                   utcnow())
        log.info("FTP password rotated for customer %s", customer_id)
        return info

    # -- events from accounts and numbering (idempotent by event_id) -----------------------
    def _apply(self, payload: dict[str, Any], consumer: str, change: Any) -> None:
        """Apply ``change`` once per event_id, in the transaction that marks it handled."""
        with self.db.begin() as session:
            if first_delivery(session, processed_events, payload["event_id"], consumer):
                change(session)

    @event_handler("accounts", "customer_created")
    def on_customer_created(self, payload: dict[str, Any]) -> None:
        event = CustomerCreated.model_validate(payload)
        self._apply(payload, "customer_created", lambda s: customers.remember(
            s, event.customer_id, event.reseller_id, event.status, event.name, utcnow()))

    @event_handler("accounts", "customer_updated")
    def on_customer_updated(self, payload: dict[str, Any]) -> None:
        event = CustomerUpdated.model_validate(payload)
        self._apply(payload, "customer_updated",
                    lambda s: customers.rename(s, event.customer_id, event.name, utcnow()))

    @event_handler("accounts", "customer_status_changed")
    def on_customer_status_changed(self, payload: dict[str, Any]) -> None:
        event = CustomerStatusChanged.model_validate(payload)
        self._apply(payload, "customer_status_changed", lambda s: customers.set_status(
            s, event.customer_id, event.reseller_id, event.status, utcnow()))

    @event_handler("accounts", "customer_closed")
    def on_customer_closed(self, payload: dict[str, Any]) -> None:
        # Closing stops the FTP/HTTP login and the serving of the devices' files at once:
        # both check the customer's status on every login and every file.
        event = CustomerClosed.model_validate(payload)
        self._apply(payload, "customer_closed", lambda s: customers.set_status(
            s, event.customer_id, event.reseller_id, "closed", utcnow()))

    @event_handler("numbering", "number_assigned")
    def on_number_assigned(self, payload: dict[str, Any]) -> None:
        event = NumberAssigned.model_validate(payload)
        self._apply(payload, "number_assigned", lambda s: customers.assign_number(
            s, event.customer_id, event.number, utcnow()))

    @event_handler("numbering", "number_released")
    def on_number_released(self, payload: dict[str, Any]) -> None:
        event = NumberReleased.model_validate(payload)
        self._apply(payload, "number_released", lambda s: customers.release_number(
            s, event.customer_id, event.number))
