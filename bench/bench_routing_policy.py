"""Call-authorisation benchmark (prints numbers; not a test).

(a) in-process decisions per second for a customer with 10 000 rules and one with 10;
(b) RPC ``routing_policy.authorize`` vs ``routing_policy.echo`` (same service, same
    settings), 1 and 8 concurrent clients: throughput ratio, p50/p99;
(c) HTTP ``/pbx/v1/authorize`` vs ``/pbx/v1/echo`` through the gateway, same clients;
(d) a rule change reaching every replica: time from ``create_rule`` returning until two
    replicas both answer with it (broadcast events), beside one authorize round trip.

    .venv/bin/python bench/bench_routing_policy.py [--seconds 5] [--clients 1,8]
"""

from __future__ import annotations

import argparse
import itertools
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import benchlib  # noqa: I001  (first: pins the sbbench database and vhost)

TOKEN = "sbpbx_bench-" + uuid.uuid4().hex
DIALED = ["514 555 0199", "011 44 20 7946 0018", "+33 1 42 68 53 00", "011 53 7 123 4567",
          "1 900 555 0123", "+81 3 1234 5678", "911", "00 49 30 123456"]


def seed() -> tuple[str, str, str]:
    """A reseller with a few rules, a customer with 10 000 rules, one with 10."""
    from sqlalchemy.orm import sessionmaker

    from sbcommon.config import database_url
    from sbcommon.db import make_engine
    from sbcommon.migrate import drop_database, upgrade
    from services.routing_policy.domain.tokens import digest
    from services.routing_policy.models import KnownCustomer, PbxTokenRow, RuleRow

    url = database_url("routing_policy")
    benchlib.check_bench_url(url)
    drop_database(url)
    upgrade("routing_policy", url)
    engine = make_engine(url, pool_size=2)
    reseller, big, small = (str(uuid.uuid4()) for _ in range(3))
    now = datetime.now(UTC)

    def rule(customer: str | None, match: str, value: str, action: str = "deny") -> RuleRow:
        return RuleRow(id=str(uuid.uuid4()), reseller_id=reseller, customer_id=customer,
                       action=action, match=match, value=value, created_by="bench",
                       created_at=now)

    with sessionmaker(engine).begin() as session:
        for cid in (big, small):
            session.add(KnownCustomer(id=cid, reseller_id=reseller, country="CA",
                                      status="production", updated_at=now))
        session.add(PbxTokenRow(id=str(uuid.uuid4()), name="bench", token_hash=digest(TOKEN),
                                created_at=now))
        session.add_all([rule(None, "category", "international", "allow"),
                         rule(None, "country", "CU"), rule(None, "country", "KP")])
        # 10 000 prefixes spread over NANP area codes and European ranges
        session.add_all(rule(big, "prefix", f"+1{200 + i % 800}{i // 800:03d}")
                        for i in range(9_000))
        session.add_all(rule(big, "prefix", f"+4{i:04d}") for i in range(1_000))
        session.add_all(rule(small, "prefix", p) for p in (
            "+1900", "+1976", "+4470", "+4487", "+3389", "+537", "+8816", "+8817",
            "+1514555", "+33142"))
    engine.dispose()
    return reseller, big, small


def in_process(big: str, small: str, seconds: float) -> None:
    from sqlalchemy.orm import sessionmaker

    from sbcommon.config import database_url
    from sbcommon.db import make_engine
    from services.routing_policy.domain.cache import PolicyCache

    engine = make_engine(database_url("routing_policy"), pool_size=1)
    cache = PolicyCache()
    with sessionmaker(engine)() as session:
        started = time.perf_counter()
        cache.load_all(session)
        load_ms = (time.perf_counter() - started) * 1000
    engine.dispose()
    benchlib.heading("(a) in-process decisions (normalise + classify + lookup)")
    print(f"cache load (10 013 rules, compile): {load_ms:.0f} ms")
    lookups: dict[str, float] = {}
    for label, cid in (("10 000 rules", big), ("10 rules", small)):
        context = cache.customer_context(cid, None)
        table = cache.customer_tables[cid]
        dialed = itertools.cycle(DIALED)
        done, deadline = 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            for _ in range(200):
                cache.decide(context, next(dialed), "direct")
            done += 200
        rate = done / seconds
        # the table lookup alone, on an already classified destination
        from services.routing_policy.domain.numbers import classify
        dest = classify("+15145550199", "CA")
        started = time.perf_counter()
        for _ in range(100_000):
            table.match(dest)
        lookup_ns = (time.perf_counter() - started) / 100_000 * 1e9
        print(f"customer with {label:>12}: {rate:>9,.0f} decisions/s   "
              f"table lookup alone {lookup_ns:,.0f} ns")
        lookups[label] = lookup_ns
    # moved from the unit tests: the lookup does not grow with the rule count
    print(f"lookup 10 000 rules / 10 rules: {lookups['10 000 rules'] / lookups['10 rules']:.2f}x"
          f" (target < 2x)")


def load(call: Callable[[], Any], clients: int, seconds: float,
         make: Callable[[], Any] | None = None) -> tuple[float, benchlib.Stats]:
    samples: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        local: list[float] = []
        ctx = make() if make else None
        try:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                call(ctx) if ctx is not None else call()
                local.append((time.perf_counter() - started) * 1000)
        finally:
            if hasattr(ctx, "__exit__"):
                ctx.__exit__(None, None, None)
        with lock:
            samples.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(samples) / seconds, benchlib.Stats.of(samples)


def compare(title: str, pairs: dict[str, Callable[..., Any]], make: Callable[[], Any],
            clients_list: list[int], seconds: float) -> None:
    benchlib.heading(title)
    print(f"{'clients':>7} {'route':>10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}  ratio")
    for clients in clients_list:
        results = {}
        for name, fn in pairs.items():
            results[name] = load(fn, clients, seconds, make)
        base = results["echo"][0]
        for name, (rate, stats) in results.items():
            ratio = f"{rate / base:.2f}" if name != "echo" else ""
            print(f"{clients:>7} {name:>10} {rate:>9,.0f} {stats.p50:>8.2f} {stats.p99:>8.2f}"
                  f"  {ratio}", flush=True)


class RpcClient:
    def __init__(self) -> None:
        from nameko.standalone.rpc import ClusterRpcProxy
        self._cm = ClusterRpcProxy({"AMQP_URI": benchlib.amqp_uri()}, timeout=30)
        self.proxy = self._cm.__enter__()

    def __exit__(self, *exc: Any) -> None:
        self._cm.__exit__(*exc)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    benchlib.exit_on_sigterm()
    benchlib.ensure_vhost()
    print(f"routing_policy benchmark; {benchlib.machine_load()}")
    reseller, big, small = seed()
    in_process(big, small, args.seconds)

    port = benchlib_free_port()
    service = benchlib.ServiceProcess("routing_policy", "services.routing_policy.service")
    gateway = benchlib.ServiceProcess("gateway", "gateway.service",
                                      SB_HTTP_ADDRESS=f"127.0.0.1:{port}")
    import requests
    try:
        service.start()
        benchlib.wait_rpc_ready(service)
        gateway.start()
        wait_http(f"http://127.0.0.1:{port}/pbx/v1/echo")
        query = {"dialed": "011 44 20 7946 0018", "customer": small, "kind": "direct"}
        compare("(b) RPC: routing_policy.authorize vs routing_policy.echo", {
            "echo": lambda c: c.proxy.routing_policy.echo(query),
            "authorize": lambda c: c.proxy.routing_policy.authorize(TOKEN, query),
        }, RpcClient, clients, args.seconds)
        headers = {"Authorization": f"Bearer {TOKEN}"}
        base = f"http://127.0.0.1:{port}/pbx/v1"
        compare("(c) HTTP through the gateway: /pbx/v1/authorize vs /pbx/v1/echo", {
            "echo": lambda s: s.get(f"{base}/echo", params=query, headers=headers, timeout=30),
            "authorize": lambda s: s.get(f"{base}/authorize", params=query, headers=headers,
                                         timeout=30),
        }, requests.Session, clients, args.seconds)
        replica = benchlib.ServiceProcess("routing_policy", "services.routing_policy.service")
        try:
            replica.start()
            benchlib.wait_rpc_ready(replica)
            convergence(reseller, small, args.rounds)
        finally:
            replica.stop()
    finally:
        gateway.stop()
        service.stop()


def convergence(reseller: str, customer: str, rounds: int) -> None:
    """Moved here from the test suite, where "under 1.0 s" flaked on a loaded machine; the
    test keeps the behaviour (both replicas converge) with a generous deadline."""
    from nameko.standalone.rpc import ClusterRpcProxy

    from sbcommon.actor import Actor, Role

    benchlib.heading("(d) a rule change reaching both replicas (BROADCAST events)")
    actor = Actor(user_id="bench", role=Role.RESELLER, reseller_id=reseller).model_dump()
    with ClusterRpcProxy({"AMQP_URI": benchlib.amqp_uri()}, timeout=30) as proxy:
        def replicas(dialed: str) -> dict[str, bool]:
            query = {"dialed": dialed, "customer": customer}
            calls = [proxy.routing_policy.authorize.call_async(TOKEN, query)
                     for _ in range(16)]
            seen: dict[str, bool] = {}
            for call in calls:
                result = call.result()
                seen[result["replica"]] = seen.get(result["replica"], True) \
                    and not result["allow"]
            return seen

        def both_up() -> bool:
            try:
                return len(replicas("+442079460000")) == 2
            except Exception:  # the new replica answers before its cache is loaded
                return False

        deadline = time.monotonic() + 60
        while not both_up():
            if time.monotonic() > deadline:
                raise RuntimeError("the second replica never answered")
            time.sleep(0.2)
        round_trip = benchlib.measure(lambda: replicas("+442079460000"), 20)
        samples = []
        for i in range(rounds):
            dialed = f"+4420794601{i:02d}"
            proxy.routing_policy.create_rule(actor, {"action": "deny", "match": "destination",
                                                     "value": dialed}, customer)
            started = time.perf_counter()
            while True:
                seen = replicas(dialed)
                if len(seen) == 2 and all(seen.values()):
                    break
                if time.perf_counter() - started > 30:
                    raise RuntimeError(f"replicas did not converge: {seen}")
            samples.append((time.perf_counter() - started) * 1000)
        stats = benchlib.Stats.of(samples)
        print(f"  baseline: 16 authorize calls over both replicas p50 {round_trip.p50:.1f} ms")
        print(f"  rule created → both replicas deny: p50 {stats.p50:.1f} ms, max "
              f"{stats.max:.1f} ms (n={stats.n}; target < 1000 ms)")


def benchlib_free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    import requests
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"},
                            timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} never answered")


if __name__ == "__main__":
    os.chdir(benchlib.ROOT)
    main()
