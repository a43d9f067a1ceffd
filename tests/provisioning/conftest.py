"""The provisioning file server (FTP + HTTP) as a real process on free ports, and data
seeded straight into the provisioning database through its domain functions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sbcommon import replica
from sbcommon.actor import Actor
from sbcommon.contracts.provisioning import DeviceCreate
from services.provisioning.domain import accounts, customers, devices
from services.provisioning.domain.credentials import SecretBox
from services.provisioning.models import Customer
from services.provisioning.settings import ProvisioningSettings, secret_box
from tests.support import LOG_DIR, ROOT, free_port


def port_is_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class FileServer:
    ftp_port: int
    http_port: int
    proc: subprocess.Popen
    log_path: Path
    tls: bool = False

    @property
    def http_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.http_port}"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_file_server(tag: str, **extra_env: str) -> FileServer:
    ftp_port, http_port = free_port(), free_port()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / f"provisioning-files-{tag}-{os.getpid()}.log"
    env = {**os.environ, "PROVISIONING_FTP_HOST": "127.0.0.1",
           "PROVISIONING_FTP_PORT": str(ftp_port), "PROVISIONING_HTTP_HOST": "127.0.0.1",
           "PROVISIONING_HTTP_PORT": str(http_port), "PROVISIONING_AUTH_FAILED_DELAY": "0.05",
           "PROVISIONING_MAX_LOGIN_FAILURES": "1000", **extra_env}
    proc = subprocess.Popen([sys.executable, "-m", "services.provisioning.fileserver"],
                            cwd=ROOT, env=env, stdout=log_path.open("ab"),
                            stderr=subprocess.STDOUT)
    server = FileServer(ftp_port, http_port, proc, log_path,
                        tls=bool(extra_env.get("PROVISIONING_TLS_CERT")))
    deadline = time.monotonic() + 20
    while not (port_is_open(ftp_port) and port_is_open(http_port)):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"file server did not start:\n{server.log_text()[-3000:]}")
        time.sleep(0.1)
    return server


def stop_file_server(server: FileServer) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


@pytest.fixture(scope="session")
def file_server(databases):
    server = start_file_server("main")
    yield server
    stop_file_server(server)


@pytest.fixture(scope="session")
def provisioning_db(databases):
    return databases["provisioning"]


@pytest.fixture(scope="session")
def box():
    return secret_box(ProvisioningSettings.from_env())


class NoEvents:
    def record(self, session: Any, event_type: str, data: dict[str, Any]) -> None:
        pass


@dataclass
class Seeded:
    customer_id: str
    reseller_id: str
    username: str
    password: str
    devices: list[dict[str, Any]] = field(default_factory=list)


def random_mac() -> str:
    # 0x02 in the first byte: a locally administered unicast address, never a real phone's.
    return "02" + uuid.uuid4().hex[:10]


def seed_customer(sessions: Any, box: SecretBox, models: list[str],
                  names: list[str] | None = None) -> Seeded:
    """A customer known to provisioning, its FTP account and one device per model."""
    customer_id, reseller_id = str(uuid.uuid4()), str(uuid.uuid4())
    now = datetime.now(UTC)
    actor = Actor(user_id=str(uuid.uuid4()), role="reseller", reseller_id=reseller_id)
    with sessions.begin() as session:
        replica.apply(session, Customer, replica.CustomerState(
            customer_id=customer_id, reseller_id=reseller_id, status="production",
            name="Seeded", version=1))
        session.flush()
        customer = customers.get_scoped(session, actor, customer_id)
        info_account = accounts.ensure_account(session, customer, box, now)
        seeded = Seeded(customer_id, reseller_id, info_account.username,
                        box.decrypt(info_account.password_encrypted))
        for index, model in enumerate(models):
            name = names[index] if names else f"Phone {index}"
            seeded.devices.append(devices.create(
                session, actor, customer_id,
                DeviceCreate(name=name, mac=random_mac(), model=model),
                box, NoEvents(), now))
    return seeded


@pytest.fixture
def clean_blocklist(provisioning_db):
    """The blocklist is shared by every file-server process (a table): a test that counts
    failures starts from, and leaves, an empty one."""
    from sqlalchemy import delete

    from services.provisioning.models import AddressBlock

    def clear() -> None:
        with provisioning_db.begin() as session:
            session.execute(delete(AddressBlock))

    clear()
    yield
    clear()
