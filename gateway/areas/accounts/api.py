"""Accounts in the JSON API: sign-in, sessions, passwords and customer accounts."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sbcommon.contracts.accounts import (
    Customer,
    CustomerCreate,
    CustomerPage,
    CustomerQuery,
    CustomerUpdate,
    ForgotRequest,
    LoginRequest,
    LoginResponse,
    PasswordChange,
    PasswordReset,
    SessionInfo,
)

from ...framework.api import Accepted
from ...framework.context import Ctx
from ...framework.routing import Router

api = Router()


@api.route("POST", "/auth/login", body=LoginRequest, response=LoginResponse, auth=False,
           errors=(401, 403, 429),
           summary="Sign in with identifier or e-mail and password/PIN (403 "
                   "account_suspended: the subscriber's account is suspended)")
def login(ctx: Ctx, body: LoginRequest) -> Any:
    return ctx.backends.accounts.login(body.model_dump(), ctx.client_ip)


@api.route("POST", "/auth/logout", status=204, summary="End the current session")
def logout(ctx: Ctx) -> Response:
    ctx.backends.accounts.logout(ctx.session_token)
    return Response(status=204)


@api.route("GET", "/auth/session", response=SessionInfo, summary="Who is signed in")
def session_info(ctx: Ctx) -> Any:
    assert ctx.session is not None
    return {k: ctx.session.get(k) for k in ("user", "actor", "idle_timeout", "expires_at",
                                            "support", "customer_locked")}


@api.route("POST", "/auth/password", body=PasswordChange, status=204, errors=(422, 429),
           summary="Change one's own password (the current one is required)")
def change_password(ctx: Ctx, body: PasswordChange) -> Response:
    ctx.backends.accounts.change_password(ctx.session_token, body.model_dump())
    return Response(status=204)


@api.route("POST", "/auth/forgot", body=ForgotRequest, response=Accepted, status=202,
           auth=False, summary="Send a single-use link to choose a new password")
def forgot(ctx: Ctx, body: ForgotRequest) -> Any:
    ctx.backends.accounts.request_password_reset(body.model_dump(), ctx.client_ip)
    return Accepted(message="if an account matches, a link to choose a new password is on "
                            "its way by e-mail")


@api.route("POST", "/auth/reset", body=PasswordReset, status=204, auth=False, errors=(422,),
           summary="Choose a new password with a reset link's token")
def reset(ctx: Ctx, body: PasswordReset) -> Response:
    ctx.backends.accounts.reset_password(body.model_dump())
    return Response(status=204)


@api.route("GET", "/customers", query=CustomerQuery, response=CustomerPage,
           summary="List customer accounts (search, filter, sort, page)")
def list_customers(ctx: Ctx, query: CustomerQuery) -> Any:
    return ctx.backends.accounts.list_customers(ctx.actor, query.model_dump())


@api.route("POST", "/customers", body=CustomerCreate, response=Customer, status=201,
           errors=(409, 422), summary="Create a company or professional account")
def create_customer(ctx: Ctx, body: CustomerCreate) -> Any:
    return ctx.backends.accounts.create_customer(ctx.actor, body.model_dump(mode="json"))


@api.route("GET", "/customers/{customer_id}", response=Customer, errors=(404,),
           summary="One customer account")
def get_customer(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.accounts.get_customer(ctx.actor, customer_id)


@api.route("PATCH", "/customers/{customer_id}", body=CustomerUpdate, response=Customer,
           errors=(404, 409, 422), summary="Change a customer account or its status")
def update_customer(ctx: Ctx, customer_id: str, body: CustomerUpdate) -> Any:
    return ctx.backends.accounts.update_customer(
        ctx.actor, customer_id, body.model_dump(mode="json", exclude_unset=True))


@api.route("DELETE", "/customers/{customer_id}", response=Customer, errors=(404, 409),
           summary="Close a customer account (soft: data kept, status closed)")
def close_customer(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.accounts.close_customer(ctx.actor, customer_id)


@api.route("POST", "/customers/{customer_id}/reopen", response=Customer, errors=(403, 404, 409),
           summary="Reopen a closed account (system administrator only)")
def reopen_customer(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.accounts.reopen_customer(ctx.actor, customer_id)

