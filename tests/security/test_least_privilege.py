"""Each service reaches only its own database and its own queues; the Internet-facing
file server reads provisioning and nothing else, and has no broker account at all."""

from __future__ import annotations

import os
import time

import amqp
import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from sbcommon import roles
from sbcommon.config import amqp_uri, database_name, server_url
from sbcommon.migrate import migratable_services
from tests.support import LOG_DIR, ServiceProcess


@pytest.fixture(scope="module")
def database_roles(databases):
    return roles.ensure_database_roles(migratable_services())


def _as(role: str, service: str):
    url = server_url(database_name(service)).replace(
        f"//{os.environ.get('SB_PG_USER', 'postgres')}", f"//{role}", 1)
    return create_engine(url, pool_size=1)


def test_the_file_servers_role_cannot_read_another_services_database(database_roles):
    files = roles.role_name(roles.FILES)
    for other in ("accounts", "numbering", "routing_policy", "notifications"):
        engine = _as(files, other)
        with pytest.raises(OperationalError, match="permission denied"), \
                engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()


def test_the_file_servers_role_reads_provisioning_and_writes_only_what_it_must(
        database_roles):
    engine = _as(roles.role_name(roles.FILES), "provisioning")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM devices")).scalar()
            conn.execute(text("SELECT count(*) FROM ftp_accounts")).scalar()
        for statement in ("DELETE FROM devices", "UPDATE ftp_accounts SET username = username",
                          "DELETE FROM outbox"):
            with pytest.raises(ProgrammingError, match="permission denied"), \
                    engine.begin() as conn:
                conn.execute(text(statement))
        with engine.begin() as conn:  # what it does write: the blocklist, download stamps
            conn.execute(text("DELETE FROM address_blocks WHERE address = 'none'"))
            conn.execute(text("UPDATE devices SET last_provisioned_at = last_provisioned_at "
                              "WHERE false"))
    finally:
        engine.dispose()


def test_a_services_role_reaches_its_own_database_only(database_roles):
    mine = _as(roles.role_name("numbering"), "numbering")
    with mine.begin() as conn:
        conn.execute(text("SELECT count(*) FROM numbers")).scalar()
    mine.dispose()
    theirs = _as(roles.role_name("numbering"), "accounts")
    with pytest.raises(OperationalError, match="permission denied"), theirs.connect() as conn:
        conn.execute(text("SELECT 1"))
    theirs.dispose()


@pytest.fixture(scope="module")
def broker_users(platform):
    return roles.ensure_broker_users(["numbering", "accounts", "gateway"], amqp_uri())


def _channel(uri: str) -> tuple[amqp.Connection, amqp.Channel]:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(uri)
    conn = amqp.Connection(f"{parts.hostname}:{parts.port}", userid=unquote(parts.username),
                           password=unquote(parts.password), virtual_host=parts.path[1:])
    conn.connect()
    return conn, conn.channel()


def test_a_service_user_cannot_take_another_services_requests(broker_users):
    conn, channel = _channel(broker_users["numbering"])
    try:
        with pytest.raises(amqp.exceptions.AccessRefused):
            channel.basic_consume("rpc-accounts", callback=lambda m: None)
    finally:
        conn.collect()


def test_a_service_user_cannot_publish_another_services_events(broker_users):
    conn, channel = _channel(broker_users["numbering"])
    try:
        with pytest.raises(amqp.exceptions.AccessRefused):
            channel.basic_publish(amqp.Message(b"{}"), exchange="accounts.events",
                                  routing_key="customer_created")
            channel.basic_qos(0, 1, False)  # a synchronous call surfaces the refusal
    finally:
        conn.collect()


def test_a_service_runs_with_its_own_user_and_role(broker_users, database_roles):
    """The permissions are enough for the real thing: numbering, with its broker user and
    its database role, starts, binds its queues and answers an RPC (on the second vhost,
    where no other numbering replica runs)."""
    idle_vhost_uri = f"{amqp_uri()}_idle"
    users = roles.ensure_broker_users(["numbering"], idle_vhost_uri)
    env = {**os.environ, "AMQP_URI": users["numbering"], "SB_DB_ROLES": "1",
           "PYTHONWARNINGS": "ignore"}
    process = ServiceProcess("numbering", "services.numbering.service", env,
                             LOG_DIR / f"numbering-roles-{os.getpid()}.log")
    process.start()
    try:
        with ClusterRpcProxy({"AMQP_URI": idle_vhost_uri}, timeout=5) as rpc:
            deadline = time.monotonic() + 60
            while True:
                try:
                    health = rpc.numbering.health()
                    break
                except Exception:
                    if process.proc.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(process.log_text()[-3000:]) from None
                    time.sleep(0.5)
        assert health["status"] == "ok" and health["database"] is True
    finally:
        process.stop()
