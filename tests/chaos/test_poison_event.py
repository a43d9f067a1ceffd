"""An event no handler can apply is parked in each consuming service's dead-letter queue
after its retries, while the events behind it keep flowing."""

from __future__ import annotations

import uuid

from sbcommon import deadletters
from sbcommon.config import amqp_uri
from services.numbering.models import KnownCustomer
from tests.chaos.conftest import dispatch, eventually

CONSUMERS = ("numbering", "routing_policy", "provisioning")


def _parked(service: str, event_id: str) -> bool:
    return any(row["event_id"] == event_id
               for row in deadletters.list_parked(amqp_uri(), service, limit=500))


def test_a_poison_event_is_parked_and_the_others_keep_flowing(platform, reseller_api,
                                                             databases, rpc):
    # A customer_closed without the customer's state: no consumer can validate it.
    poison = dispatch("accounts", "customer_closed", {"reseller_id": str(uuid.uuid4()),
                                                      "customer_id": str(uuid.uuid4())})
    after = reseller_api.create_customer(country="CA")

    def known_after() -> bool:
        with databases["numbering"]() as session:
            return session.get(KnownCustomer, after["id"]) is not None

    assert eventually(known_after, timeout=10)
    assert eventually(lambda: all(_parked(s, poison["event_id"]) for s in CONSUMERS),
                      timeout=40, every=0.5)
    for service in CONSUMERS:  # health counts them (refreshed every few seconds)
        assert eventually(lambda s=service: getattr(rpc, s).health()["dead_letters"] >= 1,
                          timeout=10, every=0.5)
    [row] = [r for r in deadletters.list_parked(amqp_uri(), "numbering", limit=500)
             if r["event_id"] == poison["event_id"]]
    assert row["event"] == "accounts.customer_closed"
    assert "validation error" in row["error"].lower()
