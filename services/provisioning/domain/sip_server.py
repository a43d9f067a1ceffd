"""The copy of each reseller's own PBX (SIP domain and outbound proxy).

The system administrator records a reseller's PBX in accounts; this service keeps a copy from
accounts' ``reseller_updated`` events so the files phones download follow it
(``sip.sip_server_for`` reads it, and falls back to the platform's settings for a reseller
without one, or one not heard of yet).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from sbcommon.contracts.events import ResellerUpdated

from ..models import ResellerSipServer


def apply_update(session: Session, event: ResellerUpdated, now: datetime) -> bool:
    """Keep the reseller's SIP domain and proxy if the event is newer than the copy.
    True when the SIP domain (the phones' digest realm) changed."""
    # Two events of one reseller on two workers: the second insert does nothing, then waits
    # on the row lock.
    session.execute(insert(ResellerSipServer).values(reseller_id=event.reseller_id, version=0)
                    .on_conflict_do_nothing(index_elements=["reseller_id"]))
    row = session.get(ResellerSipServer, event.reseller_id, with_for_update=True,
                      populate_existing=True)
    assert row is not None
    if row.version >= event.version:
        return False
    realm_changed = (row.sip_domain or None) != (event.sip_domain or None)
    row.sip_domain, row.sip_proxy = event.sip_domain, event.sip_proxy
    row.version, row.updated_at = event.version, now
    session.add(row)
    return realm_changed
