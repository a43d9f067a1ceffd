"""kill -9 of service replicas in the middle of 500 mutating requests: with clients retrying
on 503 and connection errors with the same Idempotency-Key, every request is done exactly
once. Counted in the databases: customers, assigned numbers, mail rows.

The first kill comes after the replicas hung for longer than the gateway waits (SIGSTOP):
the gateway has answered 503, the clients have retried elsewhere, and the requests the hung
replica holds are redelivered to the survivors when it dies, which is how a request ran
twice before keys and deadlines. The second is a plain kill -9 of running replicas."""

from __future__ import annotations

import os
import queue
import random
import signal
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
from kombu import Connection
from sqlalchemy import func, select

from sbcommon.config import amqp_uri
from services.accounts.models import Customer
from services.notifications.models import Mail
from services.numbering.models import Number
from tests.numbering.conftest import fresh_numbers, import_text
from tests.support import ApiClient, Platform, free_port, new_customer_body

KILLED = ("accounts", "numbering", "notifications")  # each gets a second replica to kill
CREATES, ORDERS, MAILS = 160, 170, 170
CLIENTS = 12
GIVE_UP_SECONDS = 40
RPC_TIMEOUT = 2  # the chaos gateway's; the hang lasts longer
HANG_SECONDS = 3


@dataclass
class Job:
    kind: str
    path: str
    body: dict[str, Any]
    key: str = field(default_factory=lambda: str(uuid.uuid4()))
    answer: Any = None
    attempts: int = 0
    seconds: float = 0.0


def rpc_consumers(services: tuple[str, ...]) -> dict[str, int]:
    """How many processes consume each service's RPC queue (a passive declare says)."""
    with Connection(amqp_uri()) as conn:
        channel = conn.channel()
        return {s: channel.queue_declare(f"rpc-{s}", passive=True).consumer_count
                for s in services}


def start_replicas(base: Platform, sets: int) -> list[list[Any]]:
    """``sets`` more replicas of each service in KILLED, once all of them consume."""
    # Few idle connections and workers each: PostgreSQL's 100 connections are shared by
    # every process of every test run on the machine.
    small = {"SB_DB_POOL_SIZE": "1", **{f"{n.upper()}_MAX_WORKERS": "8" for n in KILLED}}
    procs = [[base.add(name, f"services.{name}.service", suffix=f"-chaos{i}", **small)
              for name in KILLED] for i in range(sets)]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if all(n > sets for n in rpc_consumers(KILLED).values()):
            return procs
        time.sleep(0.3)
    raise AssertionError(f"the replicas never consumed: {rpc_consumers(KILLED)}")


def run(client: ApiClient, job: Job) -> None:
    """Send until answered, retrying with the same key on 503 and broken connections."""
    began = time.monotonic()
    give_up = began + GIVE_UP_SECONDS
    while time.monotonic() < give_up:
        job.seconds = time.monotonic() - began
        job.attempts += 1
        try:
            resp = client.post(job.path, json=job.body, headers={"Idempotency-Key": job.key})
        except requests.RequestException:
            time.sleep(0.2)
            continue
        if resp.status_code == 503:
            time.sleep(min(float(resp.headers.get("Retry-After", 0.2)), 0.5))
            continue
        job.answer = (resp.status_code, resp.json())
        job.seconds = time.monotonic() - began
        return


def count(sessions, model, *where) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_kill_9_replicas_under_load_loses_and_repeats_nothing(platform, reseller_api,
                                                               databases):
    # Set-up, before any replica is killed: a pool of numbers and customers to order for.
    assert import_text(reseller_api, fresh_numbers(ORDERS + 20, "514")).json()["added"] \
        == ORDERS + 20
    holders = [reseller_api.create_customer(country="CA")["id"] for _ in range(10)]
    tag = uuid.uuid4().hex[:8]
    jobs = ([Job("create", "/api/v1/customers", new_customer_body()) for _ in range(CREATES)]
            + [Job("order", f"/api/v1/customers/{random.choice(holders)}/numbers",
                   {"count": 1, "area_code": "514"}) for _ in range(ORDERS)]
            + [Job("mail", f"/api/v1/customers/{random.choice(holders)}/emails/message",
                   {"subject": f"chaos {tag} {i}", "body": "hello"}) for i in range(MAILS)])
    random.shuffle(jobs)

    port = free_port()
    extra = Platform(base_url=f"http://127.0.0.1:{port}", env={
        **platform.env, "SB_HTTP_ADDRESS": f"127.0.0.1:{port}",
        "SB_RPC_TIMEOUT_SECONDS": str(RPC_TIMEOUT)})
    extra.add("gateway", "gateway.service", suffix="-chaos")
    # Two more replicas of each: one set hangs then dies, the other dies later. Starting
    # them all now keeps process start-up out of the timed load on a small machine.
    doomed = start_replicas(extra, 2)
    extra.wait_healthy()
    todo: queue.Queue[Job] = queue.Queue()
    for job in jobs:
        todo.put(job)
    done = Counter[str]()
    lock = threading.Lock()

    def client_loop() -> None:
        client = ApiClient(extra.base_url, reseller_api.token)
        while True:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            run(client, job)
            with lock:
                done["jobs"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client_loop, daemon=True) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        kills = 0
        for fraction, replicas, hang in ((0.3, doomed[0], True), (0.65, doomed[1], False)):
            while done["jobs"] < fraction * len(jobs) and any(t.is_alive() for t in threads):
                time.sleep(0.02)
            if hang:
                for proc in replicas:
                    os.kill(proc.proc.pid, signal.SIGSTOP)
                time.sleep(HANG_SECONDS)
            for proc in replicas:
                os.kill(proc.proc.pid, signal.SIGKILL)
                kills += 1
        for t in threads:
            t.join(timeout=GIVE_UP_SECONDS + 20)
    finally:
        extra.stop()
    elapsed = time.monotonic() - started

    accounts, numbering, notifications = (databases[s] for s in
                                          ("accounts", "numbering", "notifications"))
    by_kind = {k: [j for j in jobs if j.kind == k] for k in ("create", "order", "mail")}
    unanswered = [j for j in jobs if j.answer is None]
    refused = [j for j in jobs if j.answer is not None and j.answer[0] >= 400]

    # Each creation: exactly one customer row with its e-mail.
    created = Counter({j.body["email"]: count(accounts, Customer,
                                              Customer.email == j.body["email"])
                       for j in by_kind["create"]})
    # Each order: one number, none handed to two orders, as many assigned as ordered.
    ordered = [n["number"] for j in by_kind["order"] if j.answer and j.answer[0] == 201
               for n in j.answer[1]["numbers"]]
    assigned = count(numbering, Number, Number.customer_id.in_(holders))
    # Each message: exactly one mail row with its subject.
    mailed = Counter({j.body["subject"]: count(notifications, Mail,
                                               Mail.subject == j.body["subject"])
                      for j in by_kind["mail"]})

    lost = (len(unanswered) + len(refused) + sum(1 for n in created.values() if n == 0)
            + sum(1 for n in mailed.values() if n == 0) + max(0, ORDERS - assigned))
    repeated = (sum(n - 1 for n in created.values() if n > 1)
                + sum(n - 1 for n in mailed.values() if n > 1)
                + max(0, assigned - ORDERS) + (len(ordered) - len(set(ordered))))
    retried = sum(j.attempts - 1 for j in jobs)
    print(f"\n{len(jobs)} requests in {elapsed:.1f}s, {kills} replicas killed, "
          f"{retried} retries: lost={lost} repeated={repeated}")
    slow = sorted(jobs, key=lambda j: -j.seconds)[:8]
    print("slowest:", [(j.kind, round(j.seconds, 1), j.attempts) for j in slow])
    assert (lost, repeated) == (0, 0), (
        [j.answer for j in refused][:5], len(unanswered), assigned, len(ordered))
