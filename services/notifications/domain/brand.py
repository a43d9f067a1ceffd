"""The reseller's brand on mail and PDFs: name, logo, colours, support contact.

Only what exists today: a per-reseller row that the reseller may set (``set_branding``);
without one, the platform's defaults. The branding issue will own uploads and the portal.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sbcommon.errors import Invalid

from ..models import Branding

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Brand:
    name: str = "Switchboard"
    logo_url: str | None = None
    primary_color: str = "#1f4fd1"
    accent_color: str = "#0d1b3e"
    support_phone: str | None = None
    support_email: str | None = None

    @property
    def contact(self) -> str:
        return " · ".join(x for x in (self.support_phone, self.support_email) if x)

    def dump(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT = Brand()


def load(session: Session, reseller_id: str | None) -> Brand:
    row = session.get(Branding, reseller_id) if reseller_id else None
    if row is None:
        return DEFAULT
    return Brand(name=row.name, logo_url=row.logo_url, primary_color=row.primary_color,
                 accent_color=row.accent_color, support_phone=row.support_phone,
                 support_email=row.support_email)


def remember_reseller(session: Session, reseller_id: str, name: str, email: str,
                      now: datetime) -> None:
    """A new reseller's mail is signed with its own name and e-mail (white label) until it
    sets its branding; an existing branding row is never overwritten."""
    if session.get(Branding, reseller_id) is None:
        session.add(Branding(reseller_id=reseller_id, name=name, support_email=email,
                             updated_at=now))


def save(session: Session, reseller_id: str, data: dict[str, Any], now: datetime) -> Brand:
    """Colours go into CSS, so only #rrggbb passes; a logo must be an https URL."""
    for key in ("primary_color", "accent_color"):
        if data.get(key) is not None and not COLOR_RE.match(data[key]):
            raise Invalid(f"{key} must look like #1f4fd1",
                          [{"field": key, "message": "expected #rrggbb"}])
    logo = data.get("logo_url")
    if logo is not None and not logo.startswith("https://"):
        raise Invalid("logo_url must be an https:// URL",
                      [{"field": "logo_url", "message": "expected https://"}])
    row = session.get(Branding, reseller_id) or Branding(reseller_id=reseller_id,
                                                         name=DEFAULT.name)
    for key, value in data.items():
        if value is not None:
            setattr(row, key, value)
    row.updated_at = now
    session.add(row)
    session.flush()
    return load(session, reseller_id)
