"""Resellers in the JSON API: onboarding and lifecycle (system administrator); settings,
support contact, branding, PBX information and set-up wizard (the reseller)."""

from __future__ import annotations

from typing import Any

from sbcommon.contracts.resellers import (
    Branding,
    BrandingUpdate,
    PbxInfo,
    Reseller,
    ResellerAdminUpdate,
    ResellerOnboard,
    ResellerPage,
    ResellerQuery,
    ResellerSettings,
    SettingsUpdate,
    WizardUpdate,
)

from ...framework.context import Ctx
from ...framework.routing import Router
from .uploads import UPLOAD_BODY, as_payload, image_bytes

api = Router()


# -- the system administrator ------------------------------------------------------------------
@api.route("GET", "/admin/resellers", query=ResellerQuery, response=ResellerPage, errors=(403,),
           summary="List and search resellers (system administrator)")
def list_resellers(ctx: Ctx, query: ResellerQuery) -> Any:
    return ctx.backends.accounts.list_resellers(ctx.actor, query.model_dump())


@api.route("POST", "/admin/resellers", body=ResellerOnboard, response=Reseller, status=201,
           errors=(403, 409, 422),
           summary="Onboard a reseller; its administrator gets a welcome e-mail with a "
                   "set-PIN link")
def onboard_reseller(ctx: Ctx, body: ResellerOnboard) -> Any:
    return ctx.backends.accounts.onboard_reseller(ctx.actor, body.model_dump(mode="json"))


@api.route("GET", "/admin/resellers/{reseller_id}", response=Reseller, errors=(403, 404),
           summary="One reseller (system administrator)")
def get_reseller(ctx: Ctx, reseller_id: str) -> Any:
    return ctx.backends.accounts.get_reseller(ctx.actor, reseller_id)


@api.route("PATCH", "/admin/resellers/{reseller_id}", body=ResellerAdminUpdate,
           response=Reseller, errors=(403, 404, 409, 422),
           summary="Change a reseller: details, host name, chat, PBX information")
def update_reseller(ctx: Ctx, reseller_id: str, body: ResellerAdminUpdate) -> Any:
    return ctx.backends.accounts.update_reseller(
        ctx.actor, reseller_id, body.model_dump(mode="json", exclude_unset=True))


@api.route("POST", "/admin/resellers/{reseller_id}/suspend", response=Reseller,
           errors=(403, 404, 409),
           summary="Suspend a reseller: its users cannot sign in; its subscribers keep "
                   "service; nothing is deleted")
def suspend_reseller(ctx: Ctx, reseller_id: str) -> Any:
    return ctx.backends.accounts.suspend_reseller(ctx.actor, reseller_id)


@api.route("POST", "/admin/resellers/{reseller_id}/reactivate", response=Reseller,
           errors=(403, 404, 409), summary="Reactivate a suspended reseller")
def reactivate_reseller(ctx: Ctx, reseller_id: str) -> Any:
    return ctx.backends.accounts.reactivate_reseller(ctx.actor, reseller_id)


# -- the reseller -----------------------------------------------------------------------------
@api.route("GET", "/reseller/settings", response=ResellerSettings, errors=(403,),
           summary="Your settings, support contact and PBX information")
def get_settings(ctx: Ctx) -> Any:
    return ctx.backends.accounts.get_reseller_settings(ctx.actor)


@api.route("PATCH", "/reseller/settings", body=SettingsUpdate, response=ResellerSettings,
           errors=(403, 422),
           summary="Change your address, administrator e-mail, phone or support contact")
def update_settings(ctx: Ctx, body: SettingsUpdate) -> Any:
    return ctx.backends.accounts.update_reseller_settings(
        ctx.actor, body.model_dump(mode="json", exclude_unset=True))


@api.route("GET", "/reseller/pbx", response=PbxInfo, errors=(403,),
           summary="The PBX and default carrier that handle your calls (read-only)")
def get_pbx(ctx: Ctx) -> Any:
    return ctx.backends.accounts.get_reseller_settings(ctx.actor)["pbx"]


@api.route("GET", "/reseller/branding", response=Branding, errors=(403,),
           summary="Your subscriber portal's brand")
def get_branding(ctx: Ctx) -> Any:
    return ctx.backends.accounts.get_reseller_branding(ctx.actor)


@api.route("PUT", "/reseller/branding", body=BrandingUpdate, response=Branding,
           errors=(403, 422),
           summary="Portal name, colours (checked for contrast) and chat widget")
def put_branding(ctx: Ctx, body: BrandingUpdate) -> Any:
    return ctx.backends.accounts.update_reseller_branding(
        ctx.actor, body.model_dump(mode="json", exclude_unset=True))


def _upload(ctx: Ctx, kind: str) -> Any:
    return ctx.backends.accounts.set_branding_image(ctx.actor, kind,
                                                    as_payload(image_bytes(ctx.request)))


@api.route("PUT", "/reseller/branding/logo", response=Branding, raw_body=UPLOAD_BODY,
           upload=True, errors=(400, 403, 413, 415, 422),
           summary="Upload the logo (PNG, JPEG, WebP or ICO; re-encoded as PNG)")
def put_logo(ctx: Ctx) -> Any:
    return _upload(ctx, "logo")


@api.route("DELETE", "/reseller/branding/logo", response=Branding, errors=(403,),
           summary="Remove the logo")
def delete_logo(ctx: Ctx) -> Any:
    return ctx.backends.accounts.remove_branding_image(ctx.actor, "logo")


@api.route("PUT", "/reseller/branding/favicon", response=Branding, raw_body=UPLOAD_BODY,
           upload=True, errors=(400, 403, 413, 415, 422),
           summary="Upload the favicon (PNG, JPEG, WebP or ICO; re-encoded as PNG)")
def put_favicon(ctx: Ctx) -> Any:
    return _upload(ctx, "favicon")


@api.route("DELETE", "/reseller/branding/favicon", response=Branding, errors=(403,),
           summary="Remove the favicon")
def delete_favicon(ctx: Ctx) -> Any:
    return ctx.backends.accounts.remove_branding_image(ctx.actor, "favicon")


@api.route("PUT", "/reseller/setup", body=WizardUpdate, response=ResellerSettings,
           errors=(403, 422), summary="Where the set-up wizard resumes; done ends it")
def put_setup(ctx: Ctx, body: WizardUpdate) -> Any:
    return ctx.backends.accounts.set_wizard_step(ctx.actor, body.model_dump())
