"""The FTP and HTTP provisioning servers with real clients (ftplib, requests, curl)."""
# ruff: noqa: S321, S108  (FTP is what the phones speak; "/tmp" is a path a client tries)

from __future__ import annotations

import ftplib
import io
import subprocess

import pytest
import requests
from defusedxml import ElementTree

from sbcommon import replica
from services.provisioning.models import Customer, Device
from tests.provisioning.conftest import seed_customer, start_file_server, stop_file_server
from tests.support import require_tool, wait_until


def ftp_login(server, username: str, password: str, tls: bool = False) -> ftplib.FTP:
    ftp = ftplib.FTP_TLS(timeout=10) if tls else ftplib.FTP(timeout=10)
    ftp.connect("127.0.0.1", server.ftp_port)
    ftp.login(username, password)
    if tls:
        ftp.prot_p()
    return ftp


def ftp_get(ftp: ftplib.FTP, name: str) -> bytes:
    out = io.BytesIO()
    ftp.retrbinary(f"RETR {name}", out.write)
    return out.getvalue()


@pytest.fixture(scope="module")
def two_customers(provisioning_db, box):
    mine = seed_customer(provisioning_db, box, ["yealink-t46u", "polycom-vvx250"])
    theirs = seed_customer(provisioning_db, box, ["snom-d735"])
    return mine, theirs


def test_ftp_download_own_files(file_server, two_customers, provisioning_db):
    mine, _ = two_customers
    yealink, polycom = mine.devices
    with ftp_login(file_server, mine.username, mine.password) as ftp:
        listed = sorted(ftp.nlst())
        # each phone's files and its phone book
        assert listed == sorted(yealink["files"] + polycom["files"] + [
            f"{yealink['mac']}-directory.xml", f"{polycom['mac']}-directory.xml"])
        body = ftp_get(ftp, f"{yealink['mac']}.cfg").decode()
        assert body.startswith("#!version:1.0.0.1\n")
        assert "account.1.password = " in body
        ElementTree.fromstring(ftp_get(ftp, f"{polycom['mac']}-phone.cfg"))
        # phones differ in the case of the MAC they ask for
        assert ftp_get(ftp, f"{yealink['mac'].upper()}.cfg") == body.encode()
    with provisioning_db() as session:
        device = session.get(Device, yealink["id"])
        assert device.last_provisioned_at is not None
        assert device.last_provisioned_file == f"{yealink['mac']}.cfg"


def test_ftp_other_customers_files_are_invisible(file_server, two_customers):
    mine, theirs = two_customers
    snom_file = theirs.devices[0]["files"][0]
    with ftp_login(file_server, mine.username, mine.password) as ftp:
        assert snom_file not in ftp.nlst()
        with pytest.raises(ftplib.error_perm, match="550"):
            ftp_get(ftp, snom_file)
        with pytest.raises(ftplib.error_perm):
            ftp.nlst(f"/{theirs.username}")


def test_ftp_wrong_password_and_unknown_user_refused(file_server, two_customers):
    mine, theirs = two_customers
    for user, password in ((mine.username, "wrong-password"), (mine.username, theirs.password),
                           ("nobody", mine.password), (mine.username, "")):
        with pytest.raises(ftplib.error_perm, match="530"):
            ftp_login(file_server, user, password)


@pytest.mark.parametrize("path", ["../{f}", "/../../{f}", "/etc/passwd", "../../etc/passwd",
                                  "..", "/tmp", "sub/{f}", "/{f}/../../etc/passwd"])
def test_ftp_paths_cannot_escape(file_server, two_customers, path):
    mine, theirs = two_customers
    other = theirs.devices[0]["files"][0]
    with ftp_login(file_server, mine.username, mine.password) as ftp:
        with pytest.raises(ftplib.error_perm):
            ftp_get(ftp, path.format(f=other))
        with pytest.raises(ftplib.error_perm):
            ftp.cwd(path.format(f=other) if "{f}" in path else path + "/x")
        assert ftp.pwd() == "/"


def test_ftp_traversal_to_own_file_stays_inside(file_server, two_customers):
    mine, _ = two_customers
    own = mine.devices[0]["files"][0]
    with ftp_login(file_server, mine.username, mine.password) as ftp:
        # ".." clamps at the root: the path still names the login's own file, nothing else
        assert ftp_get(ftp, f"/../../{own}").startswith(b"#!version")
        ftp.cwd("..")
        assert ftp.pwd() == "/"


def test_ftp_writes_refused(file_server, two_customers):
    mine, _ = two_customers
    own = mine.devices[0]["files"][0]
    with ftp_login(file_server, mine.username, mine.password) as ftp:
        for command in (lambda: ftp.storbinary("STOR new.cfg", io.BytesIO(b"x")),
                        lambda: ftp.storbinary(f"STOR {own}", io.BytesIO(b"x")),
                        lambda: ftp.mkd("dir"), lambda: ftp.delete(own),
                        lambda: ftp.rename(own, "x.cfg"),
                        lambda: ftp.storbinary(f"APPE {own}", io.BytesIO(b"x"))):
            with pytest.raises(ftplib.error_perm, match="550"):
                command()
        assert sorted(ftp.nlst()) == sorted([f for d in mine.devices for f in d["files"]]
                                            + [f"{d['mac']}-directory.xml" for d in mine.devices])


def test_ftp_deleted_device_file_disappears_and_closed_customer_stops(
        file_server, provisioning_db, box):
    seeded = seed_customer(provisioning_db, box, ["grandstream-grp2612", "cisco-spa504g"])
    gone, kept = seeded.devices
    with ftp_login(file_server, seeded.username, seeded.password) as ftp:
        ElementTree.fromstring(ftp_get(ftp, gone["files"][0]))
        with provisioning_db.begin() as session:
            session.delete(session.get(Device, gone["id"]))
        with pytest.raises(ftplib.error_perm, match="550"):
            ftp_get(ftp, gone["files"][0])
        with provisioning_db.begin() as session:
            replica.apply(session, Customer, replica.CustomerState(
                customer_id=seeded.customer_id, reseller_id=seeded.reseller_id,
                status="closed", version=2))
        # even on a connection opened before the close
        with pytest.raises(ftplib.error_perm, match="550"):
            ftp_get(ftp, kept["files"][0])
    with pytest.raises(ftplib.error_perm, match="530"):
        ftp_login(file_server, seeded.username, seeded.password)


def test_http_basic_auth_same_credentials(file_server, two_customers):
    mine, theirs = two_customers
    own = mine.devices[1]["files"][0]
    url = f"{file_server.http_url}/{own}"
    ok = requests.get(url, auth=(mine.username, mine.password), timeout=10)
    assert ok.status_code == 200
    ElementTree.fromstring(ok.content)
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, auth=(mine.username, "nope"), timeout=10).status_code == 401
    assert requests.get(url, auth=(theirs.username, theirs.password),
                        timeout=10).status_code == 404
    for path in ("/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/",
                 f"/{theirs.devices[0]['files'][0]}"):
        resp = requests.get(file_server.http_url + path, auth=(mine.username, mine.password),
                            timeout=10)
        assert resp.status_code == 404, path
    put = requests.put(url, data=b"x", auth=(mine.username, mine.password), timeout=10)
    assert put.status_code == 405


def test_curl_downloads_over_ftp_and_http(file_server, two_customers):
    curl = require_tool("curl")
    mine, _ = two_customers
    own = mine.devices[0]["files"][0]
    for url in (f"ftp://127.0.0.1:{file_server.ftp_port}/{own}",
                f"{file_server.http_url}/{own}"):
        out = subprocess.run([curl, "-sSf", "--max-time", "10", "-u",
                              f"{mine.username}:{mine.password}", url],
                             capture_output=True, timeout=20, check=True)
        assert out.stdout.startswith(b"#!version:1.0.0.1")
    refused = subprocess.run([curl, "-sS", "--max-time", "10", "-u",
                              f"{mine.username}:bad", f"ftp://127.0.0.1:{file_server.ftp_port}/"
                              f"{own}"], capture_output=True, timeout=20)
    assert refused.returncode != 0


def test_server_log_has_no_secrets(file_server, provisioning_db, box):
    seeded = seed_customer(provisioning_db, box, ["yealink-t46u"])
    name = seeded.devices[0]["files"][0]
    ftp = ftp_login(file_server, seeded.username, seeded.password)
    ftp.retrbinary(f"RETR {name}", lambda chunk: None)
    ftp.quit()
    assert requests.get(f"{file_server.http_url}/{name}", timeout=10,
                        auth=(seeded.username, seeded.password)).status_code == 200
    wrong = f"wrong-{seeded.password[::-1]}"
    assert requests.get(f"{file_server.http_url}/{name}", timeout=10,
                        auth=(seeded.username, wrong)).status_code == 401
    # this test's own downloads are in the log (whatever ran before it) ...
    served = f"served {name} to customer {seeded.customer_id}"
    text = wait_until(lambda: (t := file_server.log_text()).count(served) >= 2 and t,
                      timeout=10, message="both downloads logged")
    # ... and neither the password nor the wrong one tried is
    assert seeded.password not in text and wrong not in text


def test_repeated_failures_block_the_address(databases, provisioning_db, box, clean_blocklist):
    seeded = seed_customer(provisioning_db, box, ["yealink-t54w"])
    server = start_file_server("block", PROVISIONING_MAX_LOGIN_FAILURES="3",
                               PROVISIONING_BLOCK_SECONDS="2")
    try:
        for _ in range(3):
            with pytest.raises(ftplib.error_perm, match="530"):
                ftp_login(server, seeded.username, "wrong")
        # blocked: even the right password is refused, over FTP and HTTP
        with pytest.raises((ftplib.error_temp, ftplib.error_perm, EOFError, OSError)):
            ftp_login(server, seeded.username, seeded.password)
        resp = requests.get(f"{server.http_url}/{seeded.devices[0]['files'][0]}",
                            auth=(seeded.username, seeded.password), timeout=10)
        assert resp.status_code == 429

        def let_in() -> bool:
            try:
                ftp_login(server, seeded.username, seeded.password).quit()
            except (ftplib.error_temp, ftplib.error_perm, EOFError, OSError):
                return False
            return True

        # the block ends by itself after PROVISIONING_BLOCK_SECONDS
        wait_until(let_in, timeout=15, interval=0.3, message="block lifted")
    finally:
        stop_file_server(server)


def _self_signed(tmp_path):
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    names = x509.SubjectAlternativeName([x509.DNSName("localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(names, critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path = tmp_path / "cert.pem"
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
                     + cert.public_bytes(serialization.Encoding.PEM))
    return path


def test_ftps_and_https_when_a_certificate_is_configured(databases, provisioning_db, box,
                                                          tmp_path, clean_blocklist):
    import ssl

    cert = _self_signed(tmp_path)
    seeded = seed_customer(provisioning_db, box, ["cisco-cp-8841-3pcc"])
    server = start_file_server("tls", PROVISIONING_TLS_CERT=str(cert))
    try:
        context = ssl.create_default_context(cafile=str(cert))
        context.check_hostname = False
        ftp = ftplib.FTP_TLS(context=context, timeout=10)
        ftp.connect("127.0.0.1", server.ftp_port)
        ftp.login(seeded.username, seeded.password)  # AUTH TLS first, then USER/PASS
        ftp.prot_p()
        root = ElementTree.fromstring(ftp_get(ftp, seeded.devices[0]["files"][0]))
        assert root.tag == "device"
        ftp.quit()
        url = f"https://localhost:{server.http_port}/{seeded.devices[0]['files'][0]}"
        resp = requests.get(url, auth=(seeded.username, seeded.password), verify=str(cert),
                            timeout=10)
        assert resp.status_code == 200
    finally:
        stop_file_server(server)
