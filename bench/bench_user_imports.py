"""Imports of a company's users (print numbers; not a test).

A generated Microsoft 365 "Export users" file of 10 000 users (2 % blocked, 2 % unlicensed
shared mailboxes, 1 % bad e-mails, 1 % duplicates, a third with a phone number, 500 of them
in the reseller's pool) is:
(a) parsed by the csv module alone (the baseline: the same bytes, csv.reader, nothing else),
(b) read and classified by the import's own reader in this process (no database),
(c) previewed end to end: HTTP upload → gateway → accounts (chunks stored, then the
    background worker's batches: classification, the account's users, one numbering call
    per 500 rows) until the preview is ready,
(d) applied: users created in batches of 100 (one savepoint each) and numbers assigned,
    until done.
Wall time of each, and peak memory: tracemalloc for (a) and (b), VmHWM (peak RSS) of the
accounts and gateway processes for (c) and (d).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import benchlib  # noqa: E402,I001  (pins the sbbench databases and vhost first)

from bench_numbering import free_port, make_reseller, sign_in, start_platform, vm_hwm_mib  # noqa: E402
from benchlib import ServiceProcess, heading, machine_load  # noqa: E402

HEADER = ["Block credential", "City", "Country/Region", "Department", "Display name",
          "First name", "Last name", "Licenses", "Mobile Phone", "Office", "Phone number",
          "Usage location", "User principal name", "When created"]
FIRST = ["Amélie", "Marc", "Chloé", "Éric", "Julie", "Nadia", "Luc", "Hélène", "Yves", "Ann"]
LAST = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie"]


def make_file(users: int, pool: int, seed: int = 11) -> tuple[bytes, list[str]]:
    rnd = random.Random(seed)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    numbers = []
    for i in range(users):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        upn = f"{first.lower()}.{last.lower()}.{i}@bench.example".encode(
            "ascii", "ignore").decode()
        roll = rnd.random()
        blocked, licenses = "False", "Microsoft 365 Business Standard"
        if roll < 0.02:
            blocked = "True"
        elif roll < 0.04:
            licenses = "Unlicensed"
        elif roll < 0.05:
            upn = upn.replace("@", " at ")
        elif roll < 0.06 and i:
            upn = f"{FIRST[0].lower()}.x.0@bench.example"  # a duplicate
        phone = ""
        if i % 3 == 0:
            phone = f"+1 438 {200 + i // 10000} {i % 10000:04d}"
            if len(numbers) < pool:
                numbers.append(phone)
        writer.writerow([blocked, "Montréal", "Canada", f"Dept {i % 17}, floor {i % 5}",
                         f"{first} {last}", first, last, licenses, "", f"Bureau {i % 40}",
                         phone, "CA", upn, "2024-03-04 14:02:11Z"])
    return b"\xef\xbb\xbf" + out.getvalue().encode(), numbers


def csv_only(data: bytes) -> tuple[float, float, int]:
    tracemalloc.start()
    start = time.perf_counter()
    rows = sum(1 for _ in csv.reader(io.TextIOWrapper(io.BytesIO(data), "utf-8-sig",
                                                      newline="")))
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak / 2**20, rows


def reader_only(data: bytes) -> tuple[float, float, int]:
    from services.accounts.domain.user_imports import reader
    from services.accounts.domain.user_imports.classify import Screen

    chunk = 256 * 1024
    tracemalloc.start()
    start = time.perf_counter()
    _, rows = reader.read(lambda: (data[i:i + chunk] for i in range(0, len(data), chunk)))
    screen = Screen()
    count = sum(1 for row in rows if screen(row))
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak / 2**20, count


def wait_status(http, base: str, import_id: int, wanted: str, limit: float) -> dict:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        report = http.get(f"{base}/api/v1/customers/imports/{import_id}",
                          params={"per_page": 1}).json()
        if report["status"] == wanted:
            return report
        if report["status"] == "failed":
            raise RuntimeError(report["reason"])
        time.sleep(0.2)
    raise RuntimeError(f"import {import_id} not {wanted} after {limit} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--pool", type=int, default=500)
    args = parser.parse_args()
    benchlib.exit_on_sigterm()
    benchlib.ensure_vhost()
    print(f"user import benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{machine_load()}")
    data, pool = make_file(args.users, args.pool)
    heading(f"a file of {args.users} users, {len(data) / 1e6:.2f} MB")
    base_s, base_mib, rows = min(csv_only(data) for _ in range(3))
    print(f"  (a) csv module alone, best of 3:            {base_s * 1000:8.1f} ms, "
          f"peak {base_mib:6.2f} MiB (tracemalloc), {rows} rows")
    read_s, read_mib, _ = min(reader_only(data) for _ in range(3))
    print(f"  (b) import reader + classification, best of 3: {read_s * 1000:8.1f} ms, "
          f"peak {read_mib:6.2f} MiB  = {read_s / base_s:.1f} x (a)")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    services = [ServiceProcess("accounts", "services.accounts.service"),
                ServiceProcess("numbering", "services.numbering.service"),
                ServiceProcess("gateway", "gateway.service", SB_HTTP_ADDRESS=f"127.0.0.1:{port}")]
    try:
        start_platform(port, services)
        identifier, password = make_reseller()
        http = sign_in(base, identifier, password)
        http.post(f"{base}/api/v1/numbers/import", data="\n".join(pool).encode(),
                  headers={"Content-Type": "text/plain"}, timeout=300)
        company = http.post(f"{base}/api/v1/customers", json={
            "kind": "company", "name": "Bench Co", "email": "owner@bench-co.example",
            "start": "production"}).json()
        peak = {s.name: vm_hwm_mib(s.proc.pid) for s in (services[0], services[2])}
        start = time.perf_counter()
        resp = http.post(f"{base}/api/v1/customers/imports", data=data, timeout=600,
                         params={"customer_id": company["id"]},
                         headers={"Content-Type": "text/csv"})
        if resp.status_code != 201:
            raise RuntimeError(resp.text)
        import_id = resp.json()["import_id"]
        ready = wait_status(http, base, import_id, "ready", 600)
        preview_s = time.perf_counter() - start
        after_preview = {s.name: vm_hwm_mib(s.proc.pid) for s in (services[0], services[2])}
        print(f"  (c) preview end to end:                     {preview_s * 1000:8.1f} ms "
              f"= {preview_s / base_s:.0f} x (a); counts {ready['counts']}")
        start = time.perf_counter()
        http.post(f"{base}/api/v1/customers/imports/{import_id}/apply")
        done = wait_status(http, base, import_id, "done", 1200)
        apply_s = time.perf_counter() - start
        after_apply = {s.name: vm_hwm_mib(s.proc.pid) for s in (services[0], services[2])}
        print(f"  (d) apply:                                  {apply_s * 1000:8.1f} ms "
              f"= {done['applied']['create'] / apply_s:,.0f} users/s; applied {done['applied']}")
        for name in peak:
            print(f"  peak RSS {name:9s} VmHWM {peak[name]:6.1f} MiB before, "
                  f"{after_preview[name]:6.1f} after preview, {after_apply[name]:6.1f} after "
                  f"apply")
    finally:
        for service in reversed(services):
            service.stop()


if __name__ == "__main__":
    main()
