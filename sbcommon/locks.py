"""The one rule of locked settings, called by each service that owns something a subscriber
can change (its profile, subscription, numbers, phones).

A reseller may lock a subscriber's settings: the subscriber itself can then change nothing
but its own PIN and language. Its reseller, the system administrator and the reseller's
support inside the account (direct access) still can. Reads are never refused. The owning
service applies the rule from its copy of the customer (``locked`` travels in every customer
event), so it holds whoever calls the service, not only the portal.
"""

from __future__ import annotations

from .actor import Actor
from .errors import Locked

MESSAGE = ("Your provider has locked your account's settings; contact your provider's "
           "support to change them")


def refused(actor: Actor, locked: bool) -> bool:
    """Whether ``actor``'s write to a customer whose lock is ``locked`` is refused."""
    return bool(locked) and actor.is_subscriber_itself


def check_unlocked(actor: Actor, locked: bool) -> None:
    """Raise ``Locked`` (423) when the subscriber itself writes to its locked account."""
    if refused(actor, locked):
        raise Locked(MESSAGE, {"locked": True})
