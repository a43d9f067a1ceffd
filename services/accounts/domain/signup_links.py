"""A reseller's sign-up links and custom links.

A sign-up link's token is its id signed with the platform's key ring (purpose
``signup-link``): nobody can make one without the key, any changed byte fails the check,
and a key rotation keeps published links working while the old key stays on the ring.
What the link pre-selects (kind, plan, promotion) is stored with the id, never read from
the token, and revoking sets ``revoked_at``: a revoked link is refused like a forged one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from sbcommon import keys
from sbcommon.actor import Actor, Role
from sbcommon.contracts.signup import SignupLinkCreate
from sbcommon.errors import Invalid, NotFound

from ..models import Reseller, SignupLink

PURPOSE = "signup-link"
SIGNATURE_CHARS = 32  # 192 bits of the HMAC-SHA256, base64url
TOKEN_RE = re.compile(r"^([0-9a-f]{32})\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{32})$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAX_LINKS = 200  # per reseller, revoked ones excluded


def _signature(key: keys.Key, link_id: str) -> str:
    mac = hmac.new(key.derive(PURPOSE), link_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")[:SIGNATURE_CHARS]


def sign(link_id: str, ring: keys.KeyRing) -> str:
    """``<id as 32 hex>.<key id>.<signature>``: short enough for a URL, no padding."""
    key = ring.current
    return f"{uuid.UUID(link_id).hex}.{key.kid}.{_signature(key, link_id)}"


def verify(token: Any, ring: keys.KeyRing) -> str | None:
    """The link id a token was signed for, or None (malformed, unknown key, bad
    signature). Constant-time comparison."""
    if not isinstance(token, str):
        return None
    match = TOKEN_RE.match(token)
    if match is None:
        return None
    link_id = str(uuid.UUID(match.group(1)))
    key = ring.get(match.group(2))
    if key is None or not hmac.compare_digest(_signature(key, link_id), match.group(3)):
        return None
    return link_id


def portal_base(reseller: Reseller, public_url: str) -> str:
    """Where the reseller's portal answers: its own host name, else ``/p/<slug>``."""
    public = public_url.rstrip("/")
    if reseller.host_name:
        scheme = urlsplit(public).scheme or "https"
        return f"{scheme}://{reseller.host_name}"
    return f"{public}/p/{reseller.slug}"


def to_contract(link: SignupLink, reseller: Reseller, public_url: str,
                ring: keys.KeyRing) -> dict[str, Any]:
    url = link.url if link.kind == "custom" else (
        f"{portal_base(reseller, public_url)}/signup/{sign(link.id, ring)}")
    return {"id": link.id, "kind": link.kind, "plan_id": link.plan_id,
            "promotion_id": link.promotion_id, "label": link.label, "url": url,
            "created_at": link.created_at.isoformat()}


def _reseller(session: Session, actor: Actor) -> Reseller:
    actor.require(Role.RESELLER)
    reseller = session.get(Reseller, actor.reseller_id)
    if reseller is None:
        raise NotFound("no such reseller")
    return reseller


def listing(session: Session, actor: Actor, public_url: str, ring: keys.KeyRing
            ) -> dict[str, Any]:
    reseller = _reseller(session, actor)
    rows = session.scalars(select(SignupLink).where(
        SignupLink.reseller_id == reseller.id, SignupLink.revoked_at.is_(None))
        .order_by(SignupLink.created_at, SignupLink.id))
    return {"items": [to_contract(r, reseller, public_url, ring) for r in rows]}


def create(session: Session, actor: Actor, data: SignupLinkCreate, public_url: str,
           ring: keys.KeyRing, now: datetime) -> dict[str, Any]:
    """The plan and promotion were checked against the reseller's offer by the caller
    (the catalogue owns them); they are checked again when a sign-up completes."""
    reseller = _reseller(session, actor)
    if data.kind == "custom":
        if not data.label or not data.url:
            missing = [f for f in ("label", "url") if not getattr(data, f)]
            raise Invalid("a custom link needs a label and an http(s) URL",
                          [{"field": f, "message": "required"} for f in missing])
        if data.plan_id or data.promotion_id:
            raise Invalid("a custom link pre-selects nothing",
                          [{"field": "plan_id", "message": "only for sign-up links"}])
    elif data.url:
        raise Invalid("a sign-up link's address is made by the platform",
                      [{"field": "url", "message": "only for custom links"}])
    active = session.scalars(select(SignupLink.id).where(
        SignupLink.reseller_id == reseller.id, SignupLink.revoked_at.is_(None))).all()
    if len(active) >= MAX_LINKS:
        raise Invalid(f"at most {MAX_LINKS} links; revoke some first",
                      [{"field": "kind", "message": "too many links"}])
    link = SignupLink(id=str(uuid.uuid4()), reseller_id=reseller.id, kind=data.kind,
                      plan_id=data.plan_id, promotion_id=data.promotion_id,
                      label=data.label, url=data.url if data.kind == "custom" else None,
                      created_by=actor.user_id, created_at=now)
    session.add(link)
    session.flush()
    return to_contract(link, reseller, public_url, ring)


def revoke(session: Session, actor: Actor, link_id: Any, now: datetime) -> None:
    """Another reseller's link, or one already revoked, is "not found"."""
    reseller = _reseller(session, actor)
    link = None
    if isinstance(link_id, str) and UUID_RE.match(link_id):
        link = session.scalars(select(SignupLink).where(
            SignupLink.id == link_id, SignupLink.reseller_id == reseller.id,
            SignupLink.revoked_at.is_(None)).with_for_update()).first()
    if link is None:
        raise NotFound("no such link")
    link.revoked_at = now


def custom_links(session: Session, actor: Actor) -> dict[str, Any]:
    """The custom links of the actor's reseller (a subscriber sees its reseller's)."""
    if actor.reseller_id is None:
        return {"items": []}
    rows = session.scalars(select(SignupLink).where(
        SignupLink.reseller_id == actor.reseller_id, SignupLink.kind == "custom",
        SignupLink.revoked_at.is_(None)).order_by(SignupLink.created_at, SignupLink.id))
    return {"items": [{"id": r.id, "label": r.label, "url": r.url} for r in rows]}


def resolve(session: Session, token: Any, ring: keys.KeyRing, *, lock: bool = False
            ) -> tuple[SignupLink, Reseller]:
    """The live sign-up link behind a token, with its (active) reseller; NotFound for a
    forged, altered or revoked link alike."""
    link_id = verify(token, ring)
    link = session.get(SignupLink, link_id) if link_id else None
    reseller = session.get(Reseller, link.reseller_id) if link else None
    if (link is None or reseller is None or link.kind == "custom"
            or link.revoked_at is not None or reseller.status != "active"):
        raise NotFound("this sign-up link is not valid (any more)")
    return link, reseller


def public_view(link: SignupLink, reseller: Reseller) -> dict[str, Any]:
    return {"link_id": link.id, "reseller_id": reseller.id, "slug": reseller.slug,
            "kind": link.kind, "plan_id": link.plan_id, "promotion_id": link.promotion_id,
            "country": reseller.country, "language": reseller.language}
