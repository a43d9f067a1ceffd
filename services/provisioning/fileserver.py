"""The provisioning file server: FTP(S) and HTTP(S) for IP phones, in one process.

``python -m services.provisioning.fileserver``. It is part of the provisioning service
(same code, same database) but not a nameko process: pyftpdlib is asyncore/thread based
and does not mix with eventlet's monkey-patching, and phones should not reach the gateway.
Both protocols serve the same virtual read-only tree (``domain.files``), with the same
per-customer credentials, rendered at download time; the FTP server gives each connection
its own thread, the HTTP server each request.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import signal
import ssl
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pyftpdlib.authorizers import AuthenticationFailed
from pyftpdlib.filesystems import AbstractedFS, FilesystemError
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.servers import ThreadedFTPServer
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

import sbcommon  # noqa: F401  (before psycopg)
from sbcommon.config import database_url
from sbcommon.logging import install as install_logging
from sbcommon.logging import set_service
from sbcommon.metrics import DOWNLOADS, add_readiness_check, serve_metrics

from .domain import files
from .domain.blocklist import SharedBlocklist
from .settings import ProvisioningSettings, secret_box

log = logging.getLogger("provisioning.fileserver")


class Backend:
    """What both servers share: database, secrets, rules and the blocklist."""

    def __init__(self, settings: ProvisioningSettings, sessions: sessionmaker[Session]):
        self.settings = settings
        self.sessions = sessions
        self.box = secret_box(settings)
        # Shared by every file-server process through the database.
        self.blocklist = SharedBlocklist(sessions, settings.max_failures,
                                         settings.block_seconds)

    def authenticate(self, username: str, password: str) -> files.Login | None:
        with self.sessions() as session:
            return files.authenticate(session, self.box, username, password)

    def listing(self, login: files.Login) -> list[str]:
        with self.sessions() as session:
            return files.listing(session, login)

    def content(self, login: files.Login, name: str, *, record: bool,
                protocol: str = "http") -> bytes | None:
        """The file's bytes, or None when the login has no such file (now)."""
        with self.sessions.begin() as session:
            device = files.find(session, login, name)
            if device is None:
                DOWNLOADS.labels(protocol, "not_found").inc()
                return None
            data = files.render(session, self.box, device, name,
                                self.settings.http_public_url)
            if record:
                files.record_download(session, device.id, name, datetime.now(UTC))
        if record:
            DOWNLOADS.labels(protocol, "served").inc()
            log.info("served %s to customer %s", name, login.customer_id)
        return data


BACKEND: Backend | None = None  # set by build_servers; pyftpdlib builds handlers itself


def _backend() -> Backend:
    assert BACKEND is not None
    return BACKEND


# -- FTP ----------------------------------------------------------------------------------
class Authorizer:
    """Customer logins from the database; read-only permissions (list, change dir, read)."""

    read_perms = "elr"

    def validate_authentication(self, username: str, password: str, handler: Any) -> None:
        if is_probe(username, password):
            raise AuthenticationFailed("Anonymous access is not available.")
        backend = _backend()
        if backend.blocklist.blocked(handler.remote_ip):
            raise AuthenticationFailed("Too many failed logins; try again later.")
        login = backend.authenticate(username, password)
        if login is None:
            # Counted here, before the answer goes out (pyftpdlib calls on_login_failed only
            # after its delay): the client's next try already meets the block.
            if backend.blocklist.fail(handler.remote_ip):
                log.warning("blocked %s after repeated failed FTP logins", handler.remote_ip)
            raise AuthenticationFailed("Authentication failed.")
        handler.sb_login = login

    def get_home_dir(self, username: str) -> str:
        return "/"

    def has_user(self, username: str) -> bool:
        return True  # known only once the password is checked; never reveal who exists

    def has_perm(self, username: str, perm: str, path: str | None = None) -> bool:
        return perm in self.read_perms

    def get_perms(self, username: str) -> str:
        return self.read_perms

    def get_msg_login(self, username: str) -> str:
        return "Welcome."

    def get_msg_quit(self, username: str) -> str:
        return "Goodbye."

    def impersonate_user(self, username: str, password: str) -> None:
        pass  # virtual files: no OS user to become

    def terminate_impersonation(self, username: str) -> None:
        pass


ANONYMOUS = frozenset({"anonymous", "ftp", ""})


def is_probe(username: str, password: str) -> bool:
    """An anonymous login, or one without a password: not counted as a failed login (one
    office's phones behind one NAT address would otherwise block each other)."""
    return username.strip().lower() in ANONYMOUS or not password


def _read_only() -> FilesystemError:
    return FilesystemError("Read-only file system")


class VirtualFS(AbstractedFS):
    """One flat, read-only, virtual directory per login; nothing touches the disk.

    Paths stay virtual (``ftp2fs`` is the identity after normalisation, which already
    clamps ``..`` at the root); ``files.file_name`` then accepts only names in the root."""

    @property
    def login(self) -> files.Login:
        return self.cmd_channel.sb_login

    def ftp2fs(self, ftppath: str) -> str:
        return self.ftpnorm(ftppath)

    def fs2ftp(self, fspath: str) -> str:
        return self.ftpnorm(fspath)

    def validpath(self, path: str) -> bool:
        return True  # virtual: there is no real path to escape to

    def _name(self, path: str) -> str | None:
        return files.file_name(path)

    def open(self, filename: str, mode: str) -> Any:
        if any(flag in mode for flag in "wa+"):
            raise _read_only()
        name = self._name(filename)
        data = _backend().content(self.login, name, record=True, protocol="ftp") if name else None
        if data is None:
            raise FilesystemError("No such file")
        fd = io.BytesIO(data)
        fd.name = name  # pyftpdlib reports the transferred file by name
        return fd

    def chdir(self, path: str) -> None:
        if self._name(path) is not None:
            raise FilesystemError("No such directory")
        self.cwd = "/"

    def listdir(self, path: str) -> list[str]:
        if self._name(path) is not None:
            raise FilesystemError("Not a directory")
        return _backend().listing(self.login)

    def listdirinfo(self, path: str) -> list[str]:
        return self.listdir(path)

    def isdir(self, path: str) -> bool:
        return self._name(path) is None

    def isfile(self, path: str) -> bool:
        name = self._name(path)
        return bool(name) and name in _backend().listing(self.login)

    def islink(self, path: str) -> bool:
        return False

    def lexists(self, path: str) -> bool:
        return self.isdir(path) or self.isfile(path)

    def getsize(self, path: str) -> int:
        name = self._name(path)
        data = _backend().content(self.login, name, record=False) if name else None
        if data is None:
            raise FilesystemError("No such file")
        return len(data)

    def getmtime(self, path: str) -> float:
        return time.time()  # rendered now from current data

    def realpath(self, path: str) -> str:
        return path

    def stat(self, path: str) -> Any:
        raise FilesystemError("No such file")

    lstat = stat

    def format_list(self, basedir: str, listing: list[str], ignore_err: bool = True) -> Any:
        stamp = time.strftime("%b %d %H:%M", time.gmtime())
        for name in listing:
            yield f"-r--r--r--   1 phone    phone    {0:>8} {stamp} {name}\r\n".encode()

    def format_mlsx(self, basedir: str, listing: list[str], perms: str, facts: str,
                    ignore_err: bool = True) -> Any:
        for name in listing:
            yield f"type=file;perm=r; {name}\r\n".encode()

    def mkdir(self, path: str) -> None:
        raise _read_only()

    def rmdir(self, path: str) -> None:
        raise _read_only()

    def remove(self, path: str) -> None:
        raise _read_only()

    def rename(self, src: str, dst: str) -> None:
        raise _read_only()

    def chmod(self, path: str, mode: Any) -> None:
        raise _read_only()

    def utime(self, path: str, timeval: Any) -> None:
        raise _read_only()

    def mkstemp(self, *args: Any, **kwargs: Any) -> Any:
        raise _read_only()


class _BlockingMixin:
    """Refuses blocked addresses at connect; a good login forgets its failures."""

    def handle(self) -> None:
        if _backend().blocklist.blocked(self.remote_ip):
            self.respond("421 Too many failed logins from your address; try again later.")
            self.close_when_done()
            return
        super().handle()

    def on_login(self, username: str) -> None:
        _backend().blocklist.succeed(self.remote_ip)
    # Failures are counted in Authorizer.validate_authentication (anonymous probes are not).



class ProvisioningFTPHandler(_BlockingMixin, FTPHandler):
    pass


class ProvisioningFTPSHandler(_BlockingMixin, TLS_FTPHandler):
    pass


def ftp_handler(settings: ProvisioningSettings) -> type[FTPHandler]:
    handler: type[FTPHandler] = (ProvisioningFTPSHandler if settings.tls_cert
                                 else ProvisioningFTPHandler)
    handler.authorizer = Authorizer()
    handler.abstracted_fs = VirtualFS
    handler.banner = "Switchboard provisioning"
    handler.auth_failed_timeout = settings.auth_failed_delay
    handler.permit_foreign_addresses = False
    handler.timeout = settings.idle_timeout
    handler.dtp_handler.timeout = settings.transfer_timeout
    if settings.ftp_passive_ports:
        low, high = settings.ftp_passive_ports
        handler.passive_ports = list(range(low, high + 1))
    if settings.tls_cert:
        handler.certfile = settings.tls_cert
        handler.keyfile = settings.tls_key
        handler.tls_control_required = settings.ftp_require_tls
        handler.tls_data_required = settings.ftp_require_tls
    return handler


# -- HTTP ---------------------------------------------------------------------------------
class ProvisioningHTTPHandler(BaseHTTPRequestHandler):
    server_version = "Switchboard-provisioning"
    sys_version = ""
    timeout = 60.0  # socket timeout of each connection (set from the settings)

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _refuse(self) -> None:
        self._reply(405, b"read-only\n", allow="GET, HEAD")

    do_POST = do_PUT = do_DELETE = do_PATCH = _refuse  # noqa: N815

    def _serve(self, send_body: bool) -> None:
        backend = _backend()
        address = self.client_address[0]
        if backend.blocklist.blocked(address):
            self._reply(429, b"too many failed logins; try again later\n", send_body,
                        retry_after=str(backend.settings.block_seconds))
            return
        login = self._login(backend)
        if login is None and "Authorization" not in self.headers:
            # The usual first request of any HTTP client (the challenge): not a failure.
            self._reply(401, b"authentication required\n", send_body,
                        www_authenticate='Basic realm="provisioning", charset="UTF-8"')
            return
        if login is None:
            DOWNLOADS.labels("http", "unauthorized").inc()
            if backend.blocklist.fail(address):
                log.warning("blocked %s after repeated failed HTTP logins", address)
            time.sleep(backend.settings.auth_failed_delay)
            self._reply(401, b"authentication required\n", send_body,
                        www_authenticate='Basic realm="provisioning", charset="UTF-8"')
            return
        backend.blocklist.succeed(address)
        name = files.file_name(self.path.split("?", 1)[0])
        data = backend.content(login, name, record=send_body) if name else None
        if data is None:
            self._reply(404, b"no such file\n", send_body)
            return
        kind = "text/plain" if name.endswith(".cfg") and b"<?xml" not in data[:6] else \
            "application/xml"
        self._reply(200, data, send_body, content_type=f"{kind}; charset=utf-8")

    def _login(self, backend: Backend) -> files.Login | None:
        scheme, _, value = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        username, sep, password = decoded.partition(":")
        return backend.authenticate(username, password) if sep else None

    def _reply(self, status: int, body: bytes, send_body: bool = True,
               content_type: str = "text/plain; charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in headers.items():
            self.send_header(key.replace("_", "-").title().replace("Www", "WWW"), value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        # Only the request line and status reach the log; never the Authorization header.
        log.info("http %s " + format, self.client_address[0], *args)


class FileHTTPServer(ThreadingHTTPServer):
    """One thread per connection; TLS is negotiated *in that thread*, with a timeout.

    Wrapping the listening socket would run every handshake in the accepting thread: one
    client that connects and says nothing would stop HTTPS for everybody."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Any,
                 context: ssl.SSLContext | None, timeout: float):
        super().__init__(address, handler)
        self.context = context
        self.timeout_seconds = timeout

    def get_request(self) -> tuple[Any, Any]:
        sock, address = super().get_request()
        sock.settimeout(self.timeout_seconds)
        return sock, address

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.context is not None:
            try:
                request = self.context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as exc:  # a silent or broken client: drop it
                log.info("TLS handshake with %s failed: %s", client_address[0],
                         type(exc).__name__)
                return
            try:
                super().finish_request(request, client_address)
            finally:
                request.close()  # the plain socket was detached by the wrap
            return
        super().finish_request(request, client_address)


# -- process ------------------------------------------------------------------------------
def build_servers(settings: ProvisioningSettings) -> tuple[ThreadedFTPServer, ThreadingHTTPServer]:
    global BACKEND
    # Plain SQLAlchemy, not sbcommon.db (which imports nameko, hence eventlet): this process
    # is threaded, and one connection per busy thread is what it needs.
    # Its own role (with SB_DB_ROLES=1): reads provisioning, writes only the blocklist and
    # download stamps, reaches no other database.
    engine = create_engine(database_url("provisioning", role="provisioning_files"),
                           pool_size=settings.db_pool_size,
                           max_overflow=20, pool_pre_ping=True,
                           pool_recycle=1800)
    BACKEND = Backend(settings, sessionmaker(engine, expire_on_commit=False))
    add_readiness_check("database provisioning", lambda: _database_answers(engine))
    if settings.ftp_require_tls and not settings.tls_cert:
        raise SystemExit("refusing to start: PROVISIONING_FTP_REQUIRE_TLS needs "
                         "PROVISIONING_TLS_CERT")
    ftp = ThreadedFTPServer((settings.ftp_host, settings.ftp_port), ftp_handler(settings))
    ftp.max_cons = 1024
    ProvisioningHTTPHandler.timeout = settings.idle_timeout
    context = None
    if settings.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(settings.tls_cert, settings.tls_key)
    http = FileHTTPServer((settings.http_host, settings.http_port), ProvisioningHTTPHandler,
                          context, settings.idle_timeout)
    return ftp, http


def _database_answers(engine: Any) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar() == 1


def _configure_logging() -> None:
    set_service("provisioning-files")
    install_logging("INFO")  # redacted, with service and replica, text or JSON


def _stop(*_: Any) -> None:
    raise KeyboardInterrupt  # serve_forever(handle_exit=True) then closes every connection


def main() -> int:
    _configure_logging()
    settings = ProvisioningSettings()
    ftp, http = build_servers(settings)
    serve_metrics()
    threading.Thread(target=http.serve_forever, name="http", daemon=True).start()
    signal.signal(signal.SIGTERM, _stop)
    log.info("provisioning file server: FTP%s on %s:%s, HTTP%s on %s:%s",
             "(S)" if settings.tls_cert else "", settings.ftp_host, settings.ftp_port,
             "S" if settings.tls_cert else "", settings.http_host, settings.http_port)
    try:
        ftp.serve_forever(handle_exit=True)
    finally:
        http.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
