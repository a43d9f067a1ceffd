"""The virtual, read-only file tree a phone sees over FTP or HTTP.

One flat directory per login: the files of the customer's devices, rendered from current
data at download time (nothing on disk goes stale). Shared by the FTP and HTTP servers so
both apply the same rules: a closed customer's login fails, a deleted device's file is gone.
"""

from __future__ import annotations

import hmac
import posixpath
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import AccountUser, Customer, Device, FtpAccount
from . import customers, vendors
from .credentials import SecretBox
from .sip import sip_server_for


@dataclass(frozen=True)
class Login:
    customer_id: str
    username: str


def authenticate(session: Session, box: SecretBox, username: str, password: str
                 ) -> Login | None:
    """The login if the credentials are right and the customer is not closed."""
    if not username or len(username) > 32 or len(password) > 128:
        return None
    row = session.execute(
        select(FtpAccount.customer_id, FtpAccount.password_encrypted, Customer.status)
        .join(Customer, Customer.id == FtpAccount.customer_id)
        .where(FtpAccount.username == username)
    ).first()
    if row is None or row.status == "closed":
        return None
    expected = box.decrypt(row.password_encrypted)
    if not hmac.compare_digest(expected.encode(), password.encode()):
        return None
    return Login(row.customer_id, username)


def file_name(path: str) -> str | None:
    """A requested path → the file name in the login's only directory, or None.

    The tree is one directory: "/x.cfg", "x.cfg" and "/a/../x.cfg" name x.cfg, "/" and ""
    name the directory (None), and anything under a subdirectory names nothing (""). Names
    are matched case-insensitively because phones differ in the case of the MAC they ask
    for (Snom asks upper case)."""
    # POSIX keeps a leading "//" as is: strip leading slashes before adding one.
    normal = posixpath.normpath("/" + path.replace("\\", "/").lstrip("/"))
    if normal == "/":
        return None
    parts = normal.strip("/").split("/")
    return parts[0].lower() if len(parts) == 1 else ""


def _active_devices(session: Session, customer_id: str) -> list[Device]:
    # A closed customer's devices are not served, even on a connection opened before.
    return list(session.scalars(
        select(Device).join(Customer, Customer.id == Device.customer_id)
        .where(Device.customer_id == customer_id, Customer.status != "closed")))


def listing(session: Session, login: Login) -> list[str]:
    names = []
    for device in _active_devices(session, login.customer_id):
        names.extend(vendors.file_names(device.model, device.mac))
    return sorted(names)


def find(session: Session, login: Login, name: str) -> Device | None:
    for device in _active_devices(session, login.customer_id):
        if name in vendors.file_names(device.model, device.mac):
            return device
    return None


def caller_id(session: Session, device: Device) -> str | None:
    """The number a line shows and calls from: its own, else its user's first, else the
    customer's first."""
    numbers = customers.numbers_of(session, device.customer_id)
    if device.number in numbers:
        return device.number
    if device.user_id:
        mine = customers.numbers_of_user(session, device.user_id)
        if mine:
            return mine[0]
    return numbers[0] if numbers else None


def shown_name(session: Session, device: Device) -> str:
    """The name on the phone: the one given to the line, else its user's, else the
    device's."""
    if device.display_name:
        return device.display_name
    if device.user_id:
        user = session.get(AccountUser, device.user_id)
        if user is not None and not user.deleted and user.display_name:
            return user.display_name
    return device.name


def render(session: Session, box: SecretBox, device: Device, name: str) -> bytes:
    number = caller_id(session, device)
    display = shown_name(session, device)
    reseller_id = session.scalar(select(Customer.reseller_id)
                                 .where(Customer.id == device.customer_id))
    server = sip_server_for(session, reseller_id)
    line = vendors.LineData(
        mac=device.mac, device_name=device.name, display_name=display,
        label=number or display, sip_username=device.sip_username,
        sip_secret=box.decrypt(device.sip_secret_encrypted),
        sip_domain=server.domain, sip_proxy_host=server.proxy_host,
        sip_proxy_port=server.proxy_port,
    )
    return vendors.render(device.model, name, line)


def record_download(session: Session, device_id: str, name: str, now: datetime) -> None:
    session.execute(update(Device).where(Device.id == device_id)
                    .values(last_provisioned_at=now, last_provisioned_file=name))
