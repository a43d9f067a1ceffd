"""Numbering benchmarks (print numbers; not a test).

(a) Import of 100 000 lines through the real HTTP gateway (text/plain upload → streamed
    batches → numbering service → PostgreSQL), against parsing the same lines with
    phonenumbers alone (parse + is_valid_number) in this process. Target: import time
    ≤ 1.5 × parse-only. Peak memory (VmHWM) of the gateway and numbering processes.
(b) Concurrent orders: 8 clients × 100 orders of one number each through the API:
    orders per second, latency, and zero numbers sold twice.
"""

from __future__ import annotations

import argparse
import random
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchlib  # noqa: E402,I001  (pins the sbbench databases and vhost first)

import phonenumbers  # noqa: E402
import requests  # noqa: E402

from benchlib import ServiceProcess, Stats, heading, machine_load, wait_rpc_ready  # noqa: E402

AREAS = ("514", "438", "450", "819", "613", "416", "604", "403", "905", "780")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_lines(count: int, seed: int = 7) -> list[str]:
    """Numbers as people write them, with 2 % vanity lines and 1 % invalid ones."""
    rnd = random.Random(seed)
    seen: set[str] = set()
    lines = []
    while len(lines) < count:
        roll = rnd.random()
        if roll < 0.02:
            lines.append(f"1-800-{rnd.choice(['FLOWERS', 'COMPAGN', 'TAXICAB'])}")
            continue
        if roll < 0.03:
            lines.append(f"+1 555 555 {rnd.randint(0, 9999):04d}")
            continue
        area, exchange, line = rnd.choice(AREAS), rnd.randint(200, 989), rnd.randint(0, 9999)
        key = f"{area}{exchange}{line}"
        if key in seen:
            continue
        seen.add(key)
        style = rnd.randint(0, 2)
        lines.append([f"+1 ({area}) {exchange}-{line:04d}", f"+1 {area} {exchange} {line:04d}",
                      f"+1{area}{exchange}{line:04d}"][style])
    return lines


def parse_only(lines: list[str]) -> float:
    start = time.perf_counter()
    for text in lines:
        try:  # noqa: SIM105  (a context manager would add its own cost to the timed loop)
            phonenumbers.is_valid_number(phonenumbers.parse(text, None))
        except phonenumbers.NumberParseException:
            pass
    return time.perf_counter() - start


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def sign_in(base: str, identifier: str, password: str) -> requests.Session:
    http = requests.Session()
    token = http.post(f"{base}/api/v1/auth/login", json={"identifier": identifier,
                                                         "password": password}).json()["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def start_platform(port: int, services: list[ServiceProcess]) -> None:
    """Start ``services`` (accounts, numbering, the gateway) on fresh databases; the caller
    stops them, whatever happens here."""
    from sbcommon.config import database_url
    from sbcommon.migrate import drop_database, upgrade

    for name in ("accounts", "numbering"):
        url = database_url(name)
        benchlib.check_bench_url(url)
        drop_database(url)
        upgrade(name, url)
    for service in services:
        service.start()
    for service in services[:2]:
        wait_rpc_ready(service)
    # Only accounts and numbering run here, so /health answers 503 "degraded" (it asks all
    # five services, the absent ones time out after 2 s): wait for the two this benchmark
    # uses to be "ok" in it, with a request timeout above the gateway's 2 s.
    last: object = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            health = requests.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
            if all(health["services"][n]["status"] == "ok" for n in ("accounts", "numbering")):
                return
            last = health
        except (requests.RequestException, ValueError, KeyError) as exc:
            last = exc
        time.sleep(0.5)
    raise RuntimeError(f"gateway not serving accounts and numbering: {last}")


def make_reseller() -> tuple[str, str]:
    from datetime import UTC, datetime

    from sqlalchemy.orm import sessionmaker

    from sbcommon.config import database_url
    from sbcommon.contracts.accounts import ResellerCreate
    from sbcommon.db import make_engine
    from services.accounts.domain import directory
    from services.accounts.domain.passwords import Hasher

    engine = make_engine(database_url("accounts"), pool_size=1)
    with sessionmaker(engine).begin() as session:
        directory.create_reseller(session, Hasher(time_cost=1, memory_cost=8192),
                                  ResellerCreate(name="Bench", email="bench@x.example",
                                                 identifier="bench-reseller"),
                                  "bench-password", datetime.now(UTC))
    engine.dispose()
    return "bench-reseller", "bench-password"


def bench_import(base: str, http: requests.Session, services: list[ServiceProcess],
                 count: int) -> None:
    heading(f"(a) import of {count} lines vs phonenumbers alone")
    lines = make_lines(count)
    body = ("\n".join(lines) + "\n").encode()
    baseline = min(parse_only(lines) for _ in range(2))
    before = {s.name: vm_hwm_mib(s.proc.pid) for s in services[1:]}
    start = time.perf_counter()
    report = http.post(f"{base}/api/v1/numbers/import", data=body,
                       headers={"Content-Type": "text/plain"}, timeout=600).json()
    elapsed = time.perf_counter() - start
    after = {s.name: vm_hwm_mib(s.proc.pid) for s in services[1:]}
    print(f"  file: {len(body) / 1e6:.1f} MB, {count} lines; added {report['added']}, "
          f"not added {report['rejected']}")
    print(f"  parse-only (phonenumbers.parse + is_valid_number, best of 2): {baseline:6.2f} s "
          f"= {count / baseline:,.0f} lines/s")
    print(f"  import end to end (HTTP → gateway → numbering → PostgreSQL):  {elapsed:6.2f} s "
          f"= {count / elapsed:,.0f} lines/s")
    ratio = elapsed / baseline
    print(f"  ratio import / parse-only: {ratio:.2f}  (target ≤ 1.5: "
          f"{'yes' if ratio <= 1.5 else 'no'})")
    for name in after:
        print(f"  peak memory {name:9s} VmHWM {before[name]:6.1f} MiB before, "
              f"{after[name]:6.1f} MiB after")


def bench_orders(base: str, identifier: str, password: str, clients: int, orders: int) -> None:
    heading(f"(b) concurrent orders: {clients} clients x {orders} orders of one number")
    admin = sign_in(base, identifier, password)
    pool = [f"+1 647 {200 + i // 10000} {i % 10000:04d}" for i in range(clients * orders)]
    admin.post(f"{base}/api/v1/numbers/import", data="\n".join(pool).encode(),
               headers={"Content-Type": "text/plain"}, timeout=300)
    customers = [admin.post(f"{base}/api/v1/customers", json={
        "kind": "company", "name": f"Bench {i}", "email": f"bench{i}@c.example",
        "start": "production"}).json()["id"] for i in range(clients)]
    got: list[str] = []
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def client(customer_id: str) -> None:
        http = sign_in(base, identifier, password)
        barrier.wait()
        for _ in range(orders):
            t = time.perf_counter()
            resp = http.post(f"{base}/api/v1/customers/{customer_id}/numbers",
                             json={"count": 1, "area_code": "647"}, timeout=60)
            with lock:
                latencies.append((time.perf_counter() - t) * 1000)
                if resp.status_code == 201:
                    got.extend(n["number"] for n in resp.json()["numbers"])
                else:
                    errors.append(f"{resp.status_code} {resp.text[:80]}")

    threads = [threading.Thread(target=client, args=(c,)) for c in customers]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    stats = Stats.of(latencies)
    print(f"  {len(got)} numbers in {elapsed:.1f} s = {len(got) / elapsed:.1f} orders/s; "
          f"errors {len(errors)}; numbers sold twice: {len(got) - len(set(got))}")
    print(f"  order latency p50 {stats.p50:.1f} ms  p99 {stats.p99:.1f} ms  "
          f"max {stats.max:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--orders", type=int, default=100)
    args = parser.parse_args()
    benchlib.exit_on_sigterm()
    benchlib.ensure_vhost()
    print(f"numbering benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{machine_load()}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    services = [ServiceProcess("accounts", "services.accounts.service"),
                ServiceProcess("numbering", "services.numbering.service"),
                ServiceProcess("gateway", "gateway.service",
                               SB_HTTP_ADDRESS=f"127.0.0.1:{port}")]
    try:
        start_platform(port, services)
        identifier, password = make_reseller()
        http = sign_in(base, identifier, password)
        bench_import(base, http, services, args.lines)
        bench_orders(base, identifier, password, args.clients, args.orders)
    finally:
        for service in reversed(services):
            service.stop()


if __name__ == "__main__":
    main()
