"""The remote phone book a phone downloads: its organisation's shared directory (or its own
account's when the account belongs to none), in the vendor's format.

Built at download time from what provisioning keeps of other services' events: customers
and their organisation (accounts' customer events), users with their names and extensions
(``account_user_changed``, the ``account_users`` copy), numbers and the users holding them
(numbering). Plain functions; the templates autoescape,
so a name such as ``Smith & <Sons>`` reaches the phone as text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AccountUser, Customer, CustomerNumber


@dataclass(frozen=True)
class Contact:
    name: str  # as shown: the user's display name, or the account's name
    first_name: str
    last_name: str
    numbers: tuple[str, ...]  # what the phone dials: the extension first, then E.164


def contacts(members: Iterable[tuple[str, str]], users: Iterable[Any],
             numbers: Iterable[tuple[str, str, str | None]]) -> list[Contact]:
    """The phone book's contacts: each user (``id``, ``customer_id``, ``display_name``,
    ``extension``, ``deleted``) with its extension and the numbers it holds, then each
    account with the numbers no user of it holds; sorted by name so every download is the
    same. ``members`` are (customer id, name), ``numbers`` (number, customer id, user id)."""
    names = dict(members)
    people = [u for u in users if u.customer_id in names and not u.deleted]
    ids = {u.id for u in people}
    by_user: dict[str, list[str]] = {}
    by_account: dict[str, list[str]] = {}
    for number, customer_id, user_id in sorted(numbers, key=lambda n: n[0]):
        if customer_id not in names:
            continue
        target = by_user.setdefault(user_id, []) if user_id in ids else \
            by_account.setdefault(customer_id, [])
        target.append(number)
    out = []
    for user in people:
        dialled = ((user.extension,) if user.extension else ()) + tuple(by_user.get(user.id, ()))
        if dialled:
            out.append(Contact(user.display_name, user.display_name, "", dialled))
    out += [Contact(name, name, "", tuple(by_account[cid])) for cid, name in names.items()
            if by_account.get(cid)]
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
    users = session.scalars(select(AccountUser).where(
        AccountUser.customer_id.in_(ids), AccountUser.deleted.is_(False))).all()
    numbers = session.execute(
        select(CustomerNumber.number, CustomerNumber.customer_id, CustomerNumber.user_id)
        .where(CustomerNumber.customer_id.in_(ids))).tuples().all()
    return contacts(members, users, numbers)
