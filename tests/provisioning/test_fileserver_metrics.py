"""The phones' file server is not a nameko process: it serves its own /metrics, and its
download counters move with real HTTP and FTP downloads."""

from __future__ import annotations

import ftplib
import io

import requests

from tests.operations.test_metrics_and_correlation import scrape, total
from tests.provisioning.conftest import seed_customer, start_file_server, stop_file_server
from tests.support import free_port, wait_until


def test_downloads_are_counted_by_protocol_and_outcome(provisioning_db, box):
    port = free_port()
    server = start_file_server("metrics", SB_METRICS_PORT=str(port),
                               SB_METRICS_ADDRESS="127.0.0.1")
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        before = wait_until(lambda: _scrape_or_none(url), timeout=10, message="/metrics")
        seeded = seed_customer(provisioning_db, box, ["yealink-t46u"])
        name = f"{seeded.devices[0]['mac']}.cfg"
        auth = (seeded.username, seeded.password)
        assert requests.get(f"{server.http_url}/{name}", auth=auth, timeout=10).ok
        assert requests.get(f"{server.http_url}/nope.cfg", auth=auth, timeout=10
                            ).status_code == 404
        assert requests.get(f"{server.http_url}/{name}", auth=("x", "y"), timeout=10
                            ).status_code == 401
        with ftplib.FTP() as ftp:  # noqa: S321  (the phones speak FTP)
            ftp.connect("127.0.0.1", server.ftp_port, timeout=10)
            ftp.login(*auth)
            ftp.retrbinary(f"RETR {name}", io.BytesIO().write)
        after = scrape(url)
        for protocol, outcome in (("http", "served"), ("http", "not_found"),
                                  ("http", "unauthorized"), ("ftp", "served")):
            name_ = "switchboard_provisioning_downloads_total"
            assert (total(after, name_, protocol=protocol, outcome=outcome)
                    == total(before, name_, protocol=protocol, outcome=outcome) + 1), \
                (protocol, outcome)
        assert "service=provisioning-files" in server.log_text() or \
            "provisioning-files[" in server.log_text()
    finally:
        stop_file_server(server)


def _scrape_or_none(url: str) -> dict | None:
    try:
        return scrape(url)
    except requests.RequestException:
        return None


def test_not_ready_while_its_database_does_not_answer(databases):
    from sbcommon.config import database_url

    port = free_port()
    missing = database_url("provisioning").rsplit("/", 1)[0] + "/sb_no_such_database"
    server = start_file_server("unready", SB_METRICS_PORT=str(port),
                               SB_METRICS_ADDRESS="127.0.0.1",
                               PROVISIONING_DATABASE_URL=missing)
    try:
        # (a tuple: a 503 Response is falsy)
        (ready,) = wait_until(lambda: _get_or_none(f"http://127.0.0.1:{port}/readyz"),
                              timeout=10, message="/readyz")
        assert ready.status_code == 503
        assert ready.text == "not ready: database provisioning\n"
        live = requests.get(f"http://127.0.0.1:{port}/livez", timeout=5)
        assert live.status_code == 200  # alive: restarting it would not bring the database
    finally:
        stop_file_server(server)


def _get_or_none(url: str) -> tuple[requests.Response] | None:
    try:
        return (requests.get(url, timeout=5),)
    except requests.RequestException:
        return None
