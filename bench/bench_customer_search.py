"""Customer search/sort/page on 100 000 customers of one reseller.

Measures ``services.accounts.domain.customers.search`` directly (what the
``accounts.list_customers`` RPC runs, "service-side") and the same query shapes through the
RPC, then prints an EXPLAIN (ANALYZE, BUFFERS) summary of the slowest shape.

    .venv/bin/python bench/bench_customer_search.py [--customers 100000] [--runs 50]
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import benchlib
from benchlib import Stats, heading, measure
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from sbcommon.actor import Actor, Role
from sbcommon.contracts.accounts import CustomerQuery
from sbcommon.db import make_engine
from services.accounts.domain import customers

SEED_SQL = (Path(__file__).resolve().parent / "seed.sql").read_text()
TARGET_P95_MS = 50.0
OTHER_RESELLERS = 4
OTHER_CUSTOMERS_EACH = 1_500
# Candidate indexes for --try-indexes (an experiment on the benchmark database only; the
# real schema is the accounts migrations'). The existing scope indexes put ``kind`` second,
# so they cannot order a list that is not filtered by kind.
CANDIDATE_INDEXES = (
    "CREATE INDEX bench_scope_name ON customers (reseller_id, name_key, id)",
    "CREATE INDEX bench_scope_created ON customers (reseller_id, created_at, id)",
    "CREATE INDEX bench_scope_status ON customers (reseller_id, status, name_key, id)",
)

# name -> CustomerQuery fields, in the order they are reported.
SHAPES: dict[str, dict[str, Any]] = {
    "default (sort name, page 1)": {},
    "deep page 2000 x 25": {"page": 2000},
    "sort created_at desc": {"sort": "created_at", "order": "desc"},
    "sort status": {"sort": "status"},
    "filter kind=professional": {"kind": "professional"},
    "filter status=trial": {"status": "trial"},
    "q name fragment 'gagn'": {"q": "gagn"},
    "q e-mail fragment '@videotron'": {"q": "@videotron"},
    # 1-2 characters match the start of the name: prefixes that many names have
    "q 2 letters 're'": {"q": "re"},
    "q 1 letter 'c'": {"q": "c"},
    "q no match 'zzqxw'": {"q": "zzqxw"},
    "combined company+production+q+created desc": {
        "kind": "company", "status": "production", "q": "construction",
        "sort": "created_at", "order": "desc",
    },
}


@dataclass(frozen=True)
class Row:
    shape: str
    total: int
    service: Stats
    rpc: Stats | None = None


# -- seeding ----------------------------------------------------------------------------------
def insert_reseller(session: Session, name: str) -> str:
    reseller_id = str(uuid.uuid4())
    session.execute(
        text("INSERT INTO resellers (id, name, email, country, status, created_at) "
             "VALUES (:id, :name, :email, 'CA', 'active', now())"),
        {"id": reseller_id, "name": name, "email": f"{reseller_id[:8]}@resellers.example"},
    )
    return reseller_id


def seed(engine: Engine, big: int) -> str:
    """The big reseller's id; also a few thousand customers of other resellers."""
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        session.execute(text("SELECT setseed(0.4242)"))
        reseller_id = insert_reseller(session, "Bench Télécom")
        session.execute(text(SEED_SQL), {"reseller_id": reseller_id, "count": big, "start": 0})
        for i in range(OTHER_RESELLERS):
            other = insert_reseller(session, f"Other reseller {i}")
            session.execute(text(SEED_SQL), {"reseller_id": other,
                                             "count": OTHER_CUSTOMERS_EACH,
                                             "start": big + i * OTHER_CUSTOMERS_EACH})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM (ANALYZE) customers"))
        conn.execute(text("ANALYZE"))
    total = big + OTHER_RESELLERS * OTHER_CUSTOMERS_EACH
    print(f"seeded {total} customers ({big} for the measured reseller) "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    return reseller_id


def describe_data(engine: Engine, reseller_id: str) -> None:
    sql = text("SELECT kind, status, count(*) FROM customers WHERE reseller_id = :r "
               "GROUP BY 1, 2 ORDER BY 1, 2")
    with engine.connect() as conn:
        mix = ", ".join(f"{k}/{s}={n}" for k, s, n in conn.execute(sql, {"r": reseller_id}))
        samples = conn.execute(text("SELECT name, identifier, email FROM customers "
                                    "ORDER BY random() LIMIT 4")).all()
    print(f"mix: {mix}")
    for name, identifier, email in samples:
        print(f"  e.g. {name!r:48} {identifier:40} {email}")


# -- measuring --------------------------------------------------------------------------------
def actor_for(reseller_id: str) -> Actor:
    return Actor(user_id=str(uuid.uuid4()), role=Role.RESELLER, reseller_id=reseller_id)


def service_side(sessions: sessionmaker[Session], actor: Actor, fields: dict[str, Any],
                 runs: int) -> tuple[int, Stats]:
    query = CustomerQuery(**fields)

    def call() -> dict[str, Any]:
        with sessions() as session:  # one session per call, like the RPC entrypoint
            return customers.search(session, actor, query)

    total = call()["total"]
    return total, measure(call, runs)


def through_rpc(proxy: Any, actor: Actor, fields: dict[str, Any], runs: int) -> Stats:
    actor_dict = actor.dump()
    return measure(lambda: proxy.accounts.list_customers(actor_dict, fields), runs)


def print_table(rows: list[Row]) -> None:
    print(f"\n{'shape':46} {'total':>7} | {'service p50':>11} {'p95':>7} {'max':>7} "
          f"{'p95<=50':>7} | {'RPC p50':>8} {'p95':>7} {'max':>7} {'RPC-svc':>8}")
    for r in rows:
        s = r.service
        ok = "yes" if s.p95 <= TARGET_P95_MS else "NO"
        line = (f"{r.shape:46} {r.total:>7} | {s.p50:>11.1f} {s.p95:>7.1f} {s.max:>7.1f} "
                f"{ok:>7} |")
        if r.rpc:
            line += (f" {r.rpc.p50:>8.1f} {r.rpc.p95:>7.1f} {r.rpc.max:>7.1f} "
                     f"{r.rpc.p50 - s.p50:>+8.1f}")
        print(line)
    print("(milliseconds; RPC-svc = RPC p50 minus service-side p50)", flush=True)


# -- EXPLAIN of the slowest shape -------------------------------------------------------------
@contextmanager
def captured_sql(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (and its parameters) the engine runs inside the block."""
    seen: list[tuple[str, Any]] = []

    def listener(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
                 executemany: bool) -> None:
        seen.append((statement, params))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def summarize_plan(plan: dict[str, Any]) -> str:
    top = plan["Plan"]
    nodes = list(plan_nodes(top))
    indexes = sorted({n["Index Name"] for n in nodes if "Index Name" in n})
    seq = sorted({n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"})
    sorts = [n for n in nodes if n["Node Type"] == "Sort"]
    hit = sum(n.get("Shared Hit Blocks", 0) for n in nodes[:1])
    read = sum(n.get("Shared Read Blocks", 0) for n in nodes[:1])
    lines = [
        f"top node: {top['Node Type']} (actual {top['Actual Total Time']:.1f} ms, "
        f"rows {top['Actual Rows']}); execution {plan['Execution Time']:.1f} ms, "
        f"planning {plan['Planning Time']:.1f} ms; buffers hit={hit} read={read}",
        f"indexes used: {', '.join(indexes) or 'NONE'}; "
        f"seq scans: {', '.join(seq) or 'none'}",
    ]
    for s in sorts:
        lines.append(f"sort: {s.get('Sort Method')} on {', '.join(s.get('Sort Key', []))} "
                     f"({s.get('Sort Space Used')} kB {s.get('Sort Space Type')}), "
                     f"rows in {s['Plans'][0]['Actual Rows'] if s.get('Plans') else '?'}")
    node_types = " > ".join(n["Node Type"] for n in nodes)
    lines.append(f"nodes: {node_types}")
    return "\n    ".join(lines)


def explain_shape(engine: Engine, sessions: sessionmaker[Session], actor: Actor,
                  fields: dict[str, Any]) -> None:
    with captured_sql(engine) as statements, sessions() as session:
        customers.search(session, actor, CustomerQuery(**fields))
    with engine.connect() as conn:
        cursor = conn.connection.driver_connection.cursor()
        for statement, params in statements:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, params)
            raw = cursor.fetchone()[0]
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]
            first_line = " ".join(statement.split())[:160]
            print(f"  SQL: {first_line}...\n    {summarize_plan(plan)}")


# -- main -------------------------------------------------------------------------------------
def run_service_side(sessions: sessionmaker[Session], actor: Actor, runs: int) -> list[Row]:
    rows = []
    for shape, fields in SHAPES.items():
        total, stats = service_side(sessions, actor, fields, runs)
        rows.append(Row(shape, total, stats))
        print(f"  service-side {shape:46} p50 {stats.p50:7.1f} ms  p95 {stats.p95:7.1f} ms",
              flush=True)
    return rows


def add_rpc(rows: list[Row], actor: Actor, runs: int) -> list[Row]:
    out = []
    with benchlib.running_accounts(), benchlib.rpc_proxy() as proxy:
        for row in rows:
            stats = through_rpc(proxy, actor, SHAPES[row.shape], runs)
            out.append(Row(row.shape, row.total, row.service, stats))
            print(f"  RPC          {row.shape:46} p50 {stats.p50:7.1f} ms  "
                  f"p95 {stats.p95:7.1f} ms", flush=True)
    return out


def try_indexes(engine: Engine, sessions: sessionmaker[Session], actor: Actor,
                before: list[Row], runs: int) -> None:
    heading("service-side again with the candidate indexes (--try-indexes)")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for ddl in CANDIDATE_INDEXES:
            print(f"  {ddl}")
            conn.execute(text(ddl))
        conn.execute(text("VACUUM (ANALYZE) customers"))
    after = run_service_side(sessions, actor, runs)
    print(f"\n{'shape':46} | {'before p50':>10} {'p95':>7} | {'after p50':>9} {'p95':>7} "
          f"{'p95<=50':>7}")
    for old, new in zip(before, after, strict=True):
        ok = "yes" if new.service.p95 <= TARGET_P95_MS else "NO"
        print(f"{old.shape:46} | {old.service.p50:>10.1f} {old.service.p95:>7.1f} | "
              f"{new.service.p50:>9.1f} {new.service.p95:>7.1f} {ok:>7}")
    slowest = max(after, key=lambda r: r.service.p50)
    heading(f"EXPLAIN with the candidate indexes, slowest shape: {slowest.shape}")
    explain_shape(engine, sessions, actor, SHAPES[slowest.shape])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--no-rpc", action="store_true", help="service-side only")
    parser.add_argument("--try-indexes", action="store_true",
                        help="then add candidate indexes (bench database only) and re-measure")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    benchlib.exit_on_sigterm()
    print(f"customer search benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"{benchlib.machine_load()}")
    url = benchlib.fresh_accounts_database()
    engine = make_engine(url, pool_size=2)
    try:
        reseller_id = seed(engine, args.customers)
        describe_data(engine, reseller_id)
        sessions = sessionmaker(engine, expire_on_commit=False)
        actor = actor_for(reseller_id)
        heading(f"service-side customers.search ({args.runs} runs after 3 warm-ups)")
        rows = run_service_side(sessions, actor, args.runs)
        if not args.no_rpc:
            benchlib.ensure_vhost()
            heading("through the RPC accounts.list_customers")
            rows = add_rpc(rows, actor, args.runs)
        heading("results")
        print_table(rows)
        slowest = max(rows, key=lambda r: r.service.p50)
        heading(f"EXPLAIN (ANALYZE, BUFFERS) of the slowest shape: {slowest.shape}")
        explain_shape(engine, sessions, actor, SHAPES[slowest.shape])
        if args.try_indexes:
            try_indexes(engine, sessions, actor, rows, args.runs)
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
