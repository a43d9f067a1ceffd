"""Resellers: onboarding and lifecycle (system administrator), settings, support contact,
branding, chat widget, PBX information and the set-up wizard (the reseller).

Every change bumps the reseller's version and records ``reseller_updated`` with its whole
state, so the services keeping a copy (notifications for mail and PDFs, provisioning for the
phones' SIP server) apply only newer ones.
"""

from __future__ import annotations

import base64
import math
import re
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from sbcommon.actor import Actor, Role
from sbcommon.contracts.resellers import (
    CHAT_PROVIDERS,
    WIZARD_STEPS,
    BrandingUpdate,
    ResellerAdminUpdate,
    ResellerOnboard,
    ResellerQuery,
    SettingsUpdate,
)
from sbcommon.errors import Conflict, Invalid, NotFound

from ..models import Customer, Reseller, ResellerImage, User, WebSession
from ..settings import AccountsSettings
from . import images, palette
from .auth import EventSink, request_reset

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PBX_FIELDS = ("pbx_name", "sip_domain", "sip_proxy", "default_carrier")
WELCOME = "access_codes"  # the welcome e-mail: the identifier and a single-use set-PIN link


# -- reading ---------------------------------------------------------------------------------
def find(session: Session, reseller_id: str, lock: bool = False) -> Reseller:
    """The reseller, or NotFound (also for an id that is not a uuid: no 500 on junk)."""
    if not isinstance(reseller_id, str) or not UUID_RE.match(reseller_id):
        raise NotFound("no such reseller")
    stmt = select(Reseller).where(Reseller.id == reseller_id)
    row = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if row is None:
        raise NotFound("no such reseller")
    return row


def own(session: Session, actor: Actor, lock: bool = False) -> Reseller:
    """The actor's own reseller: its staff (and the system administrator naming none) only."""
    actor.require(Role.RESELLER)
    assert actor.reseller_id is not None
    return find(session, actor.reseller_id, lock)


def target(session: Session, actor: Actor, reseller_id: str | None = None) -> Reseller:
    """The system administrator names the reseller; a reseller's staff read only their own
    (naming another one is a 404, as if it did not exist)."""
    if actor.is_admin and reseller_id is not None:
        return find(session, reseller_id)
    if reseller_id is not None and reseller_id != actor.reseller_id:
        raise NotFound("no such reseller")
    return own(session, actor)


def pbx(reseller: Reseller) -> dict[str, Any]:
    return {k: getattr(reseller, k) for k in PBX_FIELDS}


def to_contract(reseller: Reseller) -> dict[str, Any]:
    return {
        "id": reseller.id, "name": reseller.name, "identifier": reseller.slug,
        "email": reseller.email, "country": reseller.country, "language": reseller.language,
        "currency": reseller.currency, "trial_days": reseller.trial_days,
        "status": reseller.status, "host_name": reseller.host_name,
        "chat_enabled": reseller.chat_enabled, "pbx": pbx(reseller),
        "setup_step": reseller.setup_step, "created_at": reseller.created_at.isoformat(),
        "updated_at": reseller.updated_at.isoformat(), "version": reseller.version,
    }


def search(session: Session, query: ResellerQuery) -> dict[str, Any]:
    stmt = select(Reseller)
    if query.status:
        stmt = stmt.where(Reseller.status == query.status)
    if query.q:
        like = "%" + query.q.lower().replace("\\", "\\\\").replace("%", "\\%") \
            .replace("_", "\\_") + "%"
        stmt = stmt.where(or_(func.lower(Reseller.name).like(like, escape="\\"),
                              Reseller.slug.like(like, escape="\\"),
                              func.lower(Reseller.email).like(like, escape="\\")))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(func.lower(Reseller.name), Reseller.id)
                           .offset((query.page - 1) * query.per_page).limit(query.per_page))
    return {"items": [to_contract(r) for r in rows], "total": total, "page": query.page,
            "per_page": query.per_page, "pages": max(1, math.ceil(total / query.per_page))}


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Reseller.status, func.count()).group_by(Reseller.status))
    return {"active": 0, "suspended": 0, **{status: n for status, n in rows}}


# -- events ----------------------------------------------------------------------------------
def _image(session: Session, reseller_id: str, kind: str) -> ResellerImage | None:
    return session.get(ResellerImage, (reseller_id, kind))


def _changed(session: Session, events: EventSink, reseller: Reseller, fields: list[str],
             now: datetime) -> None:
    reseller.version += 1
    reseller.updated_at = now
    session.flush()
    logo = _image(session, reseller.id, "logo")
    events.record(session, "reseller_updated", {
        "reseller_id": reseller.id, "version": reseller.version, "fields": sorted(fields),
        "name": reseller.name, "email": reseller.email, "country": reseller.country,
        "language": reseller.language, "status": reseller.status,
        "portal_name": reseller.portal_name or reseller.name,
        "primary_color": reseller.primary_color, "accent_color": reseller.accent_color,
        "support_phone": reseller.support_phone, "support_email": reseller.support_email,
        "logo_png": base64.b64encode(logo.content).decode("ascii") if logo else None,
        **pbx(reseller),
    })


def _apply(reseller: Reseller, changes: dict[str, Any]) -> list[str]:
    changed = [k for k, v in changes.items() if getattr(reseller, k) != v]
    for key in changed:
        setattr(reseller, key, changes[key])
    return changed


# -- the system administrator ----------------------------------------------------------------
def _ensure_free(session: Session, identifier: str, email: str) -> None:
    if session.scalar(select(User.id).where(User.identifier == identifier)) or \
            session.scalar(select(Reseller.id).where(Reseller.slug == identifier)):
        raise Conflict(f"identifier {identifier!r} is already in use",
                       [{"field": "identifier", "message": "already in use"}])
    if session.scalar(select(User.id).where(func.lower(User.email) == email.lower())):
        raise Conflict(f"e-mail {email} is already in use",
                       [{"field": "email", "message": "already in use"}])


def onboard(session: Session, events: EventSink, settings: AccountsSettings,
            data: ResellerOnboard, now: datetime) -> dict[str, Any]:
    """The reseller, its administrator (no password yet) and the welcome e-mail that carries
    a single-use link to choose one."""
    _ensure_free(session, data.identifier, data.email)
    reseller = Reseller(
        id=str(uuid.uuid4()), slug=data.identifier, name=data.name, email=data.email,
        country=data.country, language=data.language, currency=data.currency,
        trial_days=data.trial_days, status="active", setup_step=WIZARD_STEPS[0], version=1,
        created_at=now, updated_at=now)
    session.add(reseller)
    session.flush()
    session.add(User(id=str(uuid.uuid4()), role="reseller", reseller_id=reseller.id,
                     identifier=data.identifier, email=data.email, display_name=data.name,
                     language=data.language, created_at=now))
    session.flush()
    events.record(session, "reseller_created", {
        "reseller_id": reseller.id, "name": reseller.name, "email": reseller.email,
        "country": reseller.country, "language": data.language})
    _changed(session, events, reseller, ["created"], now)
    request_reset(session, events, settings, data.identifier, now, purpose=WELCOME)
    return to_contract(reseller)


def admin_update(session: Session, events: EventSink, reseller_id: str,
                 data: ResellerAdminUpdate, now: datetime) -> dict[str, Any]:
    reseller = find(session, reseller_id, lock=True)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("host_name") and session.scalar(select(Reseller.id).where(
            Reseller.host_name == changes["host_name"], Reseller.id != reseller.id)):
        raise Conflict("this host name belongs to another reseller",
                       [{"field": "host_name", "message": "already in use"}])
    for key in ("name", "email", "country", "language", "currency", "chat_enabled"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key} cannot be emptied", [{"field": key, "message": "required"}])
    changed = _apply(reseller, changes)
    if changed:
        _changed(session, events, reseller, changed, now)
    return to_contract(reseller)


def set_status(session: Session, events: EventSink, reseller_id: str, status: str,
               now: datetime) -> dict[str, Any]:
    """Suspending stops the reseller's own users from signing in (their sessions end now);
    its customers keep their service and nothing is deleted."""
    reseller = find(session, reseller_id, lock=True)
    if reseller.status == status:
        raise Conflict(f"this reseller is already {status}",
                       [{"field": "status", "message": f"already {status}"}])
    reseller.status = status
    if status == "suspended":
        staff = select(User.id).where(User.reseller_id == reseller.id, User.role == "reseller")
        session.execute(delete(WebSession).where(WebSession.user_id.in_(staff)))
    _changed(session, events, reseller, ["status"], now)
    return to_contract(reseller)


# -- the reseller: settings and support contact ------------------------------------------------
def settings_of(reseller: Reseller) -> dict[str, Any]:
    return {"name": reseller.name, "address": reseller.address, "email": reseller.email,
            "phone": reseller.phone, "support_phone": reseller.support_phone,
            "support_email": reseller.support_email, "pbx": pbx(reseller),
            "setup_step": reseller.setup_step}


def update_settings(session: Session, events: EventSink, actor: Actor, data: SettingsUpdate,
                    now: datetime) -> dict[str, Any]:
    reseller = own(session, actor, lock=True)
    changes = data.model_dump(exclude_unset=True)
    if "email" in changes and changes["email"] is None:
        raise Invalid("email cannot be emptied", [{"field": "email", "message": "required"}])
    changed = _apply(reseller, changes)
    if changed:
        _changed(session, events, reseller, changed, now)
    return settings_of(reseller)


# -- branding ------------------------------------------------------------------------------
def branding_of(session: Session, reseller: Reseller) -> dict[str, Any]:
    return {
        "portal_name": reseller.portal_name or reseller.name,
        "primary_color": reseller.primary_color, "accent_color": reseller.accent_color,
        "logo": _image(session, reseller.id, "logo") is not None,
        "favicon": _image(session, reseller.id, "favicon") is not None,
        "chat_provider": reseller.chat_provider, "chat_site_id": reseller.chat_site_id,
        "chat_enabled": reseller.chat_enabled, "version": reseller.version,
    }


def check_chat(provider: str | None, site_id: str | None) -> None:
    """Only a known provider and a site id of its exact shape: nothing free-form reaches
    the page that loads the widget."""
    if provider is None and site_id is None:
        return
    if provider is None or site_id is None:
        field = "chat_site_id" if site_id is None else "chat_provider"
        raise Invalid("give both the chat provider and its site id, or neither",
                      [{"field": field, "message": "required with the other"}])
    info = CHAT_PROVIDERS[provider]
    if not re.fullmatch(info.site_id_pattern, site_id):
        raise Invalid(f"this is not a {info.label} site id",
                      [{"field": "chat_site_id",
                        "message": f"does not look like a {info.label} site id"}])


def update_branding(session: Session, events: EventSink, actor: Actor, data: BrandingUpdate,
                    now: datetime) -> dict[str, Any]:
    reseller = own(session, actor, lock=True)
    changes = data.model_dump(exclude_unset=True)
    for key in ("portal_name", "primary_color", "accent_color"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key} cannot be emptied", [{"field": key, "message": "required"}])
    bad = palette.problems(changes.get("primary_color", reseller.primary_color),
                           changes.get("accent_color", reseller.accent_color))
    if bad:
        raise Invalid("these colours are not readable enough", bad)
    check_chat(changes.get("chat_provider", reseller.chat_provider),
               changes.get("chat_site_id", reseller.chat_site_id))
    changed = _apply(reseller, changes)
    if changed:
        _changed(session, events, reseller, changed, now)
    return branding_of(session, reseller)


def encode_image(kind: str, data: bytes) -> images.Encoded:
    return images.logo(data) if kind == "logo" else images.favicon(data)


def set_image(session: Session, events: EventSink, actor: Actor, kind: str,
              encoded: images.Encoded, now: datetime) -> dict[str, Any]:
    reseller = own(session, actor, lock=True)
    row = _image(session, reseller.id, kind) or ResellerImage(reseller_id=reseller.id,
                                                              kind=kind)
    row.content, row.mimetype = encoded.content, encoded.mimetype
    row.width, row.height, row.updated_at = encoded.width, encoded.height, now
    session.add(row)
    _changed(session, events, reseller, [kind], now)
    return branding_of(session, reseller)


def remove_image(session: Session, events: EventSink, actor: Actor, kind: str,
                 now: datetime) -> dict[str, Any]:
    reseller = own(session, actor, lock=True)
    row = _image(session, reseller.id, kind)
    if row is not None:
        session.delete(row)
        _changed(session, events, reseller, [kind], now)
    return branding_of(session, reseller)


def image(session: Session, reseller_id: str, kind: str) -> dict[str, Any]:
    """A logo or favicon (public: every page of the reseller's portal shows them)."""
    row = _image(session, find(session, reseller_id).id, kind) if kind in (
        "logo", "favicon") else None
    if row is None:
        raise NotFound(f"no {kind}")
    return {"content": base64.b64encode(row.content).decode("ascii"),
            "mimetype": row.mimetype, "updated_at": row.updated_at.isoformat()}


def public_brand(session: Session, *, reseller_id: str | None = None, host: str | None = None,
                 slug: str | None = None) -> dict[str, Any] | None:
    """The brand of a portal reached by its reseller's host name, its path name or the
    signed-in subscriber's reseller; None when nothing matches (the platform's look)."""
    stmt = select(Reseller)
    if reseller_id:
        if not UUID_RE.match(reseller_id):
            return None
        stmt = stmt.where(Reseller.id == reseller_id)
    elif host:
        stmt = stmt.where(Reseller.host_name == host.lower()[:253])
    elif slug:
        stmt = stmt.where(Reseller.slug == slug.lower()[:64])
    else:
        return None
    reseller = session.scalars(stmt).first()
    if reseller is None:
        return None
    look = branding_of(session, reseller)
    chat = reseller.chat_enabled and reseller.chat_provider is not None
    return {
        "reseller_id": reseller.id, "slug": reseller.slug, "portal_name": look["portal_name"],
        "primary_color": reseller.primary_color, "accent_color": reseller.accent_color,
        "logo": look["logo"], "favicon": look["favicon"],
        "support_phone": reseller.support_phone, "support_email": reseller.support_email,
        "chat_provider": reseller.chat_provider if chat else None,
        "chat_site_id": reseller.chat_site_id if chat else None, "version": reseller.version,
    }


# -- the set-up wizard -------------------------------------------------------------------------
def set_wizard_step(session: Session, events: EventSink, actor: Actor, step: str,
                    now: datetime) -> dict[str, Any]:
    """Where the wizard resumes; "done" ends it (a finished wizard is not reopened by an
    earlier step)."""
    reseller = own(session, actor, lock=True)
    if reseller.setup_step != "done" and reseller.setup_step != step:
        reseller.setup_step = step
        reseller.updated_at = now
    return settings_of(reseller)


# -- the reseller's home ---------------------------------------------------------------------
def trials_ending(session: Session, actor: Actor, now: datetime, days: int = 7
                  ) -> list[dict[str, Any]]:
    """Its customers whose free trial ends within ``days`` (soonest first)."""
    stmt = actor.restrict(
        select(Customer.id, Customer.name, Customer.trial_ends_at)
        .where(Customer.status == "trial", Customer.trial_ends_at.is_not(None),
               Customer.trial_ends_at <= now + timedelta(days=days)),
        Customer.reseller_id, Customer.id)
    rows = session.execute(stmt.order_by(Customer.trial_ends_at).limit(50))
    return [{"id": r.id, "name": r.name, "trial_ends_at": r.trial_ends_at.isoformat()}
            for r in rows]
