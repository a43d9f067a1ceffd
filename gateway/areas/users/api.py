"""Users of a customer account in the JSON API. The accounts service enforces who may see
and change them (the reseller, the system administrator, the account's administrators; a
plain user reads only itself)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from sbcommon.contracts.accounts import (
    AccountUser,
    AccountUserCreate,
    AccountUserPage,
    AccountUserQuery,
    AccountUserUpdate,
)
from sbcommon.contracts.notifications import MailQueued

from ...framework.context import Ctx
from ...framework.routing import Router

api = Router()


class AccountUserCreateRequest(AccountUserCreate):
    send_access_codes: bool = Field(
        default=False, description="E-mail the new user its identifier and a single-use "
                                   "link to choose its PIN")


class DeletedAccountUser(AccountUser):
    deleted: bool


@api.route("GET", "/customers/{customer_id}/users", query=AccountUserQuery,
           response=AccountUserPage, errors=(403, 404),
           summary="The users of a customer account (search, page)")
def list_users(ctx: Ctx, customer_id: str, query: AccountUserQuery) -> Any:
    return ctx.backends.accounts.list_account_users(ctx.actor, customer_id, query.model_dump())


@api.route("POST", "/customers/{customer_id}/users", body=AccountUserCreateRequest,
           response=AccountUser, status=201, errors=(403, 404, 409, 422, 429),
           summary="Add a user to a company account (a professional account has one)")
def create_user(ctx: Ctx, customer_id: str, body: AccountUserCreateRequest) -> Any:
    payload = body.model_dump(mode="json", exclude_unset=True, exclude={"send_access_codes"})
    return ctx.backends.accounts.create_account_user(ctx.actor, customer_id, payload,
                                                     body.send_access_codes)


@api.route("GET", "/customers/{customer_id}/users/{user_id}", response=AccountUser,
           errors=(403, 404), summary="One user of a customer account")
def get_user(ctx: Ctx, customer_id: str, user_id: str) -> Any:
    return ctx.backends.accounts.get_account_user(ctx.actor, customer_id, user_id)


@api.route("PATCH", "/customers/{customer_id}/users/{user_id}", body=AccountUserUpdate,
           response=AccountUser, errors=(403, 404, 409, 422),
           summary="Change a user (name, e-mail, extension, role, language)")
def update_user(ctx: Ctx, customer_id: str, user_id: str, body: AccountUserUpdate) -> Any:
    return ctx.backends.accounts.update_account_user(
        ctx.actor, customer_id, user_id, body.model_dump(mode="json", exclude_unset=True))


@api.route("DELETE", "/customers/{customer_id}/users/{user_id}", response=DeletedAccountUser,
           errors=(403, 404, 409),
           summary="Delete a user: its numbers go to aging, its phone lines are removed")
def delete_user(ctx: Ctx, customer_id: str, user_id: str) -> Any:
    return ctx.backends.accounts.delete_account_user(ctx.actor, customer_id, user_id)


@api.route("POST", "/customers/{customer_id}/users/{user_id}/access-codes",
           response=MailQueued, status=202, errors=(403, 404, 409, 429),
           summary="E-mail the user its identifier and a single-use link to choose a PIN")
def send_access_codes(ctx: Ctx, customer_id: str, user_id: str) -> Any:
    result = ctx.backends.accounts.issue_user_access_codes(ctx.actor, customer_id, user_id)
    return MailQueued(message=f"the access codes are on their way to {result['email']}")
