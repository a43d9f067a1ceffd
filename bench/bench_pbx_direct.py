"""The PBX path at line rate (prints numbers; not a test).

(a) ``GET /pbx/v1/authorize`` on routing_policy's direct address vs a bare nameko ``@http``
    route returning a constant JSON (bench/baseline_service.py, same nameko settings, same
    run): wrk, 8 connections, requests/s, ratio and p99; a customer with 10 rules and one
    with 10,000 rules;
(b) a real Kamailio (deploy/pbx/kamailio/kamailio.cfg) driven by sipp: every call
    challenged, authenticated with sip-credentials and authorised; 500 calls/s for 30 s, then
    higher rates until one has a failed call.

    .venv/bin/python bench/bench_pbx_direct.py [--seconds 10] [--sipp-seconds 30]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import bench_routing_policy as routing  # imports benchlib first (sbbench database, vhost)
import benchlib

sys.path.insert(0, str(benchlib.ROOT))
DOMAIN = "sip.bench.example"
PHONE, PASSWORD = "sbbenchphone", "bench-password-" + uuid.uuid4().hex[:8]
# wrk asks about these in turn (a PBX asks about many destinations, not one)
LUA = """
local dialed = {"514%%20555%%200199", "011%%2044%%2020%%207946%%200018", "%%2B33142685300",
                "011%%2053%%207%%20123%%204567", "1%%20900%%20555%%200123", "911",
                "%%2B81%%203%%201234%%205678", "00%%2049%%2030%%20123456"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/pbx/v1/authorize?customer=%s&dialed=" .. dialed[i %% #dialed + 1])
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_phone(customer: str, reseller: str) -> None:
    """A SIP line of the small customer, as provisioning's event would have left it."""
    from sqlalchemy.orm import sessionmaker

    from sbcommon.config import database_url
    from sbcommon.db import make_engine
    from services.routing_policy.models import SipUserRow

    ha1 = hashlib.md5(f"{PHONE}:{DOMAIN}:{PASSWORD}".encode(),  # noqa: S324
                      usedforsecurity=False).hexdigest()
    engine = make_engine(database_url("routing_policy"), pool_size=1)
    with sessionmaker(engine).begin() as session:
        session.add(SipUserRow(username=PHONE, reseller_id=reseller, customer_id=customer,
                               device_id=str(uuid.uuid4()), caller_id=None,
                               ha1={DOMAIN: ha1}, version=1,
                               updated_at=datetime.now(UTC)))
    engine.dispose()


def wrk(url: str, seconds: float, script: str | None = None,
        headers: tuple[str, ...] = ()) -> tuple[float, float]:
    """(requests/s, p99 ms) of one wrk run with 8 connections."""
    args = ["wrk", "-t2", "-c8", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "5s"]
    for header in headers:
        args += ["-H", header]
    if script:
        args += ["-s", script]
    out = subprocess.run([*args, url], capture_output=True, text=True,  # noqa: S603
                         check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None, out
    factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} error answers:\n{out}")
    return rate, float(p99.group(1)) * factor


def wait_http(url: str, headers: dict[str, str] | None = None) -> None:
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url, headers=headers, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} never answered")


def direct_vs_baseline(direct: str, baseline: str, big: str, small: str, seconds: float,
                       rounds: int) -> None:
    benchlib.heading("(a) direct /pbx/v1/authorize vs a bare nameko @http constant JSON "
                     "(wrk, 8 connections)")
    auth = (f"Authorization: Bearer {routing.TOKEN}",)
    with tempfile.TemporaryDirectory() as tmp:
        scripts = {}
        for name, customer in (("10 rules", small), ("10,000 rules", big)):
            path = Path(tmp) / f"{customer}.lua"
            path.write_text(LUA % customer)
            scripts[name] = str(path)
        wrk(f"{baseline}/constant", 2)  # warm both (imports, lru caches)
        wrk(direct, 2, scripts["10 rules"], auth)
        wrk(direct, 2, scripts["10,000 rules"], auth)
        results: dict[str, list[tuple[float, float]]] = {"baseline": [], "10 rules": [],
                                                         "10,000 rules": []}
        for _ in range(rounds):  # interleaved: a busy neighbour slows all three alike
            results["baseline"].append(wrk(f"{baseline}/constant", seconds))
            for name, script in scripts.items():
                results[name].append(wrk(direct, seconds, script, auth))
    best = {name: max(runs) for name, runs in results.items()}
    base_rate = best["baseline"][0]
    for name, (rate, p99) in best.items():
        extra = "" if name == "baseline" else f"  ratio {rate / base_rate:.2f}"
        label = "baseline @http constant" if name == "baseline" else f"authorize, {name}"
        print(f"  {label:28s} {rate:8.0f} req/s  p99 {p99:6.2f} ms{extra}")
    small_rate, big_rate = best["10 rules"][0], best["10,000 rules"][0]
    print(f"  10,000 rules vs 10 rules: {100 * (big_rate - small_rate) / small_rate:+.1f} % "
          "(target within 5 %); target ratio >= 0.9, p99 <= 10 ms; best of "
          f"{rounds} interleaved runs of {seconds:.0f} s")


def sipp_rate(sipp: str, proxy: object, workdir: Path, rate: int, seconds: int) -> tuple[
        int, int]:
    from tests.pbx.sip import call_scenario, run_sipp

    scenario = call_scenario(DOMAIN, PHONE, 200)
    run = run_sipp(sipp, proxy, scenario, workdir, f"rate-{rate}",  # type: ignore[arg-type]
                   user=PHONE, password=PASSWORD, service="0142685300",
                   calls=rate * seconds, rate=rate, timeout=seconds + 60)
    lines = run.stats.strip().splitlines()
    if len(lines) < 2:
        return 0, rate * seconds
    row = dict(zip(lines[0].split(";"), lines[-1].split(";"), strict=False))
    return int(row["SuccessfulCall(C)"]), int(row["FailedCall(C)"])


def kamailio_with_sipp(direct_address: str, first: int, seconds: int, step: int,
                       limit: int) -> None:
    from tests.pbx.sip import start_proxy

    kamailio, sipp = shutil.which("kamailio"), shutil.which("sipp")
    benchlib.heading("(b) Kamailio + sipp: REGISTER-less calls, each challenged, "
                     "authenticated (sip-credentials) and authorised")
    if not kamailio or not sipp:
        print("  kamailio or sipp missing (apt-get install kamailio kamailio-utils-modules "
              "kamailio-json-modules sip-tester)")
        return
    workdir = Path(tempfile.mkdtemp(prefix="sb-bench-sip-"))
    proxy = start_proxy(kamailio, sipp, direct_address, routing.TOKEN, DOMAIN, workdir)
    try:
        ok, failed = sipp_rate(sipp, proxy, workdir, first, seconds)
        print(f"  {first} calls/s for {seconds} s: {ok} successful, {failed} failed")
        best = first if failed == 0 else 0
        rate = first + step
        while failed == 0 and rate <= limit:
            ok, failed = sipp_rate(sipp, proxy, workdir, rate, 10)
            print(f"  {rate} calls/s for 10 s: {ok} successful, {failed} failed")
            if failed == 0:
                best = rate
            rate += step
        print(f"  highest rate with 0 failed calls: {best} calls/s"
              + (" (the limit tried)" if failed == 0 else ""))
    finally:
        proxy.stop()
        if os.environ.get("SB_BENCH_KEEP_SIP"):
            print(f"  sipp and Kamailio logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sipp-rate", type=int, default=500)
    parser.add_argument("--sipp-seconds", type=int, default=30)
    parser.add_argument("--sipp-step", type=int, default=100)
    parser.add_argument("--sipp-limit", type=int, default=1500)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    benchlib.exit_on_sigterm()
    benchlib.ensure_vhost()
    print(f"direct PBX benchmark; {benchlib.machine_load()}")
    reseller, big, small = routing.seed()
    seed_phone(small, reseller)
    direct_address = f"127.0.0.1:{free_port()}"
    baseline_port = free_port()
    service = benchlib.ServiceProcess("routing_policy", "services.routing_policy.service",
                                      SB_PBX_HTTP_ADDRESS=direct_address)
    # Named like routing_policy so it gets the same worker pool; its own log file.
    baseline = benchlib.ServiceProcess("routing_policy", "bench.baseline_service",
                                       SB_HTTP_ADDRESS=f"127.0.0.1:{baseline_port}")
    baseline.log_path = benchlib.LOG_DIR / f"bench_baseline-{os.getpid()}.log"
    try:
        service.start()
        baseline.start()
        direct = f"http://{direct_address}"
        wait_http(f"{direct}/pbx/v1/health")
        wait_http(f"http://127.0.0.1:{baseline_port}/constant")
        direct_vs_baseline(direct, f"http://127.0.0.1:{baseline_port}", big, small,
                           args.seconds, args.rounds)
        baseline.stop()
        kamailio_with_sipp(direct_address, args.sipp_rate, args.sipp_seconds, args.sipp_step,
                           args.sipp_limit)
    finally:
        baseline.stop()
        service.stop()


if __name__ == "__main__":
    os.chdir(benchlib.ROOT)
    main()
