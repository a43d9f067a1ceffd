"""The phones' file server at the edge: TLS handshakes that cannot freeze it, idle
connections closed, anonymous probes that block nobody, one blocklist for every process,
and FTPS that can be required."""

from __future__ import annotations

import ftplib
import socket
import ssl
import time

import pytest
import requests

from tests.provisioning.conftest import seed_customer, start_file_server, stop_file_server
from tests.provisioning.test_fileserver import _self_signed, ftp_get, ftp_login


@pytest.fixture
def seeded(provisioning_db, box, clean_blocklist):
    return seed_customer(provisioning_db, box, ["yealink-t54w"])


def test_an_idle_tls_client_does_not_block_another_clients_download(seeded, tmp_path):
    cert = _self_signed(tmp_path)
    server = start_file_server("tls-idle", PROVISIONING_TLS_CERT=str(cert),
                               PROVISIONING_IDLE_TIMEOUT_SECONDS="3")
    idle = socket.create_connection(("127.0.0.1", server.http_port))  # says nothing
    try:
        time.sleep(0.3)
        name = seeded.devices[0]["files"][0]
        start = time.monotonic()
        resp = requests.get(f"https://localhost:{server.http_port}/{name}", timeout=10,
                            auth=(seeded.username, seeded.password), verify=str(cert))
        took = time.monotonic() - start
        print(f"\ndownload beside an idle TLS client: {took * 1000:.0f} ms")
        assert resp.status_code == 200
        # ... and the idle one is dropped once its time is up
        idle.settimeout(10)
        assert idle.recv(1) == b""
    finally:
        idle.close()
        stop_file_server(server)


def test_idle_ftp_connections_are_closed(seeded):
    server = start_file_server("ftp-idle", PROVISIONING_IDLE_TIMEOUT_SECONDS="2")
    try:
        ftp = ftp_login(server, seeded.username, seeded.password)
        ftp.sock.settimeout(30)  # say nothing, and wait for the server to hang up
        started = time.monotonic()
        said = ftp.sock.recv(1024)
        print(f"\nidle FTP connection closed after {time.monotonic() - started:.1f} s")
        assert said.startswith(b"421"), said
        assert ftp.sock.recv(1024) == b""
    finally:
        stop_file_server(server)


def test_anonymous_probes_do_not_block_an_office_behind_one_address(seeded):
    server = start_file_server("probes", PROVISIONING_MAX_LOGIN_FAILURES="3",
                               PROVISIONING_BLOCK_SECONDS="60")
    try:
        name = seeded.devices[0]["files"][0]
        for _ in range(10):  # phones asking first without credentials, scanners, ...
            assert requests.get(f"{server.http_url}/{name}", timeout=10).status_code == 401
            with pytest.raises(ftplib.error_perm):
                ftp_login(server, "anonymous", "phone@")
        # ... do not count: the office's phones still get their files
        resp = requests.get(f"{server.http_url}/{name}", timeout=10,
                            auth=(seeded.username, seeded.password))
        assert resp.status_code == 200
        assert ftp_get(ftp_login(server, seeded.username, seeded.password), name)
    finally:
        stop_file_server(server)


def test_the_blocklist_is_shared_by_file_server_processes(seeded):
    first = start_file_server("shared-a", PROVISIONING_MAX_LOGIN_FAILURES="3",
                              PROVISIONING_BLOCK_SECONDS="3")
    second = start_file_server("shared-b", PROVISIONING_MAX_LOGIN_FAILURES="3",
                               PROVISIONING_BLOCK_SECONDS="3")
    try:
        name = seeded.devices[0]["files"][0]
        for _ in range(3):
            bad = requests.get(f"{first.http_url}/{name}", auth=(seeded.username, "wrong"),
                               timeout=10)
            assert bad.status_code == 401
        deadline = time.monotonic() + 5  # each process refreshes its snapshot every 2 s
        while True:
            other = requests.get(f"{second.http_url}/{name}", timeout=10,
                                 auth=(seeded.username, seeded.password))
            if other.status_code == 429 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert other.status_code == 429, "the second process did not learn of the block"
    finally:
        stop_file_server(first)
        stop_file_server(second)


def test_ftps_can_be_required(seeded, tmp_path):
    cert = _self_signed(tmp_path)
    server = start_file_server("ftps-only", PROVISIONING_TLS_CERT=str(cert),
                               PROVISIONING_FTP_REQUIRE_TLS="1")
    try:
        with pytest.raises(ftplib.error_perm, match="SSL|TLS"):
            ftp_login(server, seeded.username, seeded.password)  # plain FTP
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        ftps = ftplib.FTP_TLS(context=context, timeout=10)  # noqa: S321 (FTPS itself)
        ftps.connect("127.0.0.1", server.ftp_port)
        ftps.login(seeded.username, seeded.password)
        ftps.prot_p()
        assert ftp_get(ftps, seeded.devices[0]["files"][0])
        ftps.quit()
    finally:
        stop_file_server(server)
