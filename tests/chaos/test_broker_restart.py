"""RabbitMQ restarts (``stop_app`` / ``start_app``) under load: clients get 503 with
Retry-After (never 500) while it is away, every service reconnects by itself, the outboxes
drain, and nothing a client was told succeeded is lost or done twice."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter

import pytest
import requests
from sqlalchemy import func, select

from services.accounts.models import Customer
from services.numbering.models import KnownCustomer as NumberingCustomer
from services.provisioning.models import Customer as ProvisioningCustomer
from services.routing_policy.models import KnownCustomer as RoutingCustomer
from tests.chaos.conftest import eventually
from tests.support import ApiClient, new_customer_body

CLIENTS = 3
BROKER_DOWN_SECONDS = 5


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


class Creator(threading.Thread):
    """Creates customers one after the other; on 503 or a dropped connection it sends the
    same request again with the same Idempotency-Key."""

    def __init__(self, api, stop: threading.Event):
        super().__init__(daemon=True)
        self.api, self.stop = api, stop
        self.created: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.retry_after_missing = 0
        self.unexpected: list[str] = []
        self.abandoned = 0

    def run(self) -> None:
        while not self.stop.is_set():
            body = new_customer_body(start="production")
            headers = {"Idempotency-Key": str(uuid.uuid4())}
            give_up = time.monotonic() + 90
            while True:
                if time.monotonic() > give_up:  # counted as lost by the test
                    self.abandoned += 1
                    break
                try:
                    resp = self.api.post("/api/v1/customers", json=body, headers=headers,
                                         timeout=15)
                except requests.RequestException:
                    time.sleep(0.5)
                    continue
                self.statuses[resp.status_code] += 1
                if resp.status_code == 201:
                    self.created.append(body["email"].lower())
                    break
                if resp.status_code == 503:
                    if "Retry-After" not in resp.headers:
                        self.retry_after_missing += 1
                    time.sleep(0.5)
                    continue
                self.unexpected.append(f"{resp.status_code}: {resp.text[:300]}")
                break


def _healthy(platform) -> bool:
    try:  # each service not answering costs the health check its 2 s timeout
        return requests.get(f"{platform.base_url}/health", timeout=15).status_code == 200
    except requests.RequestException:
        return False


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="needs the broker's CLI")
def test_broker_restart_under_load_loses_and_repeats_nothing(platform, reseller_api,
                                                             databases):
    stop = threading.Event()
    # One HTTP session per thread (requests' sessions are not meant to be shared).
    clients = [Creator(ApiClient(platform.base_url, token=reseller_api.token), stop)
               for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    time.sleep(2)
    rabbitmqctl("stop_app")
    try:
        time.sleep(BROKER_DOWN_SECONDS)
    finally:
        rabbitmqctl("start_app")
    restarted = time.monotonic()
    healthy = eventually(lambda: _healthy(platform), timeout=90, every=1)
    reconnected_in = time.monotonic() - restarted
    time.sleep(2)  # load after the restart, through the reconnected services
    stop.set()
    for client in clients:
        client.join(timeout=60)
    assert healthy, requests.get(f"{platform.base_url}/health", timeout=5).text

    created = [email for c in clients for email in c.created]
    statuses = sum((c.statuses for c in clients), Counter())
    with databases["accounts"]() as session:
        stored = dict(session.execute(
            select(func.lower(Customer.email), func.count()).where(
                func.lower(Customer.email).in_(created)).group_by(func.lower(Customer.email))
        ).all())
        ids = list(session.scalars(select(Customer.id).where(
            func.lower(Customer.email).in_(created))))

    def missing_copies() -> int:
        missing = 0
        for service, model in (("numbering", NumberingCustomer),
                               ("routing_policy", RoutingCustomer),
                               ("provisioning", ProvisioningCustomer)):
            with databases[service]() as session:
                known = session.scalar(select(func.count()).select_from(model)
                                       .where(model.id.in_(ids)))
            missing += len(ids) - known
        return missing

    eventually(lambda: missing_copies() == 0, timeout=30, every=0.5)
    lost = sum(1 for email in created if email not in stored) + missing_copies()
    repeated = sum(count - 1 for count in stored.values())
    print(f"\nbroker restart: {len(created)} customers created by {CLIENTS} clients, "
          f"answers {dict(statuses)}, healthy again {reconnected_in:.1f} s after start_app, "
          f"lost={lost} repeated={repeated}")
    lost += sum(c.abandoned for c in clients)
    assert [u for c in clients for u in c.unexpected] == []
    assert (lost, repeated) == (0, 0)
    assert statuses[500] == 0
    assert sum(c.retry_after_missing for c in clients) == 0
    assert len(created) > 0
