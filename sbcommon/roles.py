"""Least privilege: a PostgreSQL role per service and a RabbitMQ user per process kind.

``python -m sbcommon.roles database`` (after the migrations) makes, for every service, a
role ``<prefix>_<service>`` that can connect to its own database only (CONNECT is revoked
from PUBLIC) and read and write its tables there, and the file server's role
``<prefix>_provisioning_files``: read-only on provisioning, apart from the two things it
writes (the address blocklist, the "last provisioned" columns of devices).

``python -m sbcommon.roles broker`` makes a RabbitMQ user per service and one for the
gateway, each allowed only its own queues (``rpc-<service>``, its reply queues, its event
queues) and, for writing, the RPC exchange and its own ``<service>.events`` exchange: a
service can neither consume another's requests nor publish another's events. (Declaring
the bindings of its event queue needs read and configure on the exchanges it listens to.)
The file server gets no broker user at all: it needs none.

Passwords come from ``SB_DB_PASSWORD_<ROLE>`` / ``SB_AMQP_PASSWORD_<USER>`` (upper case,
e.g. ``SB_DB_PASSWORD_PROVISIONING_FILES``), else are generated once into
``var/db-passwords.json`` / ``var/amqp-passwords.json`` (mode 600). A process uses its role
when ``SB_DB_ROLES=1`` (``sbcommon.config.database_url``) and its user when its
``AMQP_URI`` names it (the launchers set it).

Both commands are idempotent: the set-up (deploy/run.sh) and compose run them every time.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import sys
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

from sqlalchemy import create_engine, text

from .config import database_name, env, server_url

VAR = Path(env("SB_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var")))
FILES = "provisioning_files"  # the file server's role, beside the provisioning service's
# Tables a service's own role may only read and append to (besides the trigger that
# refuses changes, migration accounts/0060_subscriber).
APPEND_ONLY = {"accounts": ("audit_log",)}
# What the file server may write in the provisioning database.
FILES_WRITES = (
    "GRANT SELECT, INSERT, UPDATE, DELETE ON address_blocks TO {role}",
    "GRANT UPDATE (last_provisioned_at, last_provisioned_file) ON devices TO {role}",
)


def prefix() -> str:
    return env("SB_DB_PREFIX", "switchboard")


def role_name(kind: str) -> str:
    """``accounts`` → ``<prefix>_accounts``; ``provisioning_files`` for the file server."""
    return f"{prefix()}_{kind}"


def _stored(file: str, name: str, variable: str, create: bool = True) -> str:
    given = os.environ.get(variable)
    if given:
        return given
    path = VAR / file
    known = json.loads(path.read_text()) if path.exists() else {}
    if name not in known and not create:
        raise SystemExit(f"refusing to start: {variable} is not set (and {path} has no "
                         f"password for {name}); run `python -m sbcommon.roles` first")
    if name not in known:
        known[name] = secrets.token_urlsafe(24)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(known, indent=2))
    return known[name]


def db_password(kind: str, create: bool = True) -> str:
    return _stored("db-passwords.json", role_name(kind), f"SB_DB_PASSWORD_{kind.upper()}",
                   create)


def _ident(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return f'"{name}"'


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ensure_database_roles(services: list[str]) -> list[str]:
    """Create or update every role and its grants; returns the role names."""
    made = []
    admin = create_engine(server_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for kind in [*services, FILES]:
                role = role_name(kind)
                exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                      {"r": role}).first()
                verb = "ALTER" if exists else "CREATE"
                conn.execute(text(f"{verb} ROLE {_ident(role)} LOGIN NOSUPERUSER NOCREATEDB "
                                  f"NOCREATEROLE PASSWORD {_literal(db_password(kind))}"))
                made.append(role)
            for service in services:
                db = _ident(database_name(service))
                conn.execute(text(f"REVOKE CONNECT, TEMPORARY ON DATABASE {db} FROM PUBLIC"))
                conn.execute(text(f"GRANT CONNECT ON DATABASE {db} "
                                  f"TO {_ident(role_name(service))}"))
            conn.execute(text(f"GRANT CONNECT ON DATABASE {_ident(database_name('provisioning'))} "
                              f"TO {_ident(role_name(FILES))}"))
    finally:
        admin.dispose()
    for service in services:
        _grant_tables(service)
    return made


def _grant_tables(service: str) -> None:
    engine = create_engine(server_url(database_name(service)), isolation_level="AUTOCOMMIT")
    role = _ident(role_name(service))
    try:
        with engine.connect() as conn:
            for statement in (
                f"GRANT USAGE ON SCHEMA public TO {role}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
                # tables a later migration adds (migrations run as the administrator)
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, "
                f"DELETE ON TABLES TO {role}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE "
                f"ON SEQUENCES TO {role}",
            ):
                conn.execute(text(statement))
            for table in APPEND_ONLY.get(service, ()):
                conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}"))
            if service == "provisioning":
                files = _ident(role_name(FILES))
                conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {files}"))
                conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {files}"))
                for statement in FILES_WRITES:
                    conn.execute(text(statement.format(role=files)))
    finally:
        engine.dispose()


# -- RabbitMQ -------------------------------------------------------------------------------
def amqp_user(kind: str) -> str:
    return f"{prefix()}-{kind}"


def amqp_password(kind: str) -> str:
    return _stored("amqp-passwords.json", amqp_user(kind), f"SB_AMQP_PASSWORD_{kind.upper()}")


def permissions(kind: str) -> dict[str, str]:
    """configure / write / read regular expressions of one process kind's user."""
    k = re.escape(kind)
    own_queues = rf"rpc-{k}|rpc\.reply-{k}-.*|evt-{k}|evt-{k}\..*|evt-.*--{k}\..*"
    if kind == "gateway":  # calls services, owns no queue but its replies
        own_queues = rf"rpc\.reply-{k}-.*"
        return {"configure": rf"^({own_queues}|nameko-rpc)$",
                "write": rf"^({own_queues}|nameko-rpc)$",
                "read": rf"^({own_queues}|nameko-rpc)$"}
    return {
        "configure": rf"^({own_queues}|nameko-rpc|[a-z_]+\.events)$",
        # publish: RPC requests and replies, its own events, its delay queues (default
        # exchange); never another service's events
        "write": rf"^({own_queues}|nameko-rpc|{k}\.events|amq\.default)$",
        "read": rf"^({own_queues}|nameko-rpc|[a-z_]+\.events)$",
    }


def _management(uri: str) -> tuple[str, str, str]:
    """Base URL of the management API, its credentials and the vhost of ``uri``."""
    parts = urlsplit(uri)
    base = env("SB_RABBITMQ_MANAGEMENT_URL", f"http://{parts.hostname}:15672")
    vhost = parts.path[1:] or "/"
    return base, f"{parts.username}:{parts.password}", vhost


def _api(base: str, auth: str, method: str, path: str, body: dict) -> None:
    if not base.startswith(("http://", "https://")):
        raise ValueError(f"SB_RABBITMQ_MANAGEMENT_URL must be http(s): {base!r}")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        base + path, method=method, data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json",
                 "Authorization": "Basic " + base64.b64encode(auth.encode()).decode()})
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 (scheme checked above)
        pass


def _rabbitmqctl(*args: str) -> None:
    import subprocess

    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True,  # noqa: S603,S607
                   timeout=60)


def ensure_broker_users(kinds: list[str], admin_uri: str) -> dict[str, str]:
    """Create or update the users (with ``rabbitmqctl`` where it is installed, else through
    the management API); returns each kind's AMQP URI."""
    import shutil

    base, auth, vhost = _management(admin_uri)
    local = shutil.which("rabbitmqctl") and not os.environ.get("SB_RABBITMQ_MANAGEMENT_URL")
    parts = urlsplit(admin_uri)
    uris = {}
    for kind in kinds:
        user, password, perms = amqp_user(kind), amqp_password(kind), permissions(kind)
        if local:
            try:
                _rabbitmqctl("add_user", user, password)
            except Exception:  # already there: set its password
                _rabbitmqctl("change_password", user, password)
            _rabbitmqctl("set_permissions", "-p", vhost, user, perms["configure"],
                         perms["write"], perms["read"])
        else:
            _api(base, auth, "PUT", f"/api/users/{quote(user, safe='')}",
                 {"password": password, "tags": ""})
            _api(base, auth, "PUT",
                 f"/api/permissions/{quote(vhost, safe='')}/{quote(user, safe='')}", perms)
        uris[kind] = (f"amqp://{quote(user, safe='')}:{quote(password, safe='')}"
                      f"@{parts.hostname}:{parts.port or 5672}/{parts.path[1:]}")
    return uris


def main(argv: list[str]) -> int:
    from .config import amqp_uri, platform_services
    from .migrate import migratable_services

    if argv[:1] == ["database"]:
        for role in ensure_database_roles(migratable_services()):
            print(f"database role {role}: ready")
        return 0
    if argv[:1] == ["broker"]:
        kinds = [*platform_services(), "gateway"]
        uris = ensure_broker_users(kinds, os.environ.get("SB_AMQP_ADMIN_URI") or amqp_uri())
        if argv[1:2] == ["--env"]:  # for launchers: one AMQP_URI_<KIND>=… line each
            for kind, uri in uris.items():
                print(f"AMQP_URI_{kind.upper()}={uri}")
        else:
            for kind in uris:
                print(f"broker user {amqp_user(kind)}: ready")
        return 0
    print("usage: python -m sbcommon.roles database | broker [--env]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
