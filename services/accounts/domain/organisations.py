"""Organisations: a reseller affiliates some of its accounts so that their users share one
directory and call each other by extension.

An account belongs to at most one organisation (``customers.organisation_id``). Linking and
unlinking are changes of the account: its version moves on and a ``customer_updated`` event
(fields ``["organisation_id"]``) carries the membership to the services that keep a copy
(routing_policy decides internal calls with it, provisioning builds the phones' phone book).

Extensions are unique within an organisation: ``extension_clashes`` is the one check, used
when an account joins and (``check_extension``) when a user's extension is set.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import OrganisationCreate, OrganisationUpdate
from sbcommon.errors import Conflict, NotFound

from ..models import Customer, Organisation, User
from . import customers
from .auth import EventSink

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MEMBERSHIP = "organisation_id"


# -- the one extension check --------------------------------------------------------------
def find_clashes(present: Iterable[tuple[str, str]], joining: Iterable[tuple[str, str]]
                 ) -> list[dict[str, str]]:
    """Extensions of ``joining`` (extension, customer id) already used by ``present``
    (extension, customer id) — each clash once, sorted, with who holds it. Plain data: the
    rule without a database."""
    holders: dict[str, str] = {}
    for extension, customer_id in present:
        holders.setdefault(extension, customer_id)
    clashes: dict[str, dict[str, str]] = {}
    for extension, customer_id in joining:
        holder = holders.get(extension)
        if holder is not None and holder != customer_id and extension not in clashes:
            clashes[extension] = {"extension": extension, "customer_id": holder,
                                  "joining_customer_id": customer_id}
    return [clashes[e] for e in sorted(clashes)]


def _extensions(session: Session, customer_ids: Iterable[str],
                except_user: str | None = None) -> list[tuple[str, str]]:
    """(extension, customer id) of the users of these accounts that have one."""
    ids = list(customer_ids)
    if not ids:
        return []
    stmt = select(User.extension, User.customer_id).where(User.customer_id.in_(ids),
                                                          User.extension.is_not(None))
    if except_user is not None:
        stmt = stmt.where(User.id != except_user)
    return [(str(e), str(c)) for e, c in session.execute(stmt)]


def _member_ids(session: Session, organisation_id: str) -> list[str]:
    return list(session.scalars(select(Customer.id).where(
        Customer.organisation_id == organisation_id)))


def extension_clashes(session: Session, organisation_id: str, customer_id: str
                      ) -> list[dict[str, str]]:
    """The extensions of ``customer_id``'s users that members of ``organisation_id`` (other
    than itself) already use."""
    others = [c for c in _member_ids(session, organisation_id) if c != customer_id]
    return find_clashes(_extensions(session, others), _extensions(session, [customer_id]))


def check_extension(session: Session, customer_id: str, extension: str | None,
                    except_user: str | None = None) -> None:
    """409 when another member of the account's organisation has a user with
    ``extension`` (the account's own users are checked where users are changed). Called
    wherever a user's extension is set, in the same transaction."""
    if not extension:
        return
    organisation_id = session.scalar(select(Customer.organisation_id)
                                     .where(Customer.id == customer_id))
    if organisation_id is None:
        return
    # The organisation's row serialises this check with an account joining it (which
    # locks it too): neither can miss the other's extensions.
    session.execute(select(Organisation.id).where(Organisation.id == organisation_id)
                    .with_for_update())
    others = [c for c in _member_ids(session, organisation_id) if c != customer_id]
    clashes = find_clashes(_extensions(session, others, except_user=except_user),
                           [(extension, customer_id)])
    if clashes:
        raise Conflict(f"extension {extension} is already used in this account's "
                       "organisation",
                       [{"field": "extension", "message": "already used in the organisation",
                         "customer_id": clashes[0]["customer_id"]}])


# -- reads --------------------------------------------------------------------------------
def _scope(stmt: Select, actor: Actor) -> Select:
    """Organisations are a reseller's; the system administrator sees all of them."""
    if actor.role == Role.ADMIN:
        return stmt
    if actor.role == Role.RESELLER:
        return stmt.where(Organisation.reseller_id == actor.reseller_id)
    return stmt.where(False)  # subscribers manage no organisation


def get_scoped(session: Session, actor: Actor, organisation_id: Any, *,
               lock: bool = False) -> Organisation:
    """The organisation if ``actor`` may see it; NotFound otherwise (another reseller's ids
    look like ids that do not exist)."""
    if not isinstance(organisation_id, str) or not UUID_RE.match(organisation_id):
        raise NotFound("no such organisation")
    stmt = _scope(select(Organisation).where(Organisation.id == organisation_id), actor)
    if lock:
        stmt = stmt.with_for_update()
    found = session.scalars(stmt).first()
    if found is None:
        raise NotFound("no such organisation")
    return found



def _members(session: Session, organisation_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in organisation_ids}
    if not organisation_ids:
        return out
    rows = session.execute(
        select(Customer.organisation_id, Customer.id, Customer.name, Customer.kind,
               Customer.status)
        .where(Customer.organisation_id.in_(organisation_ids))
        .order_by(Customer.name_key, Customer.id))
    for org, cid, name, kind, status in rows:
        out[org].append({"customer_id": cid, "name": name, "kind": kind, "status": status})
    return out


def _contract(org: Organisation, members: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": org.id, "reseller_id": org.reseller_id, "name": org.name,
            "members": members, "version": org.version,
            "created_at": org.created_at.isoformat(), "updated_at": org.updated_at.isoformat()}


def to_contract(session: Session, org: Organisation) -> dict[str, Any]:
    return _contract(org, _members(session, [org.id])[org.id])


def list_organisations(session: Session, actor: Actor) -> dict[str, Any]:
    actor.require(Role.RESELLER, Role.ADMIN)
    orgs = list(session.scalars(_scope(select(Organisation), actor)
                                .order_by(func.lower(Organisation.name), Organisation.id)))
    members = _members(session, [o.id for o in orgs])
    return {"items": [_contract(o, members[o.id]) for o in orgs]}


def read(session: Session, actor: Actor, organisation_id: str) -> dict[str, Any]:
    return to_contract(session, get_scoped(session, actor, organisation_id))


# -- changes ------------------------------------------------------------------------------
def create(session: Session, actor: Actor, data: OrganisationCreate, now: datetime
           ) -> dict[str, Any]:
    actor.require(Role.RESELLER)
    org = Organisation(id=str(uuid.uuid4()), reseller_id=actor.reseller_id, name=data.name,
                       version=1, created_at=now, updated_at=now)
    session.add(org)
    session.flush()
    return _contract(org, [])


def update(session: Session, actor: Actor, organisation_id: str, data: OrganisationUpdate,
           now: datetime) -> dict[str, Any]:
    org = get_scoped(session, actor, organisation_id, lock=True)
    actor.require(Role.RESELLER)
    if data.name != org.name:
        org.name = data.name
        org.version += 1
        org.updated_at = now
    session.flush()
    return to_contract(session, org)


def _set_membership(session: Session, customer: Customer, organisation_id: str | None,
                    events: EventSink, now: datetime) -> None:
    customer.organisation_id = organisation_id
    customers._changed(customer, now)
    session.flush()
    events.record(session, "customer_updated",
                  {**customers.event_data(customer), "fields": [MEMBERSHIP]})


def delete(session: Session, actor: Actor, organisation_id: str, events: EventSink,
           now: datetime) -> None:
    """The organisation goes; its members stay, each unlinked (and announced)."""
    org = get_scoped(session, actor, organisation_id, lock=True)
    actor.require(Role.RESELLER)
    members = session.scalars(select(Customer).where(Customer.organisation_id == org.id)
                              .order_by(Customer.id).with_for_update())
    for customer in members:
        _set_membership(session, customer, None, events, now)
    session.delete(org)
    session.flush()


def add_member(session: Session, actor: Actor, organisation_id: str, customer_id: str,
               events: EventSink, now: datetime) -> dict[str, Any]:
    """Link one of the reseller's accounts; linking it again changes nothing."""
    org = get_scoped(session, actor, organisation_id, lock=True)
    actor.require(Role.RESELLER)
    # The reseller's own accounts only: another reseller's account is "not found".
    customer = customers.get_scoped(session, actor, customer_id, lock=True)
    if customer.reseller_id != org.reseller_id:
        raise NotFound("no such customer")
    if customer.organisation_id == org.id:
        return to_contract(session, org)
    if customer.organisation_id is not None:
        raise Conflict("this account already belongs to another organisation; remove it "
                       "from that one first",
                       [{"field": "customer_id", "message": "in another organisation",
                         "organisation_id": customer.organisation_id}])
    if customer.status == "closed":
        raise Conflict("this account is closed; it cannot join an organisation",
                       [{"field": "customer_id", "message": "closed"}])
    clashes = extension_clashes(session, org.id, customer.id)
    if clashes:
        listed = ", ".join(c["extension"] for c in clashes)
        raise Conflict(f"extensions already used in this organisation: {listed}",
                       [{"field": "extension", "message": "already used", **c}
                        for c in clashes])
    _set_membership(session, customer, org.id, events, now)
    org.updated_at = now
    return to_contract(session, org)


def remove_member(session: Session, actor: Actor, organisation_id: str, customer_id: str,
                  events: EventSink, now: datetime) -> dict[str, Any]:
    org = get_scoped(session, actor, organisation_id, lock=True)
    actor.require(Role.RESELLER)
    customer = customers.get_scoped(session, actor, customer_id, lock=True)
    if customer.organisation_id != org.id:
        raise NotFound("this account is not a member of this organisation")
    _set_membership(session, customer, None, events, now)
    org.updated_at = now
    return to_contract(session, org)

