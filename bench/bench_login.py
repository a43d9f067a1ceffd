"""Sign-in throughput with production argon2id, and what it does to ``accounts.health``.

Starts the accounts service (database ``sbbench_accounts``, vhost ``switchboard_bench``),
creates a reseller user with the default ``Hasher()`` (the service's own parameters), then:

1. baseline: one client calls ``accounts.health`` in a loop, nothing else running;
2. load: N clients sign in (``accounts.login``, correct password, ``client_ip=None``) in a
   loop, each through its own ClusterRpcProxy, while the same health client keeps going.

    .venv/bin/python bench/bench_login.py [--clients 4] [--seconds 15] [--baseline 5]
"""

from __future__ import annotations

import argparse
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import benchlib
from benchlib import Stats, heading, timed_ms

from sbcommon.contracts.accounts import ResellerCreate
from sbcommon.db import make_engine
from services.accounts.domain import directory
from services.accounts.domain.passwords import Hasher

HEALTH_TARGET_P99_MS = 20.0
HEALTH_PAUSE_S = 0.01


@dataclass
class Credentials:
    identifier: str
    password: str


@dataclass
class Recorder:
    """Latencies of one kind of call, shared by client threads."""
    samples: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float) -> None:
        with self.lock:
            self.samples.append(ms)

    def fail(self, exc: BaseException) -> None:
        with self.lock:
            self.errors.append(f"{type(exc).__name__}: {exc}"[:200])


# -- set-up ----------------------------------------------------------------------------------
def create_user(url: str, hasher: Hasher) -> Credentials:
    from sqlalchemy.orm import sessionmaker

    engine = make_engine(url, pool_size=1)
    ident = f"bench{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(18)
    try:
        with sessionmaker(engine).begin() as session:
            directory.create_reseller(
                session, hasher,
                ResellerCreate(name="Bench reseller", email=f"{ident}@resellers.example",
                               identifier=ident),
                password, datetime.now(UTC))
    finally:
        engine.dispose()
    return Credentials(ident, password)


def hash_cost_ms(hasher: Hasher, password: str, rounds: int = 5) -> float:
    """Median single-thread argon2id verify time in this process."""
    stored = hasher.hash(password)
    times = sorted(timed_ms(lambda: hasher.verify(stored, password)) for _ in range(rounds))
    return times[len(times) // 2]


# -- clients ---------------------------------------------------------------------------------
def health_client(stop: threading.Event, out: Recorder) -> None:
    with benchlib.rpc_proxy(timeout=30) as proxy:
        while not stop.is_set():
            try:
                out.add(timed_ms(proxy.accounts.health))
            except Exception as exc:
                out.fail(exc)
            time.sleep(HEALTH_PAUSE_S)


def login_client(stop: threading.Event, creds: Credentials, out: Recorder) -> None:
    payload = {"identifier": creds.identifier, "password": creds.password}
    with benchlib.rpc_proxy(timeout=60) as proxy:
        while not stop.is_set():
            try:
                out.add(timed_ms(lambda: proxy.accounts.login(payload, None)))
            except Exception as exc:
                out.fail(exc)


def run_for(seconds: float, targets: list[tuple[Any, tuple[Any, ...]]],
            stop: threading.Event) -> float:
    """Start one thread per (function, args), let them run ``seconds``; the elapsed time."""
    threads = [threading.Thread(target=fn, args=(stop, *args), daemon=True)
               for fn, args in targets]
    started = time.monotonic()
    for t in threads:
        t.start()
    try:
        time.sleep(seconds)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    return time.monotonic() - started


def warm_up(creds: Credentials) -> None:
    with benchlib.rpc_proxy(timeout=60) as proxy:
        for _ in range(2):
            proxy.accounts.login({"identifier": creds.identifier,
                                  "password": creds.password}, None)
            proxy.accounts.health()


# -- report ----------------------------------------------------------------------------------
def report_health(label: str, rec: Recorder) -> Stats:
    s = Stats.of(rec.samples)
    ok = "yes" if s.p99 < HEALTH_TARGET_P99_MS else "NO"
    print(f"  health {label:28} n={s.n:5}  p50 {s.p50:6.1f}  p99 {s.p99:6.1f}  "
          f"max {s.max:7.1f} ms   p99<20ms: {ok}   errors={len(rec.errors)}")
    return s


def report_logins(rec: Recorder, elapsed: float, clients: int, verify_ms: float) -> None:
    s = Stats.of(rec.samples)
    rate = len(rec.samples) / elapsed
    ceiling = (os.cpu_count() or 1) * 1000.0 / verify_ms
    print(f"  sign-ins: {len(rec.samples)} in {elapsed:.1f} s = {rate:.2f}/s "
          f"with {clients} clients (CPU ceiling ~{ceiling:.1f}/s = cores x 1000/verify ms)")
    print(f"  login latency p50 {s.p50:.0f}  p95 {s.p95:.0f}  max {s.max:.0f} ms   "
          f"errors={len(rec.errors)}")
    for err in sorted(set(rec.errors))[:5]:
        print(f"    error: {err}")


def under_load(creds: Credentials, clients: int, seconds: float, verify_ms: float,
               base: Stats) -> None:
    heading(f"load: {clients} sign-in clients for {seconds:.0f} s + the health client")
    logins, busy = Recorder(), Recorder()
    targets = [(login_client, (creds, logins))] * clients
    elapsed = run_for(seconds, [*targets, (health_client, (busy,))], threading.Event())
    report_logins(logins, elapsed, clients, verify_ms)
    loaded = report_health(f"during {clients} sign-in clients", busy)
    print(f"  health p50 x{loaded.p50 / base.p50:.1f}, p99 x{loaded.p99 / base.p99:.1f} "
          f"versus no load")


# -- main ------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="4",
                        help="concurrent sign-in clients; a list such as 1,2,4 runs each")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of the load")
    parser.add_argument("--tpool-size", type=int, default=None,
                        help="EVENTLET_THREADPOOL_SIZE for the service (caps parallel hashes)")
    parser.add_argument("--baseline", type=float, default=5.0, help="health-only seconds")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    benchlib.exit_on_sigterm()
    benchlib.ensure_vhost()
    print(f"sign-in benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"{benchlib.machine_load()}")
    hasher = Hasher()  # the service's defaults (SB_ARGON2_* unset): t=3, m=64 MiB, p=1
    url = benchlib.fresh_accounts_database()
    creds = create_user(url, hasher)
    verify_ms = hash_cost_ms(hasher, creds.password)
    print(f"argon2id verify, one thread, in-process: {verify_ms:.0f} ms")
    env = {k: "" for k in ("SB_ARGON2_TIME_COST", "SB_ARGON2_MEMORY_KIB")}
    if args.tpool_size:
        env["EVENTLET_THREADPOOL_SIZE"] = str(args.tpool_size)
        print(f"service started with EVENTLET_THREADPOOL_SIZE={args.tpool_size}")
    with benchlib.running_accounts(**env):
        warm_up(creds)
        heading(f"baseline: health only, {args.baseline:.0f} s, pause {HEALTH_PAUSE_S*1000:.0f} ms")
        idle = Recorder()
        run_for(args.baseline, [(health_client, (idle,))], threading.Event())
        base = report_health("no load", idle)
        for clients in (int(c) for c in args.clients.split(",")):
            under_load(creds, clients, args.seconds, verify_ms, base)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
