"""Direct access, locked settings and the audit log in the JSON API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from werkzeug.wrappers import Response

from sbcommon.contracts.accounts import AuditPage, AuditQuery, DirectAccess, LockState

from ...framework.context import Ctx
from ...framework.routing import STAFF, Router
from ...framework.streams import csv_download

api = Router()


class SupportVisit(BaseModel):
    at: str
    name: str
    role: str


class SupportVisits(BaseModel):
    items: list[SupportVisit]


@api.route("POST", "/customers/{customer_id}/direct-access", response=DirectAccess,
           status=201, roles=STAFF, errors=(404, 409),
           summary="Enter a subscriber's account as its support (at most 30 minutes; every "
                   "action inside is in the audit log)")
def open_direct_access(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.accounts.open_direct_access(ctx.actor, customer_id)


@api.route("PUT", "/customers/{customer_id}/lock", response=LockState, roles=STAFF,
           errors=(404, 409), summary="Lock the subscriber's own changes to its settings")
def lock(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.accounts.set_customer_lock(ctx.actor, customer_id, True)


@api.route("DELETE", "/customers/{customer_id}/lock", response=LockState, roles=STAFF,
           errors=(404, 409), summary="Let the subscriber change its settings again")
def unlock(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.accounts.set_customer_lock(ctx.actor, customer_id, False)


@api.route("GET", "/customers/{customer_id}/support-visits", response=SupportVisits,
           errors=(404,), summary="When support entered the account, and who")
def support_visits(ctx: Ctx, customer_id: str) -> Any:
    return {"items": ctx.backends.accounts.support_visits(ctx.actor, customer_id)}


@api.route("GET", "/audit-log", query=AuditQuery, response=AuditPage, roles=STAFF,
           summary="The audit log: direct access and the actions inside it, locks, status "
                   "changes, access codes, subscriptions changed (newest first)")
def audit_log(ctx: Ctx, query: AuditQuery) -> Any:
    return ctx.backends.accounts.list_audit(ctx.actor, query.model_dump(mode="json"))


@api.route("GET", "/audit-log/export.csv", query=AuditQuery, content_type="text/csv",
           roles=STAFF, summary="The filtered audit log as CSV (every page, oldest first)")
def audit_export(ctx: Ctx, query: AuditQuery) -> Response:
    return audit_csv(ctx, query)


def audit_csv(ctx: Ctx, query: AuditQuery) -> Response:
    accounts, payload = ctx.backends.accounts, query.model_dump(mode="json")
    return csv_download(lambda after: accounts.export_audit(ctx.actor, payload, after),
                        "audit-log.csv")
