"""Organisations in the JSON API (accounts checks scope: a reseller's own organisations and
accounts only), and the PBX's ``/pbx/v1/directory`` (routing_policy, a PBX token)."""

from __future__ import annotations

from typing import Any, cast

from werkzeug.wrappers import Response

from sbcommon.contracts.accounts import (
    Organisation,
    OrganisationCreate,
    OrganisationList,
    OrganisationUpdate,
)
from sbcommon.contracts.routing_policy import Directory, DirectoryQuery

from ...framework.context import Ctx
from ...framework.routing import RESELLER, Router
from ..call_restrictions.api import PBX_TIMEOUT

api = Router()
pbx = Router()
TAG = ("organisations",)


@api.route("GET", "/organisations", response=OrganisationList, roles=RESELLER, tags=TAG,
           errors=(403,), summary="The reseller's organisations and their member accounts")
def list_organisations(ctx: Ctx) -> Any:
    return ctx.backends.accounts.list_organisations(ctx.actor)


@api.route("POST", "/organisations", body=OrganisationCreate, response=Organisation,
           status=201, roles=RESELLER, tags=TAG, errors=(403, 422),
           summary="Create an organisation (then link accounts into it)")
def create_organisation(ctx: Ctx, body: OrganisationCreate) -> Any:
    return ctx.backends.accounts.create_organisation(ctx.actor, body.model_dump())


@api.route("GET", "/organisations/{organisation_id}", response=Organisation,
           roles=RESELLER, tags=TAG, errors=(404,), summary="One organisation and its members")
def get_organisation(ctx: Ctx, organisation_id: str) -> Any:
    return ctx.backends.accounts.get_organisation(ctx.actor, organisation_id)


@api.route("PATCH", "/organisations/{organisation_id}", body=OrganisationUpdate,
           response=Organisation, roles=RESELLER, tags=TAG, errors=(404, 422),
           summary="Rename an organisation")
def update_organisation(ctx: Ctx, organisation_id: str, body: OrganisationUpdate) -> Any:
    return ctx.backends.accounts.update_organisation(ctx.actor, organisation_id,
                                                     body.model_dump())


@api.route("DELETE", "/organisations/{organisation_id}", status=204, roles=RESELLER,
           tags=TAG, errors=(404,),
           summary="Delete an organisation (its accounts stay, unlinked)")
def delete_organisation(ctx: Ctx, organisation_id: str) -> Response:
    ctx.backends.accounts.delete_organisation(ctx.actor, organisation_id)
    return Response(status=204)


@api.route("PUT", "/organisations/{organisation_id}/members/{customer_id}",
           response=Organisation, roles=RESELLER, tags=TAG, errors=(404, 409),
           summary="Link one of the reseller's accounts (409: already in another "
                   "organisation, or its extensions clash with the members')")
def add_member(ctx: Ctx, organisation_id: str, customer_id: str) -> Any:
    return ctx.backends.accounts.add_organisation_member(ctx.actor, organisation_id,
                                                         customer_id)


@api.route("DELETE", "/organisations/{organisation_id}/members/{customer_id}",
           response=Organisation, roles=RESELLER, tags=TAG, errors=(404,),
           summary="Unlink an account from the organisation")
def remove_member(ctx: Ctx, organisation_id: str, customer_id: str) -> Any:
    return ctx.backends.accounts.remove_organisation_member(ctx.actor, organisation_id,
                                                            customer_id)


# -- the PBX (a PBX token, checked by the service) ------------------------------------------
@pbx.route("GET", "/directory", query=DirectoryQuery, response=Directory, auth=False,
           token=True, errors=(401, 404, 503),
           summary="The directory a customer's users see: its organisation's (users, "
                   "extensions, numbers), or its own when it belongs to none")
def directory(ctx: Ctx, query: DirectoryQuery) -> Any:
    assert ctx.token is not None
    policy = cast(Any, ctx.backends.routing_policy).within(PBX_TIMEOUT)
    return policy.pbx_directory(ctx.token, query.model_dump())
