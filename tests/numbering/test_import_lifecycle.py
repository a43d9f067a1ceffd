"""Numbering owns an import from start to end: an upload that stops coming (the gateway
restarted, the browser went away) ends ``failed`` with a reason within the expiry, with the
lines already fed kept. The test platform sets SB_IMPORT_EXPIRY_SECONDS=5."""

from __future__ import annotations

import base64
import http.client
import time

import pytest
from sqlalchemy import select

from sbcommon.actor import sign_actor
from sbcommon.errors import Conflict
from services.numbering.models import NumberImport
from tests.numbering.conftest import fresh_numbers
from tests.support import ApiClient, Platform, free_port

EXPIRY = 5
# the expiry, the timer's period (a quarter of it) and a margin for a busy machine
DEADLINE = EXPIRY + EXPIRY / 4 + 5


def wait_for_end(client: ApiClient, import_id: int) -> dict:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        report = client.get(f"/api/v1/numbers/imports/{import_id}").json()
        if report["status"] != "running":
            return report
        time.sleep(0.2)
    raise AssertionError(f"import {import_id} still running after {DEADLINE} s: {report}")


def test_an_import_nobody_feeds_fails_with_a_reason(rpc, reseller_api):
    actor = sign_actor(reseller_api.get("/api/v1/auth/session").json()["actor"])
    numbers = fresh_numbers(3)
    block = "\n".join(numbers).encode()
    import_id = rpc.numbering.start_import(actor, 10_000)
    rpc.numbering.feed_import(actor, import_id, 1, base64.b64encode(block).decode(), len(block))
    fed = time.monotonic()

    report = wait_for_end(reseller_api, import_id)  # and no block, no finish, ever again

    assert time.monotonic() - fed >= EXPIRY - 1  # not before its expiry
    assert report["status"] == "failed"
    assert "interrupted" in report["reason"]
    assert report["added"] == 3 and report["lines_read"] == 3
    with pytest.raises(Conflict):
        rpc.numbering.feed_import(actor, import_id, 4, base64.b64encode(b"").decode(), 0)


def test_a_gateway_killed_mid_upload_leaves_a_failed_import(platform, reseller, databases):
    port = free_port()
    env = {**platform.env, "SB_HTTP_ADDRESS": f"127.0.0.1:{port}"}
    doomed = Platform(base_url=f"http://127.0.0.1:{port}", env=env)
    gateway = doomed.add("gateway", "gateway.service", suffix="-killed")
    try:
        doomed.wait_healthy()
        token = ApiClient(doomed.base_url).login(reseller.identifier, reseller.password).token
        # Half of a file: enough lines for the gateway to feed a first block, then silence.
        part = ("\n".join(fresh_numbers(8000)) + "\n").encode()  # > one 64 KB read
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.putrequest("POST", "/api/v1/numbers/import")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Type", "text/plain")
        conn.putheader("Content-Length", str(len(part) * 2))
        conn.endheaders()
        conn.send(part)
        job = _wait_for_running_import(databases["numbering"], reseller.reseller_id)
        gateway.proc.kill()  # no clean shutdown: nothing can tell numbering the upload ended
        gateway.proc.wait()
        conn.close()
    finally:
        doomed.stop()

    client = ApiClient(platform.base_url).login(reseller.identifier, reseller.password)
    report = wait_for_end(client, job)
    assert report["status"] == "failed"
    assert "interrupted" in report["reason"]
    assert report["added"] > 0  # the blocks fed before the crash stay imported


def _wait_for_running_import(sessions, reseller_id: str) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with sessions() as session:
            job = session.scalars(
                select(NumberImport).where(NumberImport.reseller_id == reseller_id,
                                           NumberImport.status == "running",
                                           NumberImport.lines_read > 0)).first()
            if job is not None:
                return job.id
        time.sleep(0.1)
    raise AssertionError("the gateway never fed the import")
