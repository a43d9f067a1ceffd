"""Fixtures for the subscriber tests: a reseller with a catalogue and a pool of numbers, one of
its subscribers signed in with its PIN, and a second small platform whose direct accesses end
after a few seconds (the 30-minute limit, made short by its setting)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from tests.catalogue.conftest import Shop, ok, open_shop
from tests.numbering.conftest import fresh_numbers, import_text
from tests.support import (
    ApiClient,
    EventListener,
    sign_in_subscriber,
    small_platform,
    wait_until,
)

SHORT_ACCESS_SECONDS = 6
COPIES = ("catalogue", "numbering", "provisioning", "routing_policy")


@dataclass
class World:
    shop: Shop
    customer: dict[str, Any]
    subscriber: ApiClient
    numbers: list[str]

    @property
    def reseller(self) -> ApiClient:
        return self.shop.api

    @property
    def cid(self) -> str:
        return self.customer["id"]

    def plan_line(self) -> dict[str, Any]:
        return {"lines": [{"item_id": self.shop.items["plan"]["id"], "quantity": 1}]}


def new_mac() -> str:
    return "00:15:65:" + ":".join(secrets.token_hex(1) for _ in range(3))


def device_body() -> dict[str, Any]:
    return {"name": "Desk", "mac": new_mac(), "model": "yealink-t46u"}


@pytest.fixture
def world(platform, accounts_db, fast_hasher, admin_api, accounts_events) -> World:
    shop = open_shop(platform, accounts_db, fast_hasher, admin_api)
    numbers = fresh_numbers(6, "514")
    ok(import_text(shop.api, numbers))
    customer = shop.api.create_customer(name="Lockable Ltd", country="CA")
    subscriber = sign_in_subscriber(platform.base_url, accounts_events, customer)
    return World(shop, customer, subscriber, numbers)


def wait_for_copies(databases: dict[str, sessionmaker], customer_id: str, locked: bool
                    ) -> None:
    """The lock travels to each service's copy by event: wait until every copy has it."""
    def seen() -> bool:
        for name in COPIES:
            with databases[name]() as session:
                value = session.scalar(text("SELECT locked FROM customers WHERE id = :id"),
                                       {"id": customer_id})
            if value is not locked:
                return False
        return True
    wait_until(seen, timeout=20, interval=0.2, message=f"every copy locked={locked}")


def enter(reseller: ApiClient, customer_id: str) -> ApiClient:
    """Direct access: a client holding the visit's token."""
    opened = ok(reseller.post(f"/api/v1/customers/{customer_id}/direct-access"), 201)
    return ApiClient(reseller.base_url, opened["token"])


@pytest.fixture(scope="session")
def short_access_platform(fast_hasher):
    """Accounts and the gateway on their own database and vhost, where a direct access
    lasts SHORT_ACCESS_SECONDS and visits past their end are swept every second."""
    with small_platform("da", {
            "SB_DIRECT_ACCESS_SECONDS": str(SHORT_ACCESS_SECONDS),
            "SB_DIRECT_ACCESS_SWEEP_SECONDS": "1"}) as plat:
        yield plat


__all__ = ["EventListener", "World", "device_body", "enter", "wait_for_copies"]
