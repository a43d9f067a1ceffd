"""The accounts service's reseller RPCs (a part of ``AccountsService``): onboarding and
lifecycle by the system administrator; settings, branding, chat, PBX information and the
set-up wizard of a reseller; and the public brand of a subscriber portal."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from eventlet import tpool

from sbcommon.actor import Actor, Role
from sbcommon.contracts.resellers import (
    BrandingUpdate,
    ImageUpload,
    ResellerAdminUpdate,
    ResellerOnboard,
    ResellerQuery,
    SettingsUpdate,
    WizardUpdate,
)
from sbcommon.errors import Invalid
from sbcommon.rpc import rpc
from sbcommon.validation import parse

from .domain import resellers
from .settings import AccountsSettings

SETTINGS = AccountsSettings()
IMAGE_KINDS = ("logo", "favicon")


def utcnow() -> datetime:
    return datetime.now(UTC)


def _admin(actor: Any) -> Actor:
    who = Actor.parse(actor)
    who.require(Role.ADMIN)
    return who


def _kind(kind: Any) -> str:
    if kind not in IMAGE_KINDS:
        raise Invalid("kind must be logo or favicon", [{"field": "kind", "message": "unknown"}])
    return kind


class ResellerRpcs:
    """Mixed into AccountsService, which provides ``db``, ``outbox`` and ``once``."""

    db: Any
    outbox: Any
    once: Any

    # -- the system administrator -------------------------------------------------------
    @rpc
    def onboard_reseller(self, actor: dict[str, Any], payload: dict[str, Any]
                         ) -> dict[str, Any]:
        who = _admin(actor)
        data = parse(ResellerOnboard, payload)
        return self.once(who, lambda session: resellers.onboard(
            session, self.outbox, SETTINGS, data, utcnow()))

    @rpc
    def list_resellers(self, actor: dict[str, Any], query: dict[str, Any] | None = None
                       ) -> dict[str, Any]:
        _admin(actor)
        data = parse(ResellerQuery, query or {}, "query")
        with self.db() as session:
            return resellers.search(session, data)

    @rpc
    def reseller_counts(self, actor: dict[str, Any]) -> dict[str, int]:
        _admin(actor)
        with self.db() as session:
            return resellers.counts(session)

    @rpc
    def get_reseller(self, actor: dict[str, Any], reseller_id: str) -> dict[str, Any]:
        _admin(actor)
        with self.db() as session:
            return resellers.to_contract(resellers.find(session, reseller_id))

    @rpc
    def update_reseller(self, actor: dict[str, Any], reseller_id: str,
                        payload: dict[str, Any]) -> dict[str, Any]:
        who = _admin(actor)
        data = parse(ResellerAdminUpdate, payload)
        return self.once(who, lambda session: resellers.admin_update(
            session, self.outbox, reseller_id, data, utcnow()))

    @rpc
    def suspend_reseller(self, actor: dict[str, Any], reseller_id: str) -> dict[str, Any]:
        who = _admin(actor)
        return self.once(who, lambda session: resellers.set_status(
            session, self.outbox, reseller_id, "suspended", utcnow()))

    @rpc
    def reactivate_reseller(self, actor: dict[str, Any], reseller_id: str) -> dict[str, Any]:
        who = _admin(actor)
        return self.once(who, lambda session: resellers.set_status(
            session, self.outbox, reseller_id, "active", utcnow()))

    # -- the reseller's own ---------------------------------------------------------------
    @rpc
    def get_reseller_settings(self, actor: dict[str, Any], reseller_id: str | None = None
                              ) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return resellers.settings_of(resellers.target(session, who, reseller_id))

    @rpc
    def update_reseller_settings(self, actor: dict[str, Any], payload: dict[str, Any]
                                 ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(SettingsUpdate, payload)
        return self.once(who, lambda session: resellers.update_settings(
            session, self.outbox, who, data, utcnow()))

    @rpc
    def get_reseller_branding(self, actor: dict[str, Any], reseller_id: str | None = None
                              ) -> dict[str, Any]:
        who = Actor.parse(actor)
        with self.db() as session:
            return resellers.branding_of(session, resellers.target(session, who, reseller_id))

    @rpc
    def update_reseller_branding(self, actor: dict[str, Any], payload: dict[str, Any]
                                 ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(BrandingUpdate, payload)
        return self.once(who, lambda session: resellers.update_branding(
            session, self.outbox, who, data, utcnow()))

    @rpc
    def set_branding_image(self, actor: dict[str, Any], kind: str, payload: dict[str, Any]
                           ) -> dict[str, Any]:
        """``payload.content`` is the file in base64; the service decodes and re-encodes it
        (a CPU-bound step kept small by the size and dimension limits)."""
        who = Actor.parse(actor)
        kind = _kind(kind)
        data = parse(ImageUpload, payload)
        try:
            raw = base64.b64decode(data.content, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid("content must be base64",
                          [{"field": kind, "message": "not base64"}]) from None
        who.require(Role.RESELLER)
        # Decoding is CPU work: off the event loop, before the transaction opens.
        encoded = tpool.execute(resellers.encode_image, kind, raw)
        return self.once(who, lambda session: resellers.set_image(
            session, self.outbox, who, kind, encoded, utcnow()))

    @rpc
    def remove_branding_image(self, actor: dict[str, Any], kind: str) -> dict[str, Any]:
        who = Actor.parse(actor)
        kind = _kind(kind)
        return self.once(who, lambda session: resellers.remove_image(
            session, self.outbox, who, kind, utcnow()))

    @rpc
    def set_wizard_step(self, actor: dict[str, Any], payload: dict[str, Any]
                        ) -> dict[str, Any]:
        who = Actor.parse(actor)
        data = parse(WizardUpdate, payload)
        return self.once(who, lambda session: resellers.set_wizard_step(
            session, self.outbox, who, data.step, utcnow()))

    @rpc
    def trials_ending(self, actor: dict[str, Any]) -> list[dict[str, Any]]:
        who = Actor.parse(actor)
        who.require(Role.RESELLER, Role.ADMIN)
        with self.db() as session:
            return resellers.trials_ending(session, who, utcnow())

    # -- public: what a subscriber portal looks like ------------------------------------------
    @rpc
    def portal_brand(self, reseller_id: str | None = None, host: str | None = None,
                     slug: str | None = None) -> dict[str, Any] | None:
        with self.db() as session:
            return resellers.public_brand(session, reseller_id=reseller_id, host=host,
                                          slug=slug)

    @rpc
    def brand_image(self, reseller_id: str, kind: str) -> dict[str, Any]:
        with self.db() as session:
            return resellers.image(session, reseller_id, _kind(kind))
