"""Internal calls: the directory an account's users share — its organisation's, or its own
when it belongs to none — and who an extension or a number reaches in it.

A call from a member to another member's extension or number (or within one account) is
internal: allowed whatever the external rules say. The directory is built here from plain
rows (the cache loads them), so the rule is tested without a database; a lookup is one dict
read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Only what a PBX can dial as an extension: digits, not a number in E.164.
MAX_EXTENSION = 10


@dataclass(frozen=True)
class Member:
    customer_id: str
    name: str
    status: str


@dataclass(frozen=True)
class UserRow:
    user_id: str
    customer_id: str
    name: str
    extension: str | None


@dataclass(frozen=True)
class Entry:
    customer_id: str
    customer_name: str
    user_id: str | None  # None: the account's own entry (numbers no user holds)
    name: str
    extension: str | None
    numbers: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "customer_name": self.customer_name,
                "user_id": self.user_id, "name": self.name, "extension": self.extension,
                "numbers": list(self.numbers)}

    def callee(self, number: str | None = None) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "user_id": self.user_id, "name": self.name,
                "extension": self.extension, "number": number}


@dataclass(frozen=True)
class Directory:
    scope: str  # the organisation's id, or the account's own id when it belongs to none
    organisation_id: str | None
    members: tuple[str, ...]
    entries: tuple[Entry, ...]
    extensions: dict[str, Entry] = field(default_factory=dict)
    numbers: dict[str, Entry] = field(default_factory=dict)  # E.164 → who holds it

    def as_dict(self, customer_id: str) -> dict[str, Any]:
        return {"customer_id": customer_id, "organisation_id": self.organisation_id,
                "members": list(self.members), "entries": [e.as_dict() for e in self.entries]}


def scope_of(customer_id: str, organisation_id: str | None) -> str:
    """Whose directory an account uses: its organisation's, else its own."""
    return organisation_id or customer_id


def build(scope: str, organisation_id: str | None, members: Iterable[Member],
          users: Iterable[UserRow], numbers: Iterable[tuple[str, str, str | None]]
          ) -> Directory:
    """The directory of ``scope`` from its open members, their users and the numbers they
    hold (number, customer id, user id or None). Each user is an entry with its extension
    and numbers; each account has one more entry for the numbers no user of it holds. When
    two members' users claim one extension (accounts refuses it, but a copy can lag), the
    first by customer and user id keeps it: every replica answers the same."""
    open_members = sorted((m for m in members if m.status != "closed"),
                          key=lambda m: (m.name.lower(), m.customer_id))
    names = {m.customer_id: m.name for m in open_members}
    by_user: dict[str, list[str]] = defaultdict(list)
    by_account: dict[str, list[str]] = defaultdict(list)
    member_users = sorted((u for u in users if u.customer_id in names),
                          key=lambda u: (u.customer_id, u.user_id))
    user_ids = {u.user_id for u in member_users}
    for number, customer_id, user_id in sorted(numbers):
        if customer_id not in names:
            continue
        if user_id in user_ids:
            by_user[user_id].append(number)
        else:
            by_account[customer_id].append(number)
    entries: list[Entry] = []
    extensions: dict[str, Entry] = {}
    for member in open_members:
        own = [u for u in member_users if u.customer_id == member.customer_id]
        for user in sorted(own, key=lambda u: (u.name.lower(), u.user_id)):
            entry = Entry(member.customer_id, member.name, user.user_id, user.name,
                          user.extension, tuple(by_user.get(user.user_id, ())))
            entries.append(entry)
        account_numbers = tuple(by_account.get(member.customer_id, ()))
        if account_numbers or not own:
            entries.append(Entry(member.customer_id, member.name, None, member.name, None,
                                 account_numbers))
    for entry in sorted(entries, key=lambda e: (e.customer_id, e.user_id or "")):
        if entry.extension:
            extensions.setdefault(entry.extension, entry)
    held = {n: e for e in entries for n in e.numbers}
    return Directory(scope, organisation_id, tuple(m.customer_id for m in open_members),
                     tuple(entries), extensions, held)


def own_directory(customer_id: str, name: str) -> Directory:
    """An account alone with nothing in its directory but itself."""
    return Directory(customer_id, None, (customer_id,),
                     (Entry(customer_id, name, None, name, None, ()),))


def is_extension(compact: str) -> bool:
    return compact.isdigit() and len(compact) <= MAX_EXTENSION
