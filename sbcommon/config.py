"""Configuration from environment variables, with defaults for the development machine."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path


def env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise RuntimeError(f"environment variable {name} must be an integer, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def database_name(service: str) -> str:
    """Each service owns one database: ``<prefix>_<service>`` (prefix ``switchboard``)."""
    return f"{env('SB_DB_PREFIX', 'switchboard')}_{service}"


def server_url(database: str = "postgres", user: str | None = None,
               password: str | None = None) -> str:
    """SQLAlchemy URL of a database on the configured PostgreSQL server."""
    from urllib.parse import quote

    if user is None:
        user, password = env("SB_PG_USER", "postgres"), os.environ.get("SB_PG_PASSWORD", "")
    host = env("SB_PG_HOST", "127.0.0.1")
    port = env("SB_PG_PORT", "5432")
    auth = f"{quote(user, safe='')}:{quote(password, safe='')}" if password else user
    return f"postgresql+psycopg://{auth}@{host}:{port}/{database}"


def database_url(service: str, role: str | None = None) -> str:
    """``<ROLE>_DATABASE_URL`` wins; otherwise the service's database on SB_PG_*, as the
    process's own role when ``SB_DB_ROLES=1`` (``sbcommon.roles``: ``role`` is the
    service's by default, ``provisioning_files`` for the file server)."""
    kind = role or service
    explicit = (os.environ.get(f"{kind.upper()}_DATABASE_URL")
                or os.environ.get(f"{service.upper()}_DATABASE_URL"))
    if explicit:
        return explicit
    if env_bool("SB_DB_ROLES", False):
        from .roles import db_password, role_name

        return server_url(database_name(service), role_name(kind),
                          db_password(kind, create=False))
    return server_url(database_name(service))


# Worker pool (also the AMQP prefetch) of each process kind, unless <NAME>_MAX_WORKERS says
# otherwise: the gateway waits on services, routing_policy answers from memory.
MAX_WORKERS = {"gateway": 50, "routing_policy": 50}
DEFAULT_MAX_WORKERS = 20


def max_workers(process: str, environ: Mapping[str, str] | None = None) -> int:
    """``max_workers`` of a nameko process (``gateway`` or a service name), for the shared
    config deploy/config/nameko.yml, which reads it from SB_MAX_WORKERS."""
    environ = os.environ if environ is None else environ
    raw = environ.get(f"{process.upper()}_MAX_WORKERS", "")
    return int(raw) if raw.strip() else MAX_WORKERS.get(process, DEFAULT_MAX_WORKERS)


def platform_services() -> list[str]:
    """The services this platform runs: every ``services/<name>/service.py``."""
    root = Path(__file__).resolve().parent.parent / "services"
    return sorted(p.parent.name for p in root.glob("*/service.py"))


METRICS_BASE_PORT = 9100


def processes() -> list[str]:
    """Every kind of process the platform runs, in a stable order."""
    return ["gateway", *platform_services(), "provisioning-files"]


def metrics_port(process: str, replica: int = 1, environ: Mapping[str, str] | None = None
                 ) -> int:
    """The dev run's ``/metrics`` port of replica ``replica`` (from 1) of ``process``:
    ``<NAME>_METRICS_PORT`` (the first replica's; the next ones follow it) or 9100 + 10 per
    process in ``processes()`` order (from SB_METRICS_BASE_PORT, 9100), so replicas on one
    machine never share one.
    Kubernetes sets SB_METRICS_PORT=9100 in every pod instead."""
    environ = os.environ if environ is None else environ
    key = f"{process.upper().replace('-', '_')}_METRICS_PORT"
    raw = environ.get(key, "").strip()
    names = processes()
    first = int(environ.get("SB_METRICS_BASE_PORT", "").strip() or METRICS_BASE_PORT)
    base = int(raw) if raw else first + 10 * (
        names.index(process) if process in names else len(names))
    return base + replica - 1


def amqp_uri() -> str:
    return env("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")


if __name__ == "__main__":  # python -m sbcommon.config max-workers NAME (for shell scripts)
    if sys.argv[1:2] == ["max-workers"] and len(sys.argv) == 3:
        print(max_workers(sys.argv[2]))
    elif sys.argv[1:2] == ["metrics-port"] and len(sys.argv) == 4:
        print(metrics_port(sys.argv[2], int(sys.argv[3])))
    else:
        sys.exit("usage: python -m sbcommon.config max-workers NAME | metrics-port NAME REPLICA")
