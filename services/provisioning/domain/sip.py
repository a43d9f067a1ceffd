"""Where phones register, and the SIP credentials the proxy checks.

The SIP domain (also the digest realm) and the proxy address are the platform's settings
(``SB_SIP_DOMAIN``, ``SB_SIP_PROXY``), written into every vendor file, unless the system
administrator recorded a reseller's own PBX (its copy is kept by ``sip_server``). Every
lookup goes through ``sip_server_for``.

The proxy authenticates a phone's REGISTER and INVITE with a digest: it needs
HA1 = MD5(username:realm:secret) per realm, never the secret. HA1 is computed here, where
the secret lives, and leaves in a ``sip_credentials_changed`` event through the outbox.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from ..models import Customer, Device, ResellerSipServer
from ..settings import ProvisioningSettings

SIP_CREDENTIALS_CHANGED = "sip_credentials_changed"


@dataclass(frozen=True)
class SipServer:
    domain: str  # what the phone registers to; also the digest realm
    proxy_host: str  # where it sends its requests (outbound proxy)
    proxy_port: int

    @property
    def realm(self) -> str:
        return self.domain

    @classmethod
    def parse(cls, domain: str, proxy: str) -> SipServer:
        """``proxy`` is ``host`` or ``host:port`` (5060 when omitted); empty: the domain."""
        host, sep, port = (proxy or domain).strip().rpartition(":")
        if not sep:
            host, port = port, "5060"
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"SB_SIP_PROXY must be host or host:port, got {proxy!r}")
        return cls(domain.strip(), host, int(port))


@cache
def _platform() -> SipServer:
    settings = ProvisioningSettings()
    return SipServer.parse(settings.sip_domain, settings.sip_proxy)


def platform_sip_server() -> SipServer:
    return _platform()


def sip_server_for(session: Session, reseller_id: str | None) -> SipServer:
    """The SIP domain and proxy a reseller's phones use: its own PBX where recorded, each
    unset value the platform's (a proxy left unset follows the platform's explicit proxy,
    else the reseller's domain)."""
    platform = _platform()
    row = session.get(ResellerSipServer, reseller_id) if reseller_id else None
    if row is None or not (row.sip_domain or row.sip_proxy):
        return platform
    domain = row.sip_domain or platform.domain
    proxy = row.sip_proxy or ProvisioningSettings().sip_proxy or domain
    try:
        return SipServer.parse(domain, proxy)
    except ValueError:  # accounts checks the format; an old copy must not stop the phones
        return platform


def ha1(username: str, realm: str, secret: str) -> str:
    """RFC 2617's HA1: the digest's secret part, what a proxy stores instead of passwords.
    MD5 is what SIP phones speak; it is computed from a 143-bit random secret."""
    return hashlib.md5(f"{username}:{realm}:{secret}".encode(),  # noqa: S324
                       usedforsecurity=False).hexdigest()


def credentials_event(device: Device, customer: Customer, secret: str | None,
                      caller_id: str | None, realm: str) -> dict[str, Any]:
    """The event's payload; ``secret`` None: the line is deleted (no HA1)."""
    return {"reseller_id": customer.reseller_id, "customer_id": customer.id,
            "device_id": device.id, "username": device.sip_username, "caller_id": caller_id,
            "ha1": {} if secret is None else {realm: ha1(device.sip_username, realm, secret)},
            "deleted": secret is None, "version": device.sip_version}
