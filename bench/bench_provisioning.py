"""Boot storm after a power cut: N phones of M customers fetch their files over FTP, C
clients at a time. Prints total time, files per second, failures, and the provisioning
health RPC's latency during the storm. Not a test.

    .venv/bin/python bench/bench_provisioning.py [--phones 1000] [--customers 50] [--clients 50]
"""

# ruff: noqa: I001  (benchlib must be imported first)
from __future__ import annotations

import benchlib  # first: pins the sbbench databases and vhost

import argparse
import ftplib
import io
import os
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

MODELS = ["yealink-t46u", "polycom-vvx450", "cisco-spa504g", "grandstream-grp2612",
          "snom-d735"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(phones: int, customers_count: int) -> list[tuple[str, str, list[str]]]:
    """(username, password, files) per phone, written straight into the fresh database."""
    import uuid

    from sqlalchemy.orm import sessionmaker

    from sbcommon import replica
    from sbcommon.actor import Actor
    from sbcommon.config import database_url
    from sbcommon.contracts.provisioning import DeviceCreate
    from sbcommon.db import make_engine
    from sbcommon.migrate import drop_database, upgrade
    from services.provisioning.domain import accounts, customers, devices
    from services.provisioning.domain.credentials import SecretBox
    from services.provisioning.models import Customer
    from services.provisioning.settings import ProvisioningSettings

    url = database_url("provisioning")
    benchlib.check_bench_url(url)
    drop_database(url)
    upgrade("provisioning", url)
    sessions = sessionmaker(make_engine(url), expire_on_commit=False)
    box = SecretBox(ProvisioningSettings.from_env().encryption_keys)

    class NoEvents:
        def record(self, *args: object) -> None:
            pass

    out = []
    now = datetime.now(UTC)
    for c in range(customers_count):
        cid, rid = str(uuid.uuid4()), str(uuid.uuid4())
        actor = Actor(user_id=rid, role="reseller", reseller_id=rid)
        with sessions.begin() as session:
            replica.apply(session, Customer, replica.CustomerState(
            customer_id=cid, reseller_id=rid, status="production", name=f"Customer {c}", version=1))
            session.flush()
            account = accounts.ensure_account(session, customers.get_scoped(session, actor, cid),
                                              box, now)
            password = box.decrypt(account.password_encrypted)
            for p in range(phones // customers_count):
                device = devices.create(session, actor, cid, DeviceCreate(
                    name=f"Phone {c}-{p}", mac="02" + uuid.uuid4().hex[:10],
                    model=MODELS[p % len(MODELS)]), box, NoEvents(), now)
                out.append((account.username, password, device["files"]))
    return out


def boot(port: int, phone: tuple[str, str, list[str]]) -> int:
    username, password, files = phone
    with ftplib.FTP() as ftp:  # noqa: S321  (what the phones speak)
        ftp.connect("127.0.0.1", port, timeout=30)
        ftp.login(username, password)
        for name in files:
            ftp.retrbinary(f"RETR {name}", io.BytesIO().write)
    return len(files)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    benchlib.exit_on_sigterm()
    benchlib.ensure_vhost()
    phones = seed(args.phones, args.customers)
    ftp_port, http_port = free_port(), free_port()
    env = {**os.environ, "PROVISIONING_FTP_HOST": "127.0.0.1",
           "PROVISIONING_FTP_PORT": str(ftp_port), "PROVISIONING_HTTP_HOST": "127.0.0.1",
           "PROVISIONING_HTTP_PORT": str(http_port), "SB_LOG_LEVEL": "WARNING"}
    service = benchlib.ServiceProcess("provisioning", "services.provisioning.service")
    try:
        # both stopped at the end, and by benchlib.stop_everything on any exit
        benchlib.spawn([sys.executable, "-m", "services.provisioning.fileserver"],
                       benchlib.LOG_DIR / f"fileserver-{os.getpid()}.log", env)
        service.start()
        benchlib.wait_rpc_ready(service)
        time.sleep(1.0)
        health_ms: list[float] = []
        done = threading.Event()

        def probe() -> None:
            with benchlib.rpc_proxy() as proxy:
                while not done.is_set():
                    health_ms.append(benchlib.timed_ms(proxy.provisioning.health))
                    time.sleep(0.02)

        prober = threading.Thread(target=probe)
        prober.start()
        failures = 0
        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            futures = [pool.submit(boot, ftp_port, phone) for phone in phones]
            files = 0
            for future in futures:
                try:
                    files += future.result()
                except Exception:  # counted, not raised: the storm goes on
                    failures += 1
        elapsed = time.perf_counter() - started
        done.set()
        prober.join()
        stats = benchlib.Stats.of(health_ms)
        benchlib.heading(f"boot storm: {len(phones)} phones of {args.customers} customers, "
                         f"{args.clients} FTP clients at a time ({benchlib.machine_load()})")
        print(f"  total {elapsed:.2f} s · {files} files · {files / elapsed:.0f} files/s · "
              f"{len(phones) / elapsed:.0f} phones/s · failures {failures}")
        print(f"  provisioning.health during the storm: n={stats.n} p50={stats.p50:.1f} ms "
              f"p95={stats.p95:.1f} ms p99={stats.p99:.1f} ms max={stats.max:.1f} ms")
        return 1 if failures else 0
    finally:
        service.stop()
        benchlib.stop_everything()


if __name__ == "__main__":
    raise SystemExit(main())
