"""Which SIP server a phone registers to: its reseller's PBX, else the platform's.

The system administrator records each reseller's PBX in accounts (SIP domain and outbound
proxy); this service keeps a copy from accounts' ``reseller_updated`` events, so the files
phones download follow it, and fall back to the platform's settings for a reseller without
one (or one not heard of yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from sbcommon.contracts.events import ResellerUpdated

from ..models import ResellerSipServer


@dataclass(frozen=True)
class SipServer:
    domain: str  # where the line registers
    port: int
    proxy: str | None = None  # outbound proxy, "host" or "host:port"

    @property
    def proxy_host(self) -> str | None:
        return (self.proxy.rpartition(":")[0] or self.proxy) if self.proxy else None

    @property
    def proxy_port(self) -> int | None:
        if not self.proxy:
            return None
        host, _, port = self.proxy.rpartition(":")
        return int(port) if host and port.isdigit() else self.port


def sip_server_for(session: Session, reseller_id: str | None, default: SipServer
                   ) -> SipServer:
    """The reseller's SIP domain and proxy where set; each unset value is the platform's."""
    row = session.get(ResellerSipServer, reseller_id) if reseller_id else None
    if row is None:
        return default
    return SipServer(domain=row.sip_domain or default.domain, port=default.port,
                     proxy=row.sip_proxy or default.proxy)


def apply_update(session: Session, event: ResellerUpdated, now: datetime) -> bool:
    """Keep the reseller's SIP domain and proxy, if the event is newer than the copy."""
    # Two events of one reseller on two workers: the second insert does nothing, then waits
    # on the row lock.
    session.execute(insert(ResellerSipServer).values(reseller_id=event.reseller_id, version=0)
                    .on_conflict_do_nothing(index_elements=["reseller_id"]))
    row = session.get(ResellerSipServer, event.reseller_id, with_for_update=True,
                      populate_existing=True)
    assert row is not None
    if row.version >= event.version:
        return False
    row.sip_domain, row.sip_proxy = event.sip_domain, event.sip_proxy
    row.version, row.updated_at = event.version, now
    session.add(row)
    return True
