"""The reseller's brand on mail and PDFs: name, logo, colours, support contact.

accounts owns it; this service keeps a copy from accounts' reseller events (applied only
when newer, by the reseller's version). Without a copy, the platform's defaults.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from sbcommon.contracts.events import ResellerUpdated

from ..models import Branding


@dataclass(frozen=True)
class Brand:
    name: str = "Switchboard"
    logo_url: str | None = None  # what an e-mail shows (the reader's client loads it)
    primary_color: str = "#1f4fd1"
    accent_color: str = "#0d1b3e"
    support_phone: str | None = None
    support_email: str | None = None
    # The logo inline (a data: URI) for PDFs, which never fetch from the network.
    logo_data: str | None = None

    @property
    def contact(self) -> str:
        return " · ".join(x for x in (self.support_phone, self.support_email) if x)

    def dump(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("logo_data")
        return out

    def for_templates(self) -> dict[str, Any]:
        """What an editable template may read of the brand (plain values, no methods)."""
        return {"name": self.name, "support_phone": self.support_phone,
                "support_email": self.support_email, "contact": self.contact,
                "primary_color": self.primary_color, "accent_color": self.accent_color,
                "logo_url": self.logo_url}


DEFAULT = Brand()


def load(session: Session, reseller_id: str | None, portal_url: str = "") -> Brand:
    row = session.get(Branding, reseller_id) if reseller_id else None
    if row is None:
        return DEFAULT
    logo_url = logo_data = None
    if row.logo_png:
        logo_url = f"{portal_url}/brand/{reseller_id}/logo.png?v={row.version}"
        logo_data = "data:image/png;base64," + base64.b64encode(row.logo_png).decode("ascii")
    return Brand(name=row.name, logo_url=logo_url, primary_color=row.primary_color,
                 accent_color=row.accent_color, support_phone=row.support_phone,
                 support_email=row.support_email, logo_data=logo_data)


def _ensure_row(session: Session, reseller_id: str, name: str, email: str | None,
                now: datetime) -> None:
    """The reseller's row, created if missing; the two reseller events arrive on separate
    workers, so both may try at once: the second one's insert does nothing."""
    session.execute(insert(Branding).values(
        reseller_id=reseller_id, name=name, support_email=email, version=0, updated_at=now,
    ).on_conflict_do_nothing(index_elements=["reseller_id"]))


def remember_reseller(session: Session, reseller_id: str, name: str, email: str,
                      now: datetime) -> None:
    """A new reseller's mail is signed with its own name and e-mail (white label) until its
    first reseller_updated arrives; an existing row is never overwritten."""
    _ensure_row(session, reseller_id, name, email, now)


def apply_update(session: Session, event: ResellerUpdated, now: datetime) -> bool:
    """Keep the reseller's brand as the event states it, if it is newer than the copy."""
    _ensure_row(session, event.reseller_id, event.portal_name, event.email, now)
    row = session.get(Branding, event.reseller_id, with_for_update=True,
                      populate_existing=True)
    assert row is not None
    if row.version >= event.version:
        return False
    row.name = event.portal_name
    row.primary_color, row.accent_color = event.primary_color, event.accent_color
    row.support_phone = event.support_phone
    # Until the reseller names a support address, replies go to its own.
    row.support_email = event.support_email or event.email
    row.logo_png = base64.b64decode(event.logo_png) if event.logo_png else None
    row.logo_url = None
    row.version, row.updated_at = event.version, now
    session.add(row)
    return True
