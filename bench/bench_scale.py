"""Scale-out benchmark of the PBX's question (prints numbers; not a test).

(a) 1, 2 and 3 replicas of routing_policy behind the PBX address: authorize throughput,
    latency and CPU per replica, side by side, with the same closed-loop clients.
(b) The largest count again while one replica is killed (SIGKILL) every ``--kill-every``
    seconds and deploy/supervise.sh (the dev run's supervisor) restarts it: requests that
    failed after one client retry (target 0), first attempts that failed, and each
    restart's time from the kill to the new process being ready (/readyz).

Each replica runs under deploy/supervise.sh, as ``deploy/run.sh`` runs it.

    .venv/bin/python bench/bench_scale.py [--replicas 1,2,3] [--seconds 10] [--clients 16]
        [--kill-seconds 40] [--kill-every 10] [--target gateway | URL]

``--target gateway`` (the default) starts a gateway and asks its ``/pbx/v1/authorize``.
``--target http://HOST:PORT/pbx/v1/authorize`` asks that address instead, for a
routing_policy that serves the PBX itself (``SB_PBX_HTTP_ADDRESS``, every replica on the same
port with SO_REUSEPORT): the replicas are then started with ``SB_PBX_HTTP_ADDRESS=HOST:PORT``
and no gateway.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchlib  # noqa: E402,I001  (first: pins the sbbench databases and vhost)
import bench_routing_policy as rp  # noqa: E402

import requests  # noqa: E402

SUPERVISE = str(benchlib.ROOT / "deploy" / "supervise.sh")
QUERY_DIALED = "011 44 20 7946 0018"


@dataclass
class Replica:
    """One routing_policy replica under deploy/supervise.sh."""

    index: int
    run_dir: Path
    metrics_port: int
    env: dict[str, str]
    supervisor: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return f"routing_policy-{self.index}"

    def start(self) -> None:
        from sbcommon.config import max_workers

        env = {**self.env, "SB_REPLICA": self.name, "SB_RUN_DIR": str(self.run_dir),
               "SB_METRICS_PORT": str(self.metrics_port), "SB_METRICS_ADDRESS": "127.0.0.1",
               "SB_MAX_WORKERS": str(max_workers("routing_policy", self.env)),
               "SB_RESTART_MIN_SECONDS": "1", "SB_RESTART_MAX_SECONDS": "4"}
        log = benchlib.LOG_DIR / f"{self.name}-{os.getpid()}.log"
        self.supervisor = benchlib.spawn(
            [SUPERVISE, self.name, str(log), sys.executable, "-m", "nameko", "run",
             "--config", str(benchlib.ROOT / "deploy" / "config" / "nameko.yml"),
             "services.routing_policy.service"], log, env)

    def pid(self) -> int | None:
        try:
            return int((self.run_dir / f"{self.name}.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def ready(self) -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{self.metrics_port}/readyz",
                                timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.metrics_port)

    def rss_mib(self) -> float:
        text = requests.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text
        return next(float(line.split()[1]) for line in text.splitlines()
                    if line.startswith("process_resident_memory_bytes")) / 2**20

    def stop(self) -> None:
        if self.supervisor is not None:
            benchlib.stop_process(self.supervisor, timeout=25)


def cpu_seconds(metrics_port: int) -> float:
    """The process's CPU time so far, from its own /metrics."""
    text = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
    return next(float(line.split()[1]) for line in text.splitlines()
                if line.startswith("process_cpu_seconds_total"))


@dataclass
class Load:
    """Closed-loop clients: each asks, waits for the answer, asks again."""

    url: str
    params: dict[str, str]
    headers: dict[str, str]
    clients: int
    retry: bool = False
    samples: list[float] = field(default_factory=list)
    failed: int = 0  # after the retry, when there is one
    first_failures: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # of failed attempts
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _ask(self, session: requests.Session) -> bool:
        try:
            status = session.get(self.url, params=self.params, headers=self.headers,
                                 timeout=5).status_code
            reason = str(status)
        except requests.RequestException as exc:
            status, reason = 0, type(exc).__name__
        if status != 200:
            with self._lock:
                self.reasons[reason] = self.reasons.get(reason, 0) + 1
        return status == 200

    def run(self, seconds: float) -> float:
        stop_at = time.monotonic() + seconds

        def client() -> None:
            session = requests.Session()
            local, failed, first = [], 0, 0
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                ok = self._ask(session)
                if not ok:
                    first += 1
                    # the PBX retries once, on a new connection (another replica may answer)
                    if self.retry:
                        session.close()
                        session = requests.Session()
                        ok = self._ask(session)
                if ok:
                    local.append((time.perf_counter() - started) * 1000)
                else:
                    failed += 1
            with self._lock:
                self.samples += local
                self.failed += failed
                self.first_failures += first

        threads = [threading.Thread(target=client) for _ in range(self.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not within {timeout:.0f} s")
        time.sleep(0.1)


def measure(replicas: list[Replica], load: Load, seconds: float,
            gateway_port: int | None) -> dict[str, Any]:
    cpu_before = [r.cpu_seconds() for r in replicas]
    gateway_before = cpu_seconds(gateway_port) if gateway_port else 0.0
    elapsed = load.run(seconds)
    cpu = [(r.cpu_seconds() - b) / elapsed for r, b in zip(replicas, cpu_before, strict=True)]
    gateway = (cpu_seconds(gateway_port) - gateway_before) / elapsed if gateway_port else 0.0
    stats = benchlib.Stats.of(load.samples)
    return {"rate": len(load.samples) / elapsed, "stats": stats, "failed": load.failed,
            "cpu": cpu, "gateway_cpu": gateway, "rss": [r.rss_mib() for r in replicas]}


def kill_run(replicas: list[Replica], load: Load, seconds: float, every: float) -> None:
    benchlib.heading(f"(b) {len(replicas)} replicas, one killed (SIGKILL) every {every:.0f} s, "
                     f"restarted by deploy/supervise.sh; clients retry once")
    restarts: list[float] = []
    errors: list[str] = []

    def killer() -> None:
        # a kill at every, 2 × every, … while the load still has 5 s to run afterwards
        kills = max(int((seconds - 5) // every), 1)
        started = time.monotonic()
        for turn in range(kills):
            time.sleep(max(started + every * (turn + 1) - time.monotonic(), 0))
            replica = replicas[turn % len(replicas)]
            old = replica.pid()
            if old is None:
                errors.append(f"{replica.name}: no pid")
                continue
            killed_at = time.monotonic()
            os.kill(old, signal.SIGKILL)
            try:
                wait_for(lambda r=replica, o=old: r.pid() not in (None, o) and r.ready(),
                         every + 20, f"{replica.name} back")
                restarts.append(time.monotonic() - killed_at)
            except RuntimeError as exc:
                errors.append(str(exc))

    thread = threading.Thread(target=killer)
    thread.start()
    elapsed = load.run(seconds)
    thread.join()
    total = len(load.samples) + load.failed
    stats = benchlib.Stats.of(load.samples)
    print(f"  {total} requests in {elapsed:.0f} s ({len(load.samples) / elapsed:,.0f}/s), "
          f"p50 {stats.p50:.1f} ms, p99 {stats.p99:.1f} ms, max {stats.max:.0f} ms")
    reasons = ", ".join(f"{n} × {r}" for r, n in sorted(load.reasons.items())) or "none"
    print(f"  failed after one retry: {load.failed} (target 0); first attempts that failed: "
          f"{load.first_failures} (every failed attempt: {reasons})")
    times = ", ".join(f"{t:.1f}" for t in restarts) or "none"
    print(f"  restarts: {len(restarts)}, kill → replaced and ready: {times} s")
    for error in errors:
        print(f"  ! {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", default="1,2,3")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kill-seconds", type=float, default=40.0)
    parser.add_argument("--kill-every", type=float, default=10.0)
    parser.add_argument("--target", default="gateway")
    args = parser.parse_args()
    counts = [int(n) for n in args.replicas.split(",")]
    benchlib.exit_on_sigterm()
    benchlib.ensure_vhost()
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"scale-out benchmark of routing_policy, {now}; {benchlib.machine_load()}")
    _reseller, _big, small = rp.seed()
    run_dir = benchlib.LOG_DIR / f"run-{os.getpid()}"
    env = {**os.environ, "SB_LOG_LEVEL": "WARNING", "PYTHONWARNINGS": "ignore"}
    gateway = None
    gateway_metrics = None
    if args.target == "gateway":
        port, gateway_metrics = rp.benchlib_free_port(), rp.benchlib_free_port()
        url = f"http://127.0.0.1:{port}/pbx/v1/authorize"
        gateway = benchlib.ServiceProcess("gateway", "gateway.service",
                                          SB_HTTP_ADDRESS=f"127.0.0.1:{port}",
                                          SB_METRICS_PORT=str(gateway_metrics),
                                          SB_METRICS_ADDRESS="127.0.0.1")
        where = "the gateway's /pbx/v1/authorize (one gateway)"
    else:
        url = args.target
        env["SB_PBX_HTTP_ADDRESS"] = urlsplit(url).netloc
        where = f"{url} (served by the replicas themselves)"
    replicas: list[Replica] = []
    try:
        if gateway is not None:
            gateway.start()
        headers = {"Authorization": f"Bearer {rp.TOKEN}"}
        params = {"customer": small, "dialed": QUERY_DIALED, "kind": "direct"}
        rows = []
        for count in counts:
            while len(replicas) < count:
                replica = Replica(len(replicas) + 1, run_dir, rp.benchlib_free_port(), env)
                replica.start()
                replicas.append(replica)
            wait_for(lambda: all(r.ready() for r in replicas), 90, "replicas ready")
            if gateway is not None:
                rp.wait_http(url.replace("/authorize", "/echo"), 60)
            Load(url, params, headers, args.clients).run(2)  # warm-up
            rows.append((count, measure(replicas, Load(url, params, headers, args.clients),
                                        args.seconds, gateway_metrics)))
        benchlib.heading(f"(a) authorize through {where}, {args.clients} clients, "
                         f"{args.seconds:.0f} s each")
        print(f"{'replicas':>8} {'req/s':>8} {'x1':>5} {'p50 ms':>7} {'p99 ms':>7} {'failed':>6}"
              f"  gateway CPU  CPU per replica (cores)   RSS per replica (MiB)")
        base = rows[0][1]["rate"]
        for count, row in rows:
            stats = row["stats"]
            print(f"{count:>8} {row['rate']:>8,.0f} {row['rate'] / base:>5.2f} "
                  f"{stats.p50:>7.1f} {stats.p99:>7.1f} {row['failed']:>6}  "
                  f"{row['gateway_cpu']:>11.2f}  "
                  f"{' '.join(f'{c:.2f}' for c in row['cpu']):<25} "
                  f"{' '.join(f'{m:.0f}' for m in row['rss'])}")
        one = rows[0][1]
        if one["cpu"][0] > 0:
            print(f"  one replica: {one['rate'] / one['cpu'][0]:,.0f} authorize/s per CPU core "
                  f"of routing_policy (its own CPU; the gateway and clients share the machine)")
        if one["gateway_cpu"] > 0:
            print(f"  the gateway: {one['rate'] / one['gateway_cpu']:,.0f} PBX requests/s per "
                  f"CPU core of the gateway")
        kill_run(replicas, Load(url, params, headers, args.clients, retry=True),
                 args.kill_seconds, args.kill_every)
    finally:
        for replica in replicas:
            replica.stop()
        if gateway is not None:
            gateway.stop()
        benchlib.stop_everything()
    print(benchlib.machine_load())


if __name__ == "__main__":
    os.chdir(benchlib.ROOT)
    main()
