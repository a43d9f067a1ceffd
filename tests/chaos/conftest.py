"""Faults injected into the real platform: databases that refuse connections, the broker
restarting, events out of order or malformed. Each case ends with a count of what was lost
or repeated; both must be 0."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import requests
from nameko.standalone.events import event_dispatcher
from sqlalchemy import text

from sbcommon.config import amqp_uri, database_name, server_url
from sbcommon.db import make_engine
from tests.provisioning.conftest import file_server  # noqa: F401  (the FTP server fixture)


def eventually(check: Callable[[], Any], timeout: float = 10.0, every: float = 0.1) -> Any:
    """The first truthy result of ``check`` within ``timeout`` seconds (else the last)."""
    deadline = time.monotonic() + timeout
    result = check()
    while not result and time.monotonic() < deadline:
        time.sleep(every)
        result = check()
    return result


@contextlib.contextmanager
def database_refusing(*services: str) -> Iterator[None]:
    """While inside, the services' databases refuse new connections and lose open ones."""
    engine = make_engine(server_url("postgres"), pool_size=1, isolation_level="AUTOCOMMIT")
    names = [database_name(s) for s in services]
    try:
        with engine.connect() as conn:
            for name in names:
                conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :name"), {"name": name})
        yield
    finally:
        with engine.connect() as conn:
            for name in names:
                conn.execute(text(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true'))
        engine.dispose()


def dispatch(source: str, event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    body = {"event_id": str(uuid.uuid4()), "event_type": event_type,
            "occurred_at": datetime.now(UTC).isoformat(), **payload}
    event_dispatcher({"AMQP_URI": amqp_uri()})(source, event_type, body)
    return body


def authorize(platform, token: str, customer_id: str, dialed: str = "5145550100"
              ) -> requests.Response:
    return requests.get(f"{platform.base_url}/pbx/v1/authorize", timeout=10,
                        params={"customer": customer_id, "dialed": dialed},
                        headers={"Authorization": f"Bearer {token}"})
