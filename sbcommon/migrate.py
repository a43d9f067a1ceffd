"""Create each service's database and bring it to the latest Alembic revision.

``python -m sbcommon.migrate accounts [numbering ...]`` (all built services when none given);
``python -m sbcommon.migrate --wait accounts`` only waits until the database is at the head
(a Kubernetes pod's init container, while the migration Job runs).
Every service keeps its migrations in ``services/<name>/migrations``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url

from .config import database_url, server_url

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def migratable_services() -> list[str]:
    return sorted(p.parent.parent.name for p in SERVICES_DIR.glob("*/migrations/env.py"))


def ensure_database(url: str) -> bool:
    """Create the database named in ``url`` if it does not exist; True if created."""
    name = make_url(url).database
    # on the server (and as the role) the URL names: in Kubernetes each service has its own
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if exists:
                return False
            # Identifiers cannot be bound parameters; the name comes from our own config and
            # is quoted as an identifier.
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(server_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
    finally:
        admin.dispose()


def alembic_config(service: str, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    cfg.set_main_option("sqlalchemy.url", (url or database_url(service)).replace("%", "%%"))
    return cfg


def upgrade(service: str, url: str | None = None) -> None:
    url = url or database_url(service)
    ensure_database(url)
    command.upgrade(alembic_config(service, url), "head")


def run_env(metadata: MetaData) -> None:
    """The body of every service's migrations/env.py: online or offline, on its URL."""
    from alembic import context

    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, target_metadata=metadata)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


def at_head(service: str, url: str | None = None) -> bool:
    """True when the service's database is migrated to the code's head revision."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    heads = set(ScriptDirectory.from_config(alembic_config(service, url)).get_heads())
    engine = create_engine(url or database_url(service))
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads()) == heads
    finally:
        engine.dispose()


def wait_for_head(services: list[str], timeout: float, interval: float = 2.0) -> int:
    """Block until every one of ``services`` is at its head (a pod's init container, while
    the migration Job runs); 1 after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pending = list(services)
    while pending:
        still = []
        for service in pending:
            try:
                ready = at_head(service)
            except Exception as exc:  # the database is not there yet
                print(f"{service}: waiting for its database ({str(exc).splitlines()[0]})")
                ready = False
            if not ready:
                still.append(service)
        pending = still
        if pending and time.monotonic() > deadline:
            print(f"not migrated after {timeout:.0f} s: {', '.join(pending)}")
            return 1
        if pending:
            time.sleep(interval)
    print(f"migrated: {', '.join(services)}")
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--wait"]:  # --wait SERVICE... : do not migrate, wait for the Job to
        services = argv[1:] or migratable_services()
        return wait_for_head(services, float(os.environ.get("SB_MIGRATE_WAIT_SECONDS", "600")))
    services = argv or migratable_services()
    for service in services:
        upgrade(service)
        print(f"migrated {service}: {make_url(database_url(service)).database}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
