"""Statements benchmark (prints numbers; not a test).

10 000 subscribed customers of one reseller (a per-user plan, options, an activation fee,
GST + QST, a 20 % promotion on every third subscriber), then one statement each through
``notifications.send_statement``: accounts gives the customer, catalogue prices its
subscription, a PDF worker renders it, and the mail is queued (delivered to a local counting
SMTP server). Prints statements (PDFs) per second, the catalogue's pricing RPC latency, and
the ``notifications.health`` RPC's p50/p99 before and during the run.

Bounded: ``--max-seconds`` stops sending (the count done is printed); every process it
started (accounts, catalogue, notifications, the SMTP server) is stopped on exit, error,
Ctrl-C or SIGTERM. Its own databases (``sbbench_*``) and vhost, like every benchmark here.
"""

from __future__ import annotations

import argparse
import os
import socket
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


def fresh(service: str) -> str:
    from sbcommon.config import database_url
    from sbcommon.migrate import drop_database, upgrade

    url = database_url(service)
    assert "sbbench" in url or os.environ.get("SB_BENCH_DB_PREFIX"), url
    drop_database(url)
    upgrade(service, url)
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_accounts(customers: int) -> tuple[str, list[str]]:
    """A reseller and ``customers`` production customers (seed.sql); their ids."""
    from sqlalchemy import text
    from sqlalchemy.orm import sessionmaker

    from sbcommon.contracts.accounts import ResellerCreate
    from sbcommon.db import make_engine
    from services.accounts.domain import directory
    from services.accounts.domain.passwords import Hasher

    engine = make_engine(fresh("accounts"), pool_size=2)
    ident = f"bench{uuid.uuid4().hex[:8]}"
    with sessionmaker(engine).begin() as s:
        made = directory.create_reseller(
            s, Hasher(time_cost=1, memory_cost=8 * 1024),
            ResellerCreate(name="Bench Télécom", email=f"{ident}@bench.example",
                           identifier=ident), f"pw-{uuid.uuid4().hex}", datetime.now(UTC))
        s.execute(text("SELECT setseed(0.4242)"))
        s.execute(text(SEED_SQL), {"reseller_id": made["reseller_id"], "count": customers,
                                   "start": 0})
        # every one subscribed and billed: production accounts (no free trial)
        s.execute(text("UPDATE customers SET status = 'production', trial_ends_at = NULL, "
                       "closed_at = NULL WHERE reseller_id = :r"),
                  {"r": made["reseller_id"]})
        ids = list(s.scalars(text("SELECT id FROM customers WHERE reseller_id = :r "
                                  "ORDER BY id"), {"r": made["reseller_id"]}))
    engine.dispose()
    return made["reseller_id"], ids


def seed_catalogue(reseller_id: str, customer_ids: list[str]) -> None:
    """Items, terms and offer through the catalogue's own domain functions; the customers'
    copies and subscriptions in bulk, in one INSERT … SELECT each."""
    from sqlalchemy import text
    from sqlalchemy.orm import sessionmaker

    from sbcommon.contracts.catalogue import (
        AvailabilityUpdate,
        ItemCreate,
        OfferUpdate,
        PricingUpdate,
        PromotionCreate,
        PromotionEnable,
    )
    from sbcommon.db import make_engine
    from services.catalogue.domain import items, offers, promotions

    engine = make_engine(fresh("catalogue"), pool_size=2)
    now = datetime.now(UTC)
    with sessionmaker(engine).begin() as s:
        items.remember_reseller(s, reseller_id, "Bench Télécom", "CA", now)
        items.set_pricing(s, reseller_id, PricingUpdate.model_validate({
            "currency": "CAD", "taxes": [{"name": "GST", "rate": "5"},
                                         {"name": "QST", "rate": "9.975"}]}), "bench", now)
        made = {}
        for key, kind, price, extra in (
                ("plan", "plan", 2999, {"quantity_rule": "user"}),
                ("recording", "option", 499, {}), ("number", "option", 299, {}),
                ("activation", "fee", 4999, {"recurrence": "once"})):
            item = items.create_item(s, ItemCreate.model_validate({
                "kind": kind, "name_fr": f"{key} FR", "name_en": f"{key} EN",
                "currency": "CAD", "price": price, **extra}), "bench", now)
            items.set_availability(s, reseller_id, item["id"],
                                   AvailabilityUpdate(wholesale_price=price // 2), now)
            offers.set_offer(s, reseller_id, item["id"], OfferUpdate(retail_price=price),
                             "bench", now)
            made[key] = (item["id"], price)
        promo = promotions.create(s, PromotionCreate.model_validate({
            "name_fr": "20 % pendant 6 mois", "name_en": "20% off for 6 months",
            "percent": "20", "months": 6, "kinds": ["plan", "option"]}), now)
        promotions.set_enabled(s, reseller_id, promo["id"], PromotionEnable(), now)
        s.execute(text(
            "INSERT INTO customers (id, reseller_id, status, name, country, version) "
            "SELECT c, :r, 'production', 'Bench', 'CA', 1 FROM unnest(CAST(:ids AS text[])) AS c"),
            {"r": reseller_id, "ids": customer_ids})
        s.execute(text(
            "INSERT INTO subscriptions (customer_id, reseller_id, currency, started_on, "
            "version) SELECT c, :r, 'CAD', current_date, 1 FROM unnest(CAST(:ids AS text[])) AS c"),
            {"r": reseller_id, "ids": customer_ids})
        # users per plan: 1 to 12; per-account lines: 1 (the modulus 1 makes every row 1)
        for key, modulus in (("plan", 12), ("recording", 1), ("activation", 1)):
            s.execute(text(
                "INSERT INTO subscription_lines (customer_id, item_id, quantity, unit_price) "
                "SELECT c, :item, CASE WHEN :m = 1 THEN 1 ELSE 1 + n % :m END, :price "
                "FROM unnest(CAST(:ids AS text[])) WITH ORDINALITY AS t(c, n)"),
                {"item": made[key][0], "price": made[key][1], "ids": customer_ids,
                 "m": modulus})
        s.execute(text(
            "INSERT INTO subscription_lines (customer_id, item_id, quantity, unit_price) "
            "SELECT c, :item, 1, :price "
            "FROM unnest(CAST(:ids AS text[])) WITH ORDINALITY AS t(c, n) WHERE n % 2 = 0"),
            {"item": made["number"][0], "price": made["number"][1], "ids": customer_ids})
        s.execute(text(
            "INSERT INTO subscription_promotions (customer_id, promotion_id, starts_on, "
            "ends_on, applied_by) SELECT c, :p, current_date, current_date + interval "
            "'6 months', 'bench' FROM unnest(CAST(:ids AS text[])) WITH ORDINALITY AS t(c, n) "
            "WHERE n % 3 = 0"), {"p": promo["id"], "ids": customer_ids})
    engine.dispose()


def health_samples(seconds: float) -> list[float]:
    out = []
    with benchlib.rpc_proxy() as proxy:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            out.append(benchlib.timed_ms(proxy.notifications.health))
            time.sleep(0.01)
    return out


def run(reseller_id: str, ids: list[str], callers: int, max_seconds: float) -> None:
    from sbcommon.actor import Actor, Role

    # Signed per call (``dump``): a signature expires after SB_ACTOR_TTL_SECONDS, and the
    # run lasts longer than that.
    who = Actor(user_id=str(uuid.uuid4()), role=Role.RESELLER, reseller_id=reseller_id)
    heading("catalogue.statement alone (the pricing step of each statement)")
    with benchlib.rpc_proxy() as proxy:
        pricing = Stats.of([benchlib.timed_ms(lambda c=c: proxy.catalogue.statement(who.dump(), c))
                            for c in ids[:200]])
    print(f"  p50/p99/max: {pricing.p50:.1f} / {pricing.p99:.1f} / {pricing.max:.1f} ms "
          f"(n={pricing.n})")

    heading(f"{len(ids)} statements ({callers} concurrent callers), health RPC meanwhile")
    baseline = health_samples(5)
    todo = list(reversed(ids))
    lock = threading.Lock()
    errors: list[str] = []
    done = [0]
    deadline = time.monotonic() + max_seconds

    def caller() -> None:
        with benchlib.rpc_proxy(timeout=120) as proxy:
            while time.monotonic() < deadline:
                with lock:
                    if not todo:
                        return
                    customer_id = todo.pop()
                try:
                    proxy.notifications.send_statement(who.dump(), customer_id)
                    with lock:
                        done[0] += 1
                except Exception as exc:  # noqa: BLE001  (counted and shown, not hidden)
                    errors.append(repr(exc)[:200])

    threads = [threading.Thread(target=caller, daemon=True) for _ in range(callers)]
    during: list[float] = []
    start = time.perf_counter()
    for t in threads:
        t.start()
    last_print = start
    with benchlib.rpc_proxy() as proxy:
        while any(t.is_alive() for t in threads):
            during.append(benchlib.timed_ms(proxy.notifications.health))
            time.sleep(0.01)
            if time.perf_counter() - last_print > 30:
                last_print = time.perf_counter()
                print(f"  … {done[0]} queued after {last_print - start:.0f} s", flush=True)
    elapsed = time.perf_counter() - start
    b, d = Stats.of(baseline), Stats.of(during)
    stopped = " (stopped by --max-seconds)" if todo else ""
    print(f"  {done[0]} of {len(ids)} statements rendered and queued in {elapsed:.1f} s"
          f"{stopped}: {done[0] / elapsed:.2f} PDF/s; errors: {len(errors)}"
          + (f" e.g. {errors[0]}" if errors else ""))
    print(f"  health baseline p50/p99/max: {b.p50:.1f} / {b.p99:.1f} / {b.max:.1f} ms "
          f"(n={b.n})")
    print(f"  health during   p50/p99/max: {d.p50:.1f} / {d.p99:.1f} / {d.max:.1f} ms "
          f"(n={d.n})  p99 < 20 ms: {'yes' if d.p99 < 20 else 'NO'}")
    if todo:
        total = len(ids) / max(done[0], 1) * elapsed
        print(f"  at this rate all {len(ids)} would take {total:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--callers", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=1800)
    args = parser.parse_args()
    if os.environ.get("SB_BENCH_QUICK"):
        args.customers, args.max_seconds = 500, 60
    benchlib.exit_on_sigterm()
    benchlib.ensure_vhost()
    print(machine_load())
    from aiosmtpd.controller import Controller

    t = time.perf_counter()
    reseller_id, ids = seed_accounts(args.customers)
    seed_catalogue(reseller_id, ids)
    fresh("notifications")
    print(f"seeded {len(ids)} subscribed customers in {time.perf_counter() - t:.1f} s")
    smtp = CountingSmtp()
    controller = Controller(smtp, hostname="127.0.0.1", port=free_port())
    controller.start()
    # No SB_SECRET_KEY: the services and this process sign actors with the same development key.
    env = {"SB_SMTP_PORT": str(controller.port)}
    services = [benchlib.ServiceProcess(name, f"services.{name}.service", **env)
                for name in ("accounts", "catalogue", "notifications")]
    try:
        for service in services:
            service.start()
        for service in services:
            benchlib.wait_rpc_ready(service)
        run(reseller_id, ids, args.callers, args.max_seconds)
        print(f"  delivered to the local SMTP server so far: {smtp.count}")
    finally:
        for service in reversed(services):
            service.stop()
        controller.stop()
    print(machine_load())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
