"""SIP users: the lines provisioning created, with their HA1 per realm (never the secret).

A version-checked copy: an event older than what is kept changes nothing, and a deleted
line keeps its row (without HA1) so a late event cannot bring it back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from sbcommon.contracts.events import SipCredentialsChanged

from ..models import SipUserRow


def apply(session: Session, event: SipCredentialsChanged, now: datetime) -> bool:
    """True when the event was newer than the copy (and was kept)."""
    values = {"reseller_id": event.reseller_id, "customer_id": event.customer_id,
              "device_id": event.device_id, "caller_id": event.caller_id,
              "ha1": {} if event.deleted else dict(event.ha1), "deleted": event.deleted,
              "version": event.version, "updated_at": now}
    stmt = pg_insert(SipUserRow).values(username=event.username, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[SipUserRow.username], set_=values,
        where=SipUserRow.version < stmt.excluded.version).returning(SipUserRow.username)
    return session.execute(stmt).first() is not None
