"""A subscriber's home: one section per service (its account, numbers, phones, subscription,
its support's visits) plus its reseller's support contact. Each section comes from the
service that owns it, asked at once; a service that does not answer leaves its section
with a message, never the page broken. Each section is its own template
(``_home_<name>.html``), so a new one is a template and a line in ``SECTIONS``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import eventlet

from sbcommon.errors import SwitchboardError
from sbcommon.money import to_text

from ...framework.portal import Page

log = logging.getLogger(__name__)

UNAVAILABLE = object()  # a section whose service did not answer

# The sections in the order the page shows them; other areas may add theirs.
SECTIONS = ["account", "support", "links", "subscription", "numbers", "devices", "visits"]


def _try(what: str, call: Callable[[], Any]) -> Any:
    try:
        return call()
    except SwitchboardError as exc:
        log.warning("subscriber home: %s unavailable (%s)", what, exc.code)
        return UNAVAILABLE


def _numbers(page: Page, customer_id: str) -> dict[str, Any]:
    numbering = page.backends.numbering
    return {"numbers": numbering.customer_numbers(page.actor, customer_id)["numbers"],
            "quota": numbering.get_number_quota(page.actor, customer_id)}


def subscriber_home(page: Page) -> dict[str, Any]:
    actor, b = page.actor, page.backends
    customer_id = actor["customer_id"]
    asks: dict[str, tuple[str, Callable[[], Any]]] = {
        "account": ("accounts", lambda: b.accounts.get_customer(actor, customer_id)),
        "subscription": ("catalogue", lambda: b.catalogue.statement(actor, customer_id, {},
                                                                    None)),
        "numbers": ("numbering", lambda: _numbers(page, customer_id)),
        "devices": ("provisioning", lambda: b.provisioning.list_devices(actor, customer_id)),
        "visits": ("accounts", lambda: b.accounts.support_visits(actor, customer_id)),
        "links": ("accounts", lambda: b.accounts.custom_links(actor)["items"]),
    }
    pool = eventlet.GreenPool(len(asks))
    running = {key: pool.spawn(_try, what, call) for key, (what, call) in asks.items()}
    data = {key: thread.wait() for key, thread in running.items()}
    data["support"] = page.brand  # None: the platform's look (accounts away)
    return {"sections": SECTIONS, "data": data, "unavailable": UNAVAILABLE,
            "customer_id": customer_id, "money": to_text}
