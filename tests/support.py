"""Test helpers: the platform as real processes, an API client, an event listener."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from kombu import Connection, Exchange, Queue
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "test-logs"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_tool(name: str, path: str | None = None) -> str:
    """Where the tool is; without it the test skips on a workstation and FAILS in CI
    (CI=true), where deploy/test.sh must have installed it."""
    found = path if path and os.path.exists(path) else shutil.which(name)
    if found:
        return found
    message = f"{path or name} is not installed (deploy/test.sh installs it)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def wait_until(condition: Any, timeout: float, interval: float = 0.1,
               message: str = "condition") -> Any:
    """Polls ``condition`` until it returns something true; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} not met within {timeout}s (last: {result!r})")
        time.sleep(interval)


def ensure_vhost(uri: str) -> None:
    """Creates the RabbitMQ virtual host of ``uri`` if it does not exist yet (deploy/test.sh
    creates the ones the suite uses; this helps a plain pytest run)."""
    with contextlib.suppress(Exception), Connection(uri, connect_timeout=3) as conn:
        conn.connect()
        return
    vhost = uri.rsplit("/", 1)[-1]
    tool = require_tool("rabbitmqctl")
    for prefix in ([], ["sudo", "-n"]):
        made = subprocess.run([*prefix, tool, "-q", "add_vhost", vhost], capture_output=True,
                              timeout=30, check=False)
        if made.returncode == 0 or b"already" in made.stderr + made.stdout:
            subprocess.run([*prefix, tool, "-q", "set_permissions", "-p", vhost, "guest",
                            ".*", ".*", ".*"], capture_output=True, timeout=30, check=True)
            return
    raise RuntimeError(f"cannot create RabbitMQ vhost {vhost}: {made.stderr.decode()}")


def free_port() -> int:
    """A port nobody listens on, below the kernel's ephemeral range (32768 and up): a port
    the kernel hands out could be taken by an outgoing connection before our server binds
    it (seen: a replica failing to start with "Address already in use")."""
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


@dataclass
class ServiceProcess:
    name: str
    module: str
    env: dict[str, str]
    log_path: Path
    proc: subprocess.Popen | None = None
    metrics_port: int = 0

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    def nameko_env(self) -> dict[str, str]:
        """The environment plus this process's worker pool for deploy/config/nameko.yml."""
        from sbcommon.config import max_workers

        return {**self.env, "SB_MAX_WORKERS": str(max_workers(self.name, self.env))}

    def start(self) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config",
             str(ROOT / "deploy" / "config" / "nameko.yml"), self.module],
            cwd=ROOT, env=self.nameko_env(), stdout=log, stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class Platform:
    base_url: str
    env: dict[str, str]
    processes: list[ServiceProcess] = field(default_factory=list)

    def add(self, name: str, module: str, suffix: str = "", **extra_env: str) -> ServiceProcess:
        # every process serves its Prometheus metrics on a port of its own
        metrics_port = free_port()
        env = {**self.env, "SB_METRICS_PORT": str(metrics_port),
               "SB_METRICS_ADDRESS": "127.0.0.1", **extra_env}
        tag = f"{name}{suffix}"
        proc = ServiceProcess(name, module, env, LOG_DIR / f"{tag}-{os.getpid()}.log",
                              metrics_port=int(env["SB_METRICS_PORT"]))
        proc.start()
        self.processes.append(proc)
        return proc

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            for p in self.processes:
                if p.proc and p.proc.poll() is not None:
                    raise RuntimeError(f"{p.name} exited:\n{p.log_text()[-3000:]}")
            try:
                last = requests.get(f"{self.base_url}/health", timeout=2)
                if last.status_code == 200:
                    return
            except requests.RequestException as exc:
                last = exc
            time.sleep(0.3)
        raise RuntimeError(f"platform not healthy: {last}")

    def stop(self) -> None:
        for p in reversed(self.processes):
            p.stop()

    def logs(self) -> str:
        return "\n".join(p.log_text() for p in self.processes)


class ApiClient:
    """A requests session bound to the gateway, optionally signed in with a bearer token."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url
        self.http = requests.Session()
        self.token = token

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.token and "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.token}"
        kwargs.setdefault("timeout", 15)
        return self.http.request(method, self.base_url + path, headers=headers, **kwargs)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def patch(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PATCH", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self.request("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)

    def login(self, identifier: str, password: str) -> ApiClient:
        resp = self.post("/api/v1/auth/login", json={"identifier": identifier,
                                                      "password": password})
        assert resp.status_code == 200, resp.text
        self.token = resp.json()["token"]
        return self

    def create_customer(self, **overrides: Any) -> dict[str, Any]:
        body = new_customer_body(**overrides)
        resp = self.post("/api/v1/customers", json=body)
        assert resp.status_code == 201, resp.text
        return resp.json()


def unique(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def new_customer_body(**overrides: Any) -> dict[str, Any]:
    tag = unique()
    body = {"kind": "company", "name": f"Acme {tag}", "email": f"{tag}@example.com",
            "start": "trial"}
    body.update(overrides)
    return body


def sign_in_subscriber(base_url: str, events: EventListener, customer: dict[str, Any],
                       pin: str = "subscriber-pin-1") -> ApiClient:
    """A new subscriber chooses its PIN the only way there is (a reset link, whose token
    travels in the password_reset_requested event), then signs in."""
    anonymous = ApiClient(base_url)
    anonymous.post("/api/v1/auth/forgot", json={"identifier": customer["identifier"]})
    event = events.wait_for(lambda e: e["event_type"] == "password_reset_requested"
                            and e["customer_id"] == customer["id"])
    assert event is not None, "no password_reset_requested event"
    done = anonymous.post("/api/v1/auth/reset", json={"token": event["reset_token"],
                                                      "new_password": pin})
    assert done.status_code == 204, done.text
    return ApiClient(base_url).login(customer["identifier"], pin)


@dataclass
class ResellerLogin:
    reseller_id: str
    user_id: str
    identifier: str
    password: str
    email: str


def make_reseller(sessions: sessionmaker[Session], hasher: Any, name: str = "Reseller",
                  trial_days: int | None = None) -> ResellerLogin:
    from sbcommon.contracts.accounts import ResellerCreate
    from sbcommon.outbox import EventRecorder
    from services.accounts.domain import directory
    from services.accounts.models import outbox

    ident = unique("r")
    password = f"pw-{uuid.uuid4().hex}"
    email = f"{ident}@resellers.example"
    with sessions.begin() as session:
        made = directory.create_reseller(
            session, hasher,
            ResellerCreate(name=f"{name} {ident}", email=email, identifier=ident,
                           trial_days=trial_days),
            password, datetime.now(UTC), EventRecorder(outbox))
    return ResellerLogin(made["reseller_id"], made["user_id"], ident, password, email)


def make_admin(sessions: sessionmaker[Session], hasher: Any) -> ResellerLogin:
    """A system administrator (the platform's operator) with a known password."""
    from services.accounts.models import User

    ident = unique("ops")
    password = f"pw-{uuid.uuid4().hex}"
    with sessions.begin() as session:
        user = User(id=str(uuid.uuid4()), role="admin", identifier=ident,
                    email=f"{ident}@ops.example", display_name="Operator", language="en",
                    password_hash=hasher.hash(password), created_at=datetime.now(UTC))
        session.add(user)
    return ResellerLogin("", user.id, ident, password, user.email)


class EventListener:
    """Binds a private queue to a service's event exchange and collects what arrives."""

    def __init__(self, amqp_uri: str, service: str, routing_key: str = "#"):
        self.conn = Connection(amqp_uri)
        exchange = Exchange(f"{service}.events", type="topic", durable=True)
        self.queue = Queue(f"test-{uuid.uuid4().hex}", exchange=exchange,
                           routing_key=routing_key, exclusive=True, auto_delete=True)
        self.events: list[dict[str, Any]] = []
        self.consumer = self.conn.Consumer(self.queue, callbacks=[self._on_message],
                                           accept=["json"])
        self.consumer.consume()

    def _on_message(self, body: dict[str, Any], message: Any) -> None:
        self.events.append(body)
        message.ack()

    def wait_for(self, predicate: Any, timeout: float = 10.0) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events:
                if predicate(event):
                    return event
            with contextlib.suppress(TimeoutError):
                self.conn.drain_events(timeout=0.2)
        return next((e for e in self.events if predicate(e)), None)

    def drain(self, seconds: float) -> None:
        self.wait_for(lambda e: False, timeout=seconds)

    def close(self) -> None:
        try:
            self.consumer.cancel()
        finally:
            self.conn.release()


def purge_queues(service: str) -> None:
    """Empty a service's event queue and dead letters left by an earlier run."""
    from sbcommon.config import amqp_uri

    with Connection(amqp_uri()) as conn:
        channel = conn.channel()
        for name in (f"evt-{service}", f"evt-{service}.dead"):
            with contextlib.suppress(Exception):
                channel.queue_purge(name)


@contextlib.contextmanager
def probe_process(name: str, module: str, metadata: Any, env: dict[str, str],
                  ready: Any, **extra_env: str) -> Any:
    """A small test-only nameko service (``module``) on a fresh database of its own, yielded
    as ``(rpc, engine)`` once ``ready(rpc)`` answers."""
    from nameko.standalone.rpc import ClusterRpcProxy

    from sbcommon.config import amqp_uri, database_url
    from sbcommon.db import make_engine
    from sbcommon.migrate import drop_database, ensure_database

    url = database_url(name)
    drop_database(url)
    ensure_database(url)
    engine = make_engine(url, pool_size=2)
    metadata.create_all(engine)
    plat = Platform(base_url=f"http://127.0.0.1:{free_port()}", env=env)
    proc = plat.add("accounts", module, suffix=f"-{name}", **extra_env)
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri()}, timeout=30) as rpc:
            deadline = time.monotonic() + 30
            while True:
                try:
                    ready(rpc)
                    break
                except Exception:
                    if proc.proc is not None and proc.proc.poll() is not None:
                        raise RuntimeError(proc.log_text()) from None
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            yield rpc, engine
    finally:
        plat.stop()
        engine.dispose()


@contextlib.contextmanager
def small_platform(name: str, settings: dict[str, str]) -> Iterator[Platform]:
    """Accounts and the gateway alone, on their own accounts database and RabbitMQ vhost
    (``<prefix>_<name>``), so the main platform's services never answer their calls; for
    settings the main platform cannot take (a short idle time…). ``.accounts_db`` makes
    its users."""
    from sqlalchemy.orm import sessionmaker

    from sbcommon.config import amqp_uri, server_url
    from sbcommon.db import make_engine
    from sbcommon.migrate import drop_database, upgrade

    prefix = f"{os.environ['SB_DB_PREFIX']}_{name}"
    uri = f"{amqp_uri()}_{name}"
    ensure_vhost(uri)
    url = server_url(f"{prefix}_accounts")
    drop_database(url)
    upgrade("accounts", url)
    engine = make_engine(url, pool_size=1)
    port = free_port()
    env = {**os.environ, "SB_DB_PREFIX": prefix, "AMQP_URI": uri,
           "SB_HTTP_ADDRESS": f"127.0.0.1:{port}", "PYTHONWARNINGS": "ignore", **settings}
    plat = Platform(base_url=f"http://127.0.0.1:{port}", env=env)
    plat.add("accounts", "services.accounts.service", suffix=f"-{name}")
    plat.add("gateway", "gateway.service", suffix=f"-{name}")
    plat.accounts_db = sessionmaker(engine, expire_on_commit=False)  # type: ignore[attr-defined]

    def serving() -> bool:
        for p in plat.processes:
            if p.proc and p.proc.poll() is not None:
                raise RuntimeError(f"{p.name} exited:\n{p.log_text()[-3000:]}")
        try:
            return requests.get(f"{plat.base_url}/api/v1/auth/session", timeout=15,
                                headers={"Authorization": "Bearer unknown"}).status_code == 401
        except requests.RequestException:
            return False

    try:
        # 401 for an unknown token: the gateway answers and accounts has looked it up
        wait_until(serving, timeout=60, interval=0.3, message=f"{name} platform up")
        yield plat
    finally:
        plat.stop()
        engine.dispose()
