"""Compiled call-restriction tables and the decision.

A level's rules (one reseller's, or one customer's) compile into a ``LevelTable``: a dict of
exact destinations, a digit trie of prefixes, and dicts of countries and categories. A lookup
walks at most 15 digits plus three dict reads, so its cost grows with the number's length,
not with the number of rules.

Precedence (documented in the README, tested in tests/unit/test_routing_policy_domain.py):
1. emergency numbers of the customer's country are always allowed;
2. a customer-level match beats any reseller-level match;
3. within a level the most specific match wins: destination > longest prefix > country >
   category; at equal specificity (two categories) deny wins;
4. no match at either level: the reseller's default (allow unless set).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sbcommon.contracts.accounts import NO_SERVICE_STATUSES

from .numbers import Destination, classify, clean, is_emergency, to_e164

SPECIFICITY = ("destination", "prefix", "country", "category")


@dataclass(frozen=True)
class CompiledRule:
    id: str
    action: str  # allow | deny
    match: str
    value: str
    level: str  # customer | reseller

    def describe(self) -> str:
        what = {"destination": "destination", "prefix": "prefix", "country": "country",
                "category": "category"}[self.match]
        verb = "allowed" if self.action == "allow" else "denied"
        return f"{verb} by {self.level} rule: {what} {self.value}"


_END = ""  # trie key holding the rule that ends at a node (digits are never "")


@dataclass
class LevelTable:
    exact: dict[str, CompiledRule] = field(default_factory=dict)
    trie: dict[str, Any] = field(default_factory=dict)
    countries: dict[str, CompiledRule] = field(default_factory=dict)
    categories: dict[str, CompiledRule] = field(default_factory=dict)
    size: int = 0

    @classmethod
    def compile(cls, rules: Iterable[CompiledRule]) -> LevelTable:
        table = cls()
        for rule in rules:
            table.add(rule)
        return table

    def add(self, rule: CompiledRule) -> None:
        self.size += 1
        if rule.match == "destination":
            self.exact[rule.value] = _stronger(self.exact.get(rule.value), rule)
        elif rule.match == "prefix":
            node = self.trie
            for digit in rule.value[1:]:
                node = node.setdefault(digit, {})
            node[_END] = _stronger(node.get(_END), rule)
        elif rule.match == "country":
            self.countries[rule.value] = _stronger(self.countries.get(rule.value), rule)
        else:
            self.categories[rule.value] = _stronger(self.categories.get(rule.value), rule)

    def match(self, dest: Destination) -> CompiledRule | None:
        hit = self.exact.get(dest.e164) or self._longest_prefix(dest.digits)
        if hit is None and dest.region:
            hit = self.countries.get(dest.region)
        if hit is None:
            for category in sorted(dest.categories):  # sorted: same answer on every replica
                hit = _stronger(hit, self.categories.get(category))
        return hit

    def _longest_prefix(self, digits: str) -> CompiledRule | None:
        node, best = self.trie, None
        for digit in digits:
            node = node.get(digit)
            if node is None:
                break
            best = node.get(_END, best)
        return best


def _stronger(current: CompiledRule | None, other: CompiledRule | None) -> CompiledRule | None:
    """At equal specificity deny wins (the database refuses same-match duplicates, but two
    categories can match one number)."""
    if current is None:
        return other
    if other is None or current.action == "deny":
        return current
    return other if other.action == "deny" else current


@dataclass(frozen=True)
class CustomerContext:
    customer_id: str
    reseller_id: str
    country: str
    status: str
    organisation_id: str | None = None
    name: str = ""

    @property
    def scope(self) -> str:
        """Whose directory its users share: its organisation's, else its own."""
        return self.organisation_id or self.customer_id


class Internal(Protocol):
    """Who a call reaches inside the caller's directory (``None``: nobody there)."""

    def by_extension(self, customer: CustomerContext, compact: str
                     ) -> dict[str, Any] | None: ...

    def by_number(self, customer: CustomerContext, e164: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class Verdict:
    allow: bool
    destination: str
    rule_id: str | None
    level: str
    reason: str
    customer_id: str
    kind: str
    callee: dict[str, Any] | None = None  # level internal: who the call reaches

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


EMPTY = LevelTable()


def decide(customer: CustomerContext, dialed: str, kind: str, customer_table: LevelTable,
           reseller_table: LevelTable, default_action: str, internal: Internal | None = None
           ) -> Verdict:
    """The decision for one call; raises Invalid for a dialled string that is not a number.
    Forwarded and transferred calls go through the same rules as direct ones (toll fraud
    often hides behind a forward). A call to an extension or a number of the caller's own
    directory (``internal``) is allowed at level ``internal`` before any rule is read."""
    compact = clean(dialed)
    how = "" if kind == "direct" else f" ({kind}ed call, checked like a direct one)"

    def verdict(allow: bool, destination: str, rule: CompiledRule | None, level: str,
                reason: str, callee: dict[str, Any] | None = None) -> Verdict:
        return Verdict(allow, destination, rule.id if rule else None, level, reason + how,
                       customer.customer_id, kind, callee)

    if is_emergency(compact, customer.country):
        return verdict(True, compact, None, "emergency",
                       f"{compact} is an emergency number in {customer.country}; "
                       "always allowed")
    open_account = customer.status not in NO_SERVICE_STATUSES
    if internal is not None and open_account:
        callee = internal.by_extension(customer, compact)
        if callee is not None:
            return verdict(True, compact, None, "internal",
                           f"extension {compact} of {callee['name']} in the caller's "
                           "directory; internal call", callee)
    destination = classify(to_e164(compact, customer.country), customer.country)
    if not open_account:
        return verdict(False, destination.e164, None, "default",
                       f"the customer account is {customer.status}")
    if internal is not None:
        callee = internal.by_number(customer, destination.e164)
        if callee is not None:
            return verdict(True, destination.e164, None, "internal",
                           f"{destination.e164} belongs to {callee['name']} in the caller's "
                           "directory; internal call", callee)
    for level, table in (("customer", customer_table), ("reseller", reseller_table)):
        rule = table.match(destination)
        if rule is not None:
            return verdict(rule.action == "allow", destination.e164, rule, level,
                           rule.describe())
    return verdict(default_action == "allow", destination.e164, None, "default",
                   f"no rule matched; the reseller's default is {default_action}")
