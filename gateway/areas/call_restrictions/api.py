"""Call restrictions in the JSON API: the reseller's and each customer's rules, the PBX
tokens of the system administrator, and the PBX's /pbx/v1/authorize endpoint.

Every call goes to the routing_policy service with the actor; the service checks scope.
"""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel
from werkzeug.wrappers import Response

from sbcommon.config import env
from sbcommon.contracts.routing_policy import (
    AuthorizeQuery,
    Decision,
    DefaultUpdate,
    NumberTestQuery,
    PbxToken,
    PbxTokenCreate,
    PbxTokenCreated,
    PbxTokenList,
    Rule,
    RuleCreate,
    RuleList,
)
from sbcommon.errors import Unavailable

from ...framework.context import Ctx
from ...framework.http import json_response
from ...framework.routing import Router
from .pbx_fallback import FALLBACKS

# A call waits for this answer: past it, the PBX gets the fallback decision (503).
PBX_TIMEOUT = float(env("SB_PBX_TIMEOUT_SECONDS", "2"))

api = Router()
# The PBX's own door: not under /api/v1 (no user session; a PBX token instead).
pbx = Router()


class DefaultAction(BaseModel):
    default: str
    when_unavailable: str


# -- reseller level -----------------------------------------------------------------------
@api.route("GET", "/call-restrictions", response=RuleList, errors=(403,),
           summary="The reseller's call restrictions for all its customers, and its default")
def list_reseller_rules(ctx: Ctx) -> Any:
    return ctx.backends.routing_policy.list_rules(ctx.actor)


@api.route("POST", "/call-restrictions", body=RuleCreate, response=Rule, status=201,
           errors=(403, 409, 422), summary="Add a reseller-level rule (allow or deny)")
def create_reseller_rule(ctx: Ctx, body: RuleCreate) -> Any:
    return ctx.backends.routing_policy.create_rule(ctx.actor, body.model_dump())


@api.route("PUT", "/call-restrictions/default", body=DefaultUpdate, response=DefaultAction,
           errors=(403, 422), summary="What happens when no rule matches (allow unless set)")
def set_default_action(ctx: Ctx, body: DefaultUpdate) -> Any:
    return ctx.backends.routing_policy.set_default(ctx.actor, body.model_dump())


@api.route("DELETE", "/call-restrictions/{rule_id}", status=204, errors=(403, 404),
           summary="Delete a reseller-level rule")
def delete_reseller_rule(ctx: Ctx, rule_id: str) -> Response:
    ctx.backends.routing_policy.delete_rule(ctx.actor, rule_id)
    return Response(status=204)


# -- customer level -----------------------------------------------------------------------
@api.route("GET", "/customers/{customer_id}/call-restrictions", response=RuleList,
           errors=(404,), summary="One customer's own call restrictions")
def list_customer_rules(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.routing_policy.list_rules(ctx.actor, customer_id)


@api.route("POST", "/customers/{customer_id}/call-restrictions", body=RuleCreate,
           response=Rule, status=201, errors=(403, 404, 409, 422),
           summary="Add a rule for one customer (beats the reseller's rules)")
def create_customer_rule(ctx: Ctx, customer_id: str, body: RuleCreate) -> Any:
    return ctx.backends.routing_policy.create_rule(ctx.actor, body.model_dump(), customer_id)


@api.route("DELETE", "/customers/{customer_id}/call-restrictions/{rule_id}", status=204,
           errors=(403, 404), summary="Delete a customer-level rule")
def delete_customer_rule(ctx: Ctx, customer_id: str, rule_id: str) -> Response:
    ctx.backends.routing_policy.delete_rule(ctx.actor, rule_id, customer_id)
    return Response(status=204)


@api.route("GET", "/customers/{customer_id}/call-restrictions/test", query=NumberTestQuery,
           response=Decision, errors=(404,),
           summary="Test a number: the decision, the E.164 number, which rule and why")
def test_number(ctx: Ctx, customer_id: str, query: NumberTestQuery) -> Any:
    return ctx.backends.routing_policy.test_number(ctx.actor, customer_id, query.model_dump())


# -- PBX tokens (system administrator) ------------------------------------------------------
@api.route("POST", "/pbx-tokens", body=PbxTokenCreate, response=PbxTokenCreated, status=201,
           errors=(403, 422), summary="Create a PBX token (shown once; only its hash is kept)")
def create_pbx_token(ctx: Ctx, body: PbxTokenCreate) -> Any:
    return ctx.backends.routing_policy.create_pbx_token(ctx.actor, body.model_dump())


@api.route("GET", "/pbx-tokens", response=PbxTokenList, errors=(403,),
           summary="PBX tokens (never the secrets)")
def list_pbx_tokens(ctx: Ctx) -> Any:
    return ctx.backends.routing_policy.list_pbx_tokens(ctx.actor)


@api.route("DELETE", "/pbx-tokens/{token_id}", response=PbxToken, errors=(403, 404),
           summary="Revoke a PBX token")
def revoke_pbx_token(ctx: Ctx, token_id: str) -> Any:
    return ctx.backends.routing_policy.revoke_pbx_token(ctx.actor, token_id)


# -- the PBX (token: a PBX token, checked by the service) ----------------------------------
@pbx.route("GET", "/authorize", query=AuthorizeQuery, response=Decision, auth=False,
           token=True, errors=(401, 404, 503),
           summary="May this customer call this dialled number? (503: call restrictions are "
                   "unavailable; the body still carries the fallback decision)")
def authorize(ctx: Ctx, query: AuthorizeQuery) -> Any:
    assert ctx.token is not None
    # The client is a TimedProxy: the PBX waits less than a page would.
    policy = cast(Any, ctx.backends.routing_policy).within(PBX_TIMEOUT)
    try:
        answer = policy.authorize(ctx.token, query.model_dump())
    except Unavailable as exc:
        decision = FALLBACKS.decide(ctx.token, query.customer, query.caller, query.dialed,
                                    query.sip_user)
        headers = {"Retry-After": str(exc.details.get("retry_after", 5))}
        return json_response({**decision, "kind": query.kind}, 503, headers)
    FALLBACKS.remember(ctx.token, query.customer, query.caller, answer, query.sip_user)
    return answer


@pbx.route("GET", "/echo", auth=False, token=True, errors=(401,),
           summary="Connectivity check: the query string back, through the service")
def echo(ctx: Ctx) -> Any:
    # The token is checked like authorize's: an unknown one is a 401, not an echo.
    return ctx.backends.routing_policy.echo(dict(ctx.request.args), ctx.token)
