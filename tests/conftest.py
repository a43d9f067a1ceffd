"""Test-wide set-up: own databases (sbtest_*), own RabbitMQ vhost, the platform as real
processes, and factories for resellers and signed-in API clients."""

from __future__ import annotations

import os

os.environ.setdefault("SB_DB_PREFIX", "sbtest")
os.environ.setdefault("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/switchboard_test")
os.environ.setdefault("SB_SECRET_KEY", "test-secret-key-not-for-production")
# Development rules for keys (a fixed key is fine); tests/security starts processes without.
os.environ.setdefault("SB_ENV", "development")

import pytest  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

import sbcommon  # noqa: E402,F401  (green psycopg before anything imports psycopg)
from sbcommon.config import (  # noqa: E402
    amqp_uri,
    database_url,
    platform_services,
)
from sbcommon.db import make_engine  # noqa: E402
from sbcommon.migrate import drop_database, migratable_services, upgrade  # noqa: E402
from services.accounts.domain.passwords import Hasher  # noqa: E402

# the browser fixtures (chromium, browser_page, shoot), shared by every folder
from tests.browsers import browser_page, chromium, shoot  # noqa: E402,F401
from tests.mailbox import Mailbox  # noqa: E402
from tests.support import (  # noqa: E402
    ApiClient,
    EventListener,
    Platform,
    free_port,
    make_admin,
    make_reseller,
    purge_queues,
    small_platform,
)

IDLE_SECONDS = 3


@pytest.fixture(scope="session")
def databases():
    """Every service's database, dropped, recreated and migrated for this test run;
    a sessionmaker per service for test set-up and assertions."""
    engines = {}
    for service in migratable_services():
        url = database_url(service)
        drop_database(url)
        upgrade(service, url)
        engines[service] = make_engine(url, pool_size=2)
    yield {name: sessionmaker(engine, expire_on_commit=False) for name, engine in engines.items()}
    for engine in engines.values():
        engine.dispose()


@pytest.fixture(scope="session")
def accounts_db(databases):
    return databases["accounts"]


@pytest.fixture(scope="session")
def fast_hasher():
    """Cheap argon2id parameters for fixtures; the service verifies whatever a hash says."""
    return Hasher(time_cost=1, memory_cost=8 * 1024)


@pytest.fixture(scope="session")
def smtp():
    """A real SMTP server (aiosmtpd) that the notifications service delivers to."""
    box = Mailbox(free_port())
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="session")
def platform(databases, smtp):
    port = free_port()
    env = {
        **os.environ,
        "SB_HTTP_ADDRESS": f"127.0.0.1:{port}",
        # routing_policy's direct PBX server (every replica shares it: SO_REUSEPORT)
        "SB_PBX_HTTP_ADDRESS": f"127.0.0.1:{free_port()}",
        "SB_LOG_LEVEL": "INFO",
        "PYTHONWARNINGS": "ignore",
        # Every HTTP test signs in from 127.0.0.1: keep the per-address limit above what the
        # suite's deliberate failures add up to; test_auth_api exercises the limit itself.
        "SB_LOGIN_IP_FAILURES_PER_MINUTE": "50",
        # Mail goes to the test's SMTP server; retries come quickly for the outage test.
        "SB_SMTP_HOST": "127.0.0.1",
        "SB_SMTP_PORT": str(smtp.port),
        "SB_MAIL_RETRY_BASE_SECONDS": "1",
        "SB_MAIL_RETRY_MAX_SECONDS": "2",
        "SB_PUBLIC_URL": f"http://127.0.0.1:{port}",
        # An import nobody feeds fails after 5 s (the interrupted-upload test waits for it).
        "SB_IMPORT_EXPIRY_SECONDS": "5",
        # Failed events retry quickly but outlast a few seconds of outage (~9 s in all)
        # before they are parked.
        "SB_EVENT_RETRY_BASE_SECONDS": "0.2",
        "SB_EVENT_RETRY_MAX_SECONDS": "2",
        "SB_EVENT_MAX_ATTEMPTS": "8",
        # A loaded CI machine renders a PDF slower than the production 10 s budget; no test
        # here is about that budget (tests/unit/test_gateway_timeouts.py is).
        "SB_RPC_TIMEOUT_SECONDS": "30",
    }
    for name in platform_services():  # events and dead letters of an earlier run
        purge_queues(name)
    plat = Platform(base_url=f"http://127.0.0.1:{port}", env=env)
    plat.pbx_url = f"http://{env['SB_PBX_HTTP_ADDRESS']}/pbx/v1"  # type: ignore[attr-defined]
    for name in platform_services():
        plat.add(name, f"services.{name}.service")
    plat.add("gateway", "gateway.service")
    try:
        plat.wait_healthy()
        yield plat
    finally:
        plat.stop()


@pytest.fixture(scope="session")
def idle_platform():
    """A second, small platform (accounts and the gateway) whose sessions end after
    IDLE_SECONDS without activity: its own accounts database and RabbitMQ vhost, so the main
    platform's services never answer its calls. ``.accounts_db`` makes its users."""
    with small_platform("idle", {"SB_SESSION_IDLE_SECONDS": str(IDLE_SECONDS)}) as plat:
        yield plat


@pytest.fixture
def api(platform):
    return ApiClient(platform.base_url)


@pytest.fixture
def reseller(accounts_db, fast_hasher):
    return make_reseller(accounts_db, fast_hasher)


@pytest.fixture
def reseller_api(platform, reseller):
    return ApiClient(platform.base_url).login(reseller.identifier, reseller.password)


@pytest.fixture
def rpc(platform):
    from nameko.standalone.rpc import ClusterRpcProxy

    with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=30) as proxy:
        yield proxy


@pytest.fixture
def accounts_events(platform):
    listener = EventListener(amqp_uri(), "accounts")
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def admin_api(platform, accounts_db, fast_hasher):
    """Signed in as a system administrator (the platform's operator)."""
    admin = make_admin(accounts_db, fast_hasher)
    return ApiClient(platform.base_url).login(admin.identifier, admin.password)


@pytest.fixture(scope="module")
def pbx_token(admin_api):
    """A PBX token for /pbx/v1, created by the system administrator."""
    created = admin_api.post("/api/v1/pbx-tokens", json={"name": "Kamailio edge 1"})
    assert created.status_code == 201, created.text
    return created.json()["token"]
