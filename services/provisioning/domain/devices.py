"""Devices of a customer: create, read, change, delete; each change records an event."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sbcommon.actor import Actor
from sbcommon.contracts.provisioning import DeviceCreate, DeviceUpdate
from sbcommon.errors import Conflict, Forbidden, Invalid, NotFound

from ..models import Customer, Device
from . import credentials, customers, files, sip, vendors
from .credentials import SecretBox
from .macs import normalize_mac

MAX_DEVICES_PER_CUSTOMER = 500


class EventSink(Protocol):
    def record(self, session: Session, event_type: str, data: dict[str, Any]) -> Any: ...


def to_contract(device: Device) -> dict[str, Any]:
    model = vendors.MODELS[device.model]
    return {
        "id": device.id, "customer_id": device.customer_id, "name": device.name,
        "mac": device.mac, "model": device.model, "model_label": model.label,
        "vendor": model.vendor, "display_name": device.display_name, "number": device.number,
        "user_id": device.user_id,
        "files": vendors.file_names(device.model, device.mac),
        "last_provisioned_at": _iso(device.last_provisioned_at),
        "created_at": _iso(device.created_at), "updated_at": _iso(device.updated_at),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _event(device: Device, customer: Customer) -> dict[str, Any]:
    # No secret in events: consumers learn what the phone is, not how it registers.
    return {"reseller_id": customer.reseller_id, "customer_id": customer.id,
            "device_id": device.id, "mac": device.mac, "model": device.model,
            "name": device.name}


def _credentials_changed(session: Session, events: EventSink, device: Device,
                         customer: Customer, box: SecretBox | None) -> None:
    """The proxy's copy of the line (HA1, customer, calling number); no box: deleted."""
    secret = box.decrypt(device.sip_secret_encrypted) if box is not None else None
    realm = sip.sip_server_for(session, customer.reseller_id).realm
    events.record(session, sip.SIP_CREDENTIALS_CHANGED, sip.credentials_event(
        device, customer, secret, files.caller_id(session, device), realm))


def realm_changed(session: Session, reseller_id: str, box: SecretBox,
                  events: EventSink) -> int:
    """A reseller's SIP domain is its phones' digest realm: every line's HA1 changes with
    it, so the proxy's copies are sent again (a new version each). Returns how many."""
    rows = session.execute(select(Device, Customer).join(Customer,
                                                         Customer.id == Device.customer_id)
                           .where(Customer.reseller_id == reseller_id)).all()
    for device, customer in rows:
        device.sip_version += 1
        _credentials_changed(session, events, device, customer, box)
    return len(rows)


def _writable(customer: Customer) -> None:
    if customer.status == "closed":
        raise Conflict("this customer account is closed: its devices cannot change",
                       [{"field": "customer_id", "message": "account closed"}])


def _mac_free(session: Session, mac: str, except_id: str | None = None) -> None:
    stmt = select(Device.id).where(Device.mac == mac)
    if except_id:
        stmt = stmt.where(Device.id != except_id)
    if session.scalars(stmt).first() is not None:
        # Platform-wide: the message must not say whose device it is.
        raise Conflict("this MAC address already belongs to a device",
                       [{"field": "mac", "message": "already in use"}])


def _check_number(session: Session, customer: Customer, number: str | None) -> None:
    if number is not None and number not in customers.numbers_of(session, customer.id):
        message = f"{number} is not one of this customer's numbers"
        raise Invalid(message, [{"field": "number", "message": message}])


def _manages(actor: Actor) -> None:
    if actor.is_plain_user:
        raise Forbidden("your account's administrators manage its phones")


def _check_user(session: Session, customer: Customer, user_id: str | None) -> None:
    if user_id is not None:
        customers.user_of(session, customer, user_id)


def list_devices(session: Session, actor: Actor, customer_id: str) -> dict[str, Any]:
    customer = customers.get_scoped(session, actor, customer_id)
    stmt = select(Device).where(Device.customer_id == customer.id)
    if actor.is_plain_user:  # a plain user sees its own lines
        stmt = stmt.where(Device.user_id == actor.user_id)
    rows = session.scalars(stmt.order_by(func.lower(Device.name), Device.id)).all()
    return {"items": [to_contract(d) for d in rows], "total": len(rows)}


def get_scoped(session: Session, actor: Actor, customer_id: str, device_id: str,
               *, lock: bool = False) -> tuple[Customer, Device]:
    customer = customers.get_scoped(session, actor, customer_id)
    if not isinstance(device_id, str) or not customers.UUID_RE.match(device_id):
        raise NotFound("no such device")
    stmt = select(Device).where(Device.id == device_id, Device.customer_id == customer.id)
    if actor.is_plain_user:
        stmt = stmt.where(Device.user_id == actor.user_id)
    device = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if device is None:
        raise NotFound("no such device")
    return customer, device


def create(session: Session, actor: Actor, customer_id: str, data: DeviceCreate,
           box: SecretBox, events: EventSink, now: datetime) -> dict[str, Any]:
    customer = customers.get_scoped(session, actor, customer_id)
    _manages(actor)
    _writable(customer)
    mac = normalize_mac(data.mac)
    model = vendors.get_model(data.model)
    _check_number(session, customer, data.number)
    _check_user(session, customer, data.user_id)
    count = session.scalar(select(func.count()).where(Device.customer_id == customer.id))
    if (count or 0) >= MAX_DEVICES_PER_CUSTOMER:
        raise Conflict(f"a customer has at most {MAX_DEVICES_PER_CUSTOMER} devices")
    _mac_free(session, mac)
    device = Device(
        id=str(uuid.uuid4()), customer_id=customer.id, mac=mac, model=model.key,
        name=data.name, display_name=data.display_name, number=data.number,
        user_id=data.user_id, sip_username=credentials.sip_username(),
        sip_secret_encrypted=box.encrypt(credentials.sip_secret()), sip_version=1,
        created_at=now, updated_at=now,
    )
    session.add(device)
    session.flush()
    events.record(session, "device_created", _event(device, customer))
    _credentials_changed(session, events, device, customer, box)
    return to_contract(device)


def update(session: Session, actor: Actor, customer_id: str, device_id: str,
           data: DeviceUpdate, box: SecretBox, events: EventSink, now: datetime
           ) -> dict[str, Any]:
    customer, device = get_scoped(session, actor, customer_id, device_id, lock=True)
    _manages(actor)
    _writable(customer)
    changes = data.model_dump(exclude_unset=True)
    if "user_id" in changes:
        _check_user(session, customer, changes["user_id"])
    if "name" in changes and changes["name"] is None:
        raise Invalid("a device needs a name", [{"field": "name", "message": "required"}])
    if changes.get("mac") is not None:
        changes["mac"] = normalize_mac(changes["mac"])
        _mac_free(session, changes["mac"], except_id=device.id)
    elif "mac" in changes:
        raise Invalid("a device needs a MAC address", [{"field": "mac", "message": "required"}])
    if "model" in changes:
        changes["model"] = vendors.get_model(changes["model"]).key
    if "number" in changes:
        _check_number(session, customer, changes["number"])
    for key, value in changes.items():
        setattr(device, key, value)
    device.updated_at = now
    device.sip_version += 1
    session.flush()
    events.record(session, "device_updated", {**_event(device, customer),
                                              "fields": sorted(changes)})
    _credentials_changed(session, events, device, customer, box)
    return to_contract(device)


def delete(session: Session, actor: Actor, customer_id: str, device_id: str,
           events: EventSink, now: datetime) -> None:
    customer, device = get_scoped(session, actor, customer_id, device_id, lock=True)
    _manages(actor)
    # A closed customer's devices may still be removed (it frees their MACs for reuse).
    _remove(session, device, customer, events)


def _remove(session: Session, device: Device, customer: Customer, events: EventSink) -> None:
    device.sip_version += 1
    _credentials_changed(session, events, device, customer, None)
    session.delete(device)
    session.flush()
    events.record(session, "device_deleted", _event(device, customer))


def remove_user_lines(session: Session, user_id: str, events: EventSink) -> int:
    """A deleted user's lines go with it: their files disappear from the file server and
    the proxy forgets their credentials (``sip_credentials_changed``, deleted)."""
    rows = session.execute(
        select(Device, Customer).join(Customer, Customer.id == Device.customer_id)
        .where(Device.user_id == user_id).order_by(Device.id).with_for_update(of=Device)
    ).all()
    for device, customer in rows:
        _remove(session, device, customer, events)
    return len(rows)


def user_numbers_changed(session: Session, user_id: str | None, box: SecretBox,
                         events: EventSink) -> int:
    """A number given to (or taken from) a user changes the number its lines call from:
    the proxy's copies are sent again (a new version each)."""
    if not user_id:
        return 0
    rows = session.execute(
        select(Device, Customer).join(Customer, Customer.id == Device.customer_id)
        .where(Device.user_id == user_id).with_for_update(of=Device)).all()
    for device, customer in rows:
        device.sip_version += 1
        _credentials_changed(session, events, device, customer, box)
    return len(rows)


def never_fetched(session: Session, actor: Actor, limit: int = 20) -> dict[str, Any]:
    """Phones of open accounts that never downloaded their file (a reseller's home shows
    them: a phone that never fetched is not working)."""
    stmt = actor.restrict(
        select(Device.id, Device.name, Device.mac, Device.customer_id, Customer.name)
        .join(Customer, Customer.id == Device.customer_id)
        .where(Device.last_provisioned_at.is_(None), Customer.status != "closed"),
        Customer.reseller_id, Customer.id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(stmt.order_by(Device.created_at).limit(limit))
    return {"total": total, "items": [
        {"id": r[0], "name": r[1], "mac": r[2], "customer_id": r[3], "customer_name": r[4]}
        for r in rows]}
