"""Notifications benchmark (prints numbers; not a test).

1. 1 000 e-mails through the outbox (queued in one transaction with the service's own
   ``compose.queue``) to a local aiosmtpd server: messages per second, from commit to the
   last message accepted.
2. 100 statements through ``notifications.send_statement`` (4 concurrent callers): PDF per
   second, and the health RPC's p50/p99 meanwhile (target p99 < 20 ms).
3. CSV export of 100 000 customers of one reseller through the gateway
   (``GET /api/v1/customers/export.csv``, streamed): time, size, and peak memory (VmHWM) of
   the gateway and notifications processes, and of this client.

Its own databases (``sbbench_*``) and vhost, like every benchmark here (see benchlib).
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import benchlib
from benchlib import Stats, heading, machine_load

SEED_SQL = (Path(__file__).resolve().parent / "seed.sql").read_text()


class CountingSmtp:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.lock:
            self.count += 1
        return "250 OK"


def vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return -1


def fresh(service: str) -> None:
    from sbcommon.config import database_url
    from sbcommon.migrate import drop_database, upgrade

    url = database_url(service)
    benchlib.check_bench_url(url)
    drop_database(url)
    upgrade(service, url)


def seed(customers: int) -> tuple[str, str, str]:
    """A reseller with a known password and ``customers`` customers; returns its ids."""
    from sqlalchemy import text
    from sqlalchemy.orm import sessionmaker

    from sbcommon.config import database_url
    from sbcommon.contracts.accounts import ResellerCreate
    from sbcommon.db import make_engine
    from services.accounts.domain import directory
    from services.accounts.domain.passwords import Hasher

    engine = make_engine(database_url("accounts"), pool_size=2)
    sessions = sessionmaker(engine)
    ident = f"bench{uuid.uuid4().hex[:8]}"
    password = f"pw-{uuid.uuid4().hex}"
    with sessions.begin() as s:
        made = directory.create_reseller(
            s, Hasher(time_cost=1, memory_cost=8 * 1024),
            ResellerCreate(name="Bench Télécom", email=f"{ident}@bench.example",
                           identifier=ident), password, datetime.now(UTC))
        s.execute(text("SELECT setseed(0.4242)"))
        s.execute(text(SEED_SQL), {"reseller_id": made["reseller_id"], "count": customers,
                                   "start": 0})
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return made["reseller_id"], ident, password


def bench_outbox(smtp: CountingSmtp, n: int) -> None:
    from sqlalchemy.orm import sessionmaker

    from sbcommon.config import database_url
    from sbcommon.db import make_engine
    from services.notifications.domain import compose
    from services.notifications.domain.brand import DEFAULT

    heading(f"{n} e-mails through the outbox to the local SMTP server")
    engine = make_engine(database_url("notifications"), pool_size=2)
    sessions = sessionmaker(engine)
    customer = {"language": "fr", "name": "Client", "contact_name": None}
    start_count = smtp.count
    build = time.perf_counter()
    with sessions.begin() as s:
        for i in range(n):
            rendered = compose.custom_message(customer, DEFAULT, f"Bench {i}", "Bonjour " * 40)
            compose.queue(s, rendered, kind="message", recipient=f"c{i}@bench.example",
                          language="fr", brand=DEFAULT, sender="noreply@bench.example",
                          reseller_id=None, customer_id=None, now=datetime.now(UTC))
    committed = time.perf_counter()
    while smtp.count - start_count < n and time.perf_counter() - committed < 300:
        time.sleep(0.01)
    done = time.perf_counter()
    sent = smtp.count - start_count
    print(f"  build + queue: {committed - build:.2f} s ({n / (committed - build):.0f} msg/s)")
    print(f"  delivered {sent} in {done - committed:.2f} s after commit: "
          f"{sent / (done - committed):.0f} msg/s (includes up to 1 s until the sender polls)")
    engine.dispose()


def bench_statements(reseller_id: str, n: int, callers: int) -> None:
    from sbcommon.actor import Actor, Role

    heading(f"{n} statements ({callers} concurrent callers) and the health RPC meanwhile")
    actor = Actor(user_id=str(uuid.uuid4()), role=Role.RESELLER, reseller_id=reseller_id).dump()
    with benchlib.rpc_proxy() as proxy:
        ids = [c["id"] for c in proxy.accounts.list_customers(
            actor, {"per_page": 100, "status": "production"})["items"]]
        baseline = []
        for _ in range(100):
            baseline.append(benchlib.timed_ms(proxy.notifications.health))
            time.sleep(0.01)
    todo = list(range(n))
    lock = threading.Lock()
    errors: list[str] = []

    def caller() -> None:
        with benchlib.rpc_proxy(timeout=120) as proxy:
            while True:
                with lock:
                    if not todo:
                        return
                    i = todo.pop()
                try:
                    proxy.notifications.send_statement(actor, ids[i % len(ids)])
                except Exception as exc:  # noqa: BLE001
                    errors.append(repr(exc))

    threads = [threading.Thread(target=caller) for _ in range(callers)]
    during: list[float] = []
    start = time.perf_counter()
    for t in threads:
        t.start()
    with benchlib.rpc_proxy() as proxy:
        while any(t.is_alive() for t in threads):
            during.append(benchlib.timed_ms(proxy.notifications.health))
            time.sleep(0.01)
    elapsed = time.perf_counter() - start
    b, d = Stats.of(baseline), Stats.of(during)
    print(f"  {n - len(errors)} statements in {elapsed:.1f} s: {(n - len(errors)) / elapsed:.1f}"
          f" PDF/s (rendered, attached, queued); errors: {len(errors)}")
    print(f"  health baseline p50/p99/max: {b.p50:.1f} / {b.p99:.1f} / {b.max:.1f} ms (n={b.n})")
    print(f"  health during   p50/p99/max: {d.p50:.1f} / {d.p99:.1f} / {d.max:.1f} ms (n={d.n})"
          f"  p99 < 20 ms: {'yes' if d.p99 < 20 else 'NO'}")


def bench_csv(base_url: str, ident: str, password: str, gateway: Any, notif: Any) -> None:
    import tracemalloc

    import requests

    heading("CSV export of every customer through the gateway (streamed)")
    # Only accounts and notifications run here: /health stays 503 "degraded" (it asks all
    # five services; the absent ones time out after 2 s). Waiting for a 200, with a 2 s
    # request timeout, never ended: wait for the two this export uses to be "ok" instead.
    deadline = time.monotonic() + 60
    while True:
        try:
            services = requests.get(f"{base_url}/health", timeout=10).json()["services"]
            if all(services[n]["status"] == "ok" for n in ("accounts", "notifications")):
                break
        except (requests.RequestException, ValueError, KeyError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the gateway does not reach accounts and notifications")
        time.sleep(0.5)
    token = requests.post(f"{base_url}/api/v1/auth/login", json={
        "identifier": ident, "password": password}, timeout=30).json()["token"]
    before = (vm_hwm_kib(gateway.proc.pid), vm_hwm_kib(notif.proc.pid))
    tracemalloc.start()
    start = time.perf_counter()
    size = lines = 0
    # bounded: 30 s without a byte, or 10 minutes in all, is a failure, not a wait
    deadline = time.monotonic() + 600
    with requests.get(f"{base_url}/api/v1/customers/export.csv", stream=True,
                      timeout=(5, 30), headers={"Authorization": f"Bearer {token}"}) as resp:
        resp.raise_for_status()
        for chunk in resp.iter_content(64 * 1024):
            size += len(chunk)
            lines += chunk.count(b"\r\n")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the export took over 600 s ({lines} rows so far)")
    elapsed = time.perf_counter() - start
    _, client_peak = tracemalloc.get_traced_memory()
    after = (vm_hwm_kib(gateway.proc.pid), vm_hwm_kib(notif.proc.pid))
    print(f"  {lines - 1} rows, {size / 1e6:.1f} MB in {elapsed:.1f} s "
          f"({(lines - 1) / elapsed:.0f} rows/s)")
    print(f"  peak RSS (VmHWM) gateway: {before[0] / 1024:.0f} → {after[0] / 1024:.0f} MiB; "
          f"notifications: {before[1] / 1024:.0f} → {after[1] / 1024:.0f} MiB; "
          f"client (tracemalloc peak): {client_peak / 1e6:.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emails", type=int, default=1000)
    parser.add_argument("--statements", type=int, default=100)
    parser.add_argument("--callers", type=int, default=4)
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    if os.environ.get("SB_BENCH_QUICK"):
        args.emails, args.statements, args.customers = 100, 10, 5000
    benchlib.exit_on_sigterm()
    benchlib.ensure_vhost()
    print(machine_load())
    from aiosmtpd.controller import Controller


    def free_port() -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    fresh("accounts")
    fresh("notifications")
    t = time.perf_counter()
    reseller_id, ident, password = seed(args.customers)
    print(f"seeded {args.customers} customers in {time.perf_counter() - t:.1f} s")
    smtp = CountingSmtp()
    smtp_port, http_port = free_port(), free_port()
    controller = Controller(smtp, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {"SB_SMTP_PORT": str(smtp_port), "SB_HTTP_ADDRESS": f"127.0.0.1:{http_port}",
           "SB_SECRET_KEY": "bench-secret"}
    services = [benchlib.ServiceProcess(name, module, **env) for name, module in (
        ("accounts", "services.accounts.service"),
        ("notifications", "services.notifications.service"),
        ("gateway", "gateway.service"))]
    try:
        for service in services:
            service.start()
        for service in services[:2]:
            benchlib.wait_rpc_ready(service)
        bench_outbox(smtp, args.emails)
        bench_statements(reseller_id, args.statements, args.callers)
        bench_csv(f"http://127.0.0.1:{http_port}", ident, password, services[2], services[1])
    finally:
        for service in reversed(services):
            service.stop()
        controller.stop()
    print(machine_load())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
