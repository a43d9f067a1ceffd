"""What the home page answers first: for a reseller, its pool, customers, phones that never
fetched their file, mail that failed and trials ending this week; for the system
administrator, its resellers and the platform's health. Each figure comes from the service
that owns it; one that does not answer leaves its tile empty, not the page broken."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import eventlet

from sbcommon.errors import SwitchboardError

from ...framework.health import ask_all
from ...framework.portal import Page

log = logging.getLogger(__name__)
POOL_STATES = ("available", "assigned", "aging")


def _try(what: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except SwitchboardError as exc:
        log.warning("home page: %s unavailable (%s)", what, exc.code)
        return None


def reseller_home(page: Page) -> dict[str, Any]:
    actor, b = page.actor, page.backends

    def pool() -> dict[str, int]:
        return {state: b.numbering.list_numbers(actor, {"state": state, "per_page": 1})["total"]
                for state in POOL_STATES}

    asks: dict[str, tuple[str, Callable[[], Any]]] = {
        "pool": ("numbering", pool),
        "counts": ("accounts", lambda: b.accounts.customer_counts(actor)),
        "never_fetched": ("provisioning", lambda: b.provisioning.devices_never_fetched(actor)),
        "failed_mail": ("notifications", lambda: b.notifications.list_mail(
            actor, {"status": "failed", "per_page": 5})),
        "trials": ("accounts", lambda: b.accounts.trials_ending(actor)),
    }
    # All at once: a service that is away costs one RPC timeout, not one per tile.
    pool_ = eventlet.GreenPool(len(asks))
    running = {key: pool_.spawn(_try, what, call) for key, (what, call) in asks.items()}
    return {key: thread.wait() for key, thread in running.items()}


def admin_home(page: Page) -> dict[str, Any]:
    return {
        "reseller_counts": _try("accounts", lambda: page.backends.accounts.reseller_counts(
            page.actor)),
        "health": ask_all(page.backends),
    }
