"""A sign-in flood beside signed-in users: do session checks wait behind password hashing?

Starts accounts and the gateway (database ``sbbench_accounts``, vhost
``switchboard_bench``), with the service's own argon2id cost. Then, over HTTP:

1. baseline: one signed-in client calls ``GET /api/v1/auth/session`` (a session check in
   accounts, nothing else) every 10 ms, nothing else running;
2. flood: N clients (default 8) sign in as fast as they can (right passwords: every one is
   a full argon2id check; wrong ones would be stopped by the per-network limit before any
   hashing), while the same signed-in client goes on.

Prints p50/p99 of both phases and the sign-in rate; the target is p99 < 50 ms during the
flood. Sign-ins beyond what the hashing workers can take wait (bounded) or get a 503 with
Retry-After: the flood slows itself, the session checks do not.

    .venv/bin/python bench/bench_signin_flood.py [--clients 8] [--seconds 15] [--baseline 5]
"""

from __future__ import annotations

import argparse
import secrets
import threading
import time
from collections import Counter
from datetime import UTC, datetime

import benchlib
import requests
from benchlib import Stats, heading, timed_ms

from sbcommon.contracts.accounts import ResellerCreate
from sbcommon.db import make_engine
from services.accounts.domain import directory
from services.accounts.domain.passwords import Hasher

TARGET_P99_MS = 50.0
PAUSE_S = 0.01


def create_users(url: str, count: int) -> list[tuple[str, str]]:
    from sqlalchemy.orm import sessionmaker

    hasher = Hasher()  # the service's defaults: t=3, m=64 MiB
    engine = make_engine(url, pool_size=1)
    users = []
    try:
        with sessionmaker(engine).begin() as session:
            for _ in range(count):
                ident, password = f"flood{secrets.token_hex(4)}", secrets.token_urlsafe(18)
                directory.create_reseller(session, hasher, ResellerCreate(
                    name="Bench reseller", email=f"{ident}@resellers.example",
                    identifier=ident), password, datetime.now(UTC))
                users.append((ident, password))
    finally:
        engine.dispose()
    return users


def session_client(base: str, token: str, stop: threading.Event, samples: list[float],
                   errors: Counter) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    while not stop.is_set():
        try:
            start = time.perf_counter()
            status = http.get(f"{base}/api/v1/auth/session", timeout=10).status_code
            elapsed = (time.perf_counter() - start) * 1000
            if status == 200:
                samples.append(elapsed)
            else:
                errors[status] += 1
        except requests.RequestException as exc:
            errors[type(exc).__name__] += 1
        time.sleep(PAUSE_S)


def flood_client(base: str, user: tuple[str, str], stop: threading.Event,
                 outcomes: Counter) -> None:
    http = requests.Session()
    while not stop.is_set():
        try:
            status = http.post(f"{base}/api/v1/auth/login", timeout=60, json={
                "identifier": user[0], "password": user[1]}).status_code
            outcomes[status] += 1
        except requests.RequestException as exc:
            outcomes[type(exc).__name__] += 1


def run(seconds: float, threads: list[threading.Thread], stop: threading.Event) -> float:
    start = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=90)
    return time.monotonic() - start


def report(label: str, samples: list[float], errors: Counter) -> Stats:
    s = Stats.of(samples)
    verdict = "yes" if s.p99 < TARGET_P99_MS else "NO"
    print(f"  session checks {label:18} n={s.n:5}  p50 {s.p50:6.1f}  p95 {s.p95:6.1f}  "
          f"p99 {s.p99:6.1f}  max {s.max:7.1f} ms   p99<{TARGET_P99_MS:.0f}ms: {verdict}   "
          f"errors={dict(errors)}")
    return s


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--baseline", type=float, default=5.0)
    args = parser.parse_args()
    benchlib.exit_on_sigterm()
    benchlib.ensure_vhost()
    print(f"sign-in flood benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"{benchlib.machine_load()}")
    url = benchlib.fresh_accounts_database()
    users = create_users(url, args.clients + 1)
    verify_ms = timed_ms(lambda: Hasher().verify(Hasher().hash("x"), "x"))
    print(f"argon2id hash+verify, one thread: {verify_ms:.0f} ms")
    port = benchlib.free_port()
    base = f"http://127.0.0.1:{port}"
    blank = {k: "" for k in ("SB_ARGON2_TIME_COST", "SB_ARGON2_MEMORY_KIB")}
    accounts = benchlib.ServiceProcess("accounts", "services.accounts.service", **blank)
    gateway = benchlib.ServiceProcess("gateway", "gateway.service",
                                      SB_HTTP_ADDRESS=f"127.0.0.1:{port}")
    accounts.start()
    gateway.start()
    try:
        benchlib.wait_rpc_ready(accounts)
        benchlib.wait_http(base)
        token = requests.post(f"{base}/api/v1/auth/login", timeout=30, json={
            "identifier": users[0][0], "password": users[0][1]}).json()["token"]
        heading(f"baseline: session checks only, {args.baseline:.0f} s")
        samples: list[float] = []
        errors: Counter = Counter()
        stop = threading.Event()
        run(args.baseline, [threading.Thread(
            target=session_client, args=(base, token, stop, samples, errors))], stop)
        base_stats = report("no flood", samples, errors)
        heading(f"flood: {args.clients} sign-in clients for {args.seconds:.0f} s")
        samples, errors, outcomes = [], Counter(), Counter()
        stop = threading.Event()
        threads = [threading.Thread(target=flood_client, args=(base, u, stop, outcomes))
                   for u in users[1:]]
        threads.append(threading.Thread(target=session_client,
                                        args=(base, token, stop, samples, errors)))
        elapsed = run(args.seconds, threads, stop)
        loaded = report(f"{args.clients} flooding", samples, errors)
        print(f"  sign-ins answered: {dict(outcomes)} in {elapsed:.1f} s "
              f"({outcomes.get(200, 0) / elapsed:.1f} signed in per second)")
        print(f"  session check p99 x{loaded.p99 / base_stats.p99:.1f} versus the baseline")
    finally:
        gateway.stop()
        accounts.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
