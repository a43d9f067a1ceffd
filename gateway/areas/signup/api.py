"""Sign-up links (a reseller's) and the public sign-up in the JSON API."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sbcommon.contracts.signup import (
    FormToken,
    PublicSignup,
    SignupAccepted,
    SignupLink,
    SignupLinkCreate,
    SignupLinkList,
)
from sbcommon.errors import Invalid

from ...framework.context import Ctx
from ...framework.routing import RESELLER, Router
from . import flow

api = Router()


def check_offer(ctx: Ctx, body: SignupLinkCreate) -> None:
    """A link pre-selects only a plan the reseller offers and a promotion enabled for it
    (the catalogue owns both; accounts stores the link)."""
    if body.plan_id is not None:
        offered = {i["item_id"] for i in ctx.backends.catalogue.get_offer(ctx.actor)["items"]
                   if i["offered"] and i["kind"] == "plan"}
        if body.plan_id not in offered:
            raise Invalid("plan_id is not one of the plans you offer",
                          [{"field": "plan_id", "message": "not offered"}])
    if body.promotion_id is not None:
        enabled = {p["id"] for p in ctx.backends.catalogue.list_promotions(ctx.actor)["items"]}
        if body.promotion_id not in enabled:
            raise Invalid("promotion_id is not a promotion enabled for you",
                          [{"field": "promotion_id", "message": "not enabled"}])


@api.route("GET", "/signup-links", roles=RESELLER, response=SignupLinkList,
           summary="Your sign-up links and custom links")
def list_links(ctx: Ctx) -> Any:
    return ctx.backends.accounts.list_signup_links(ctx.actor)


@api.route("POST", "/signup-links", roles=RESELLER, body=SignupLinkCreate,
           response=SignupLink, status=201, errors=(422,),
           summary="Create a signed sign-up link (company or professional, optionally with "
                   "a plan and a promotion) or a custom link for the subscriber portal")
def create_link(ctx: Ctx, body: SignupLinkCreate) -> Any:
    check_offer(ctx, body)
    return ctx.backends.accounts.create_signup_link(ctx.actor, body.model_dump(mode="json"))


@api.route("DELETE", "/signup-links/{link_id}", roles=RESELLER, status=204, errors=(404,),
           summary="Revoke a link: a revoked sign-up link is refused")
def revoke_link(ctx: Ctx, link_id: str) -> Response:
    ctx.backends.accounts.revoke_signup_link(ctx.actor, link_id)
    return Response(status=204)


@api.route("GET", "/public/signup/form-token", auth=False, response=FormToken,
           summary="A timestamp to send with a sign-up (no sign-in; sign-ups sent sooner "
                   "than a few seconds after it are refused)")
def form_token(ctx: Ctx) -> Any:
    return {"form_token": flow.form_token(), "min_seconds": ctx.settings.signup_min_seconds}


@api.route("POST", "/public/signup", auth=False, body=PublicSignup, response=SignupAccepted,
           status=202, errors=(404, 409, 422, 429),
           summary="Start a sign-up through a reseller's link (no sign-in): the address "
                   "receives a link to confirm it; nothing is created before")
def public_signup(ctx: Ctx, body: PublicSignup) -> Any:
    flow.start(ctx, body)
    return {"message": flow.ACCEPTED}
