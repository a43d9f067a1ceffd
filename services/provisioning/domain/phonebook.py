"""The remote phone book a phone downloads: its organisation's shared directory (or its own
account's when the account belongs to none), in the vendor's format.

Built at download time from what provisioning keeps of other services' events: customers
and their organisation (accounts' customer events), users with their names and extensions
(``account_user_changed``), numbers (numbering). Plain functions; the templates autoescape,
so a name such as ``Smith & <Sons>`` reaches the phone as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from sbcommon.contracts.events import AccountUserChanged

from ..models import Customer, CustomerNumber, DirectoryUser


@dataclass(frozen=True)
class Contact:
    name: str  # as shown: the user's display name, or the account's name
    first_name: str
    last_name: str
    numbers: tuple[str, ...]  # what the phone dials: the extension first, then E.164


def apply_user(session: Session, event: AccountUserChanged, now: datetime) -> bool:
    """Keep the user's names and extension unless a newer version is known; True if so."""
    values = {"user_id": event.user_id, "reseller_id": event.reseller_id,
              "customer_id": event.customer_id, "name": event.display_name[:200],
              "first_name": (event.first_name or None), "last_name": (event.last_name or None),
              "extension": None if event.deleted else event.extension,
              "deleted": event.deleted, "version": event.version, "updated_at": now}
    table = DirectoryUser.__table__
    stmt = pg_insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.user_id],
        set_={k: stmt.excluded[k] for k in values if k != "user_id"},
        where=table.c.version < stmt.excluded.version).returning(table.c.user_id)
    return session.execute(stmt).first() is not None


def contacts(members: Iterable[tuple[str, str]], users: Iterable[DirectoryUser],
             numbers: Iterable[tuple[str, str]]) -> list[Contact]:
    """The phone book's contacts: each user with an extension (and a name), then each
    account with the numbers it holds; sorted by name so every download is the same.
    ``members`` are (customer id, name), ``numbers`` (number, customer id)."""
    names = dict(members)
    held: dict[str, list[str]] = {}
    for number, customer_id in sorted(numbers):
        if customer_id in names:
            held.setdefault(customer_id, []).append(number)
    out = [Contact(u.name, u.first_name or u.name, u.last_name or "", (u.extension,))
           for u in users if u.customer_id in names and u.extension and not u.deleted]
    out += [Contact(name, name, "", tuple(held[cid])) for cid, name in names.items()
            if held.get(cid)]
    return sorted(out, key=lambda c: (c.name.casefold(), c.numbers))


def for_customer(session: Session, customer_id: str) -> list[Contact]:
    """The contacts the account's phones show: its organisation's open members' (or its
    own alone)."""
    organisation = session.scalar(select(Customer.organisation_id)
                                  .where(Customer.id == customer_id))
    scope = (Customer.organisation_id == organisation) if organisation else (
        Customer.id == customer_id)
    members = session.execute(select(Customer.id, Customer.name)
                              .where(scope, Customer.status != "closed")).tuples().all()
    ids = [cid for cid, _ in members]
    users = session.scalars(select(DirectoryUser).where(
        DirectoryUser.customer_id.in_(ids), DirectoryUser.deleted.is_(False),
        DirectoryUser.extension.is_not(None))).all()
    numbers = session.execute(select(CustomerNumber.number, CustomerNumber.customer_id)
                              .where(CustomerNumber.customer_id.in_(ids))).tuples().all()
    return contacts(members, users, numbers)
