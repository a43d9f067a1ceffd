"""The steps a sign-up start goes through in the gateway, the same for the HTML form and
the JSON API: the time trap and the honeypot, the link, the plan, the numbers' hold, then
accounts (which counts the start, and e-mails the address)."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from sbcommon import keys
from sbcommon.contracts.signup import PublicSignup
from sbcommon.errors import Invalid

from ...framework.context import Ctx
from . import timetrap

log = logging.getLogger(__name__)

ACCEPTED = ("if the address can be used, a message is on its way to it: follow its link to "
            "confirm the address and create the account")


def form_token() -> str:
    return timetrap.issue(time.time(), keys.ring())


def check_time_trap(ctx: Ctx, token: str | None) -> None:
    verdict = timetrap.check(token, time.time(), keys.ring(), ctx.settings.signup_min_seconds,
                             ctx.settings.signup_form_max_seconds)
    if verdict == "too_fast":
        raise Invalid("the form was sent too quickly; wait a few seconds and send it again",
                      [{"field": "form_token", "message": "sent too quickly",
                        "reason": verdict}])
    if verdict != "ok":
        raise Invalid("the form is out of date; load it again",
                      [{"field": "form_token", "message": "missing, altered or too old",
                        "reason": verdict}])


def link_of(ctx: Ctx, token: str) -> dict[str, Any]:
    """The live link behind a token (404 for a forged, altered or revoked one)."""
    return ctx.backends.accounts.resolve_signup_link(token)


def offer_of(ctx: Ctx, link: dict[str, Any]) -> dict[str, Any]:
    return ctx.backends.catalogue.public_offer(link["reseller_id"])


def plan_of(offer: dict[str, Any], wanted: str | None) -> dict[str, Any]:
    for plan in offer["plans"]:
        if plan["item_id"] == wanted:
            return plan
    raise Invalid("choose one of the plans offered",
                  [{"field": "plan_id", "message": "not offered"}])


def hold(ctx: Ctx, link: dict[str, Any], hold_key: str, numbers: list[str], seconds: int
         ) -> dict[str, Any]:
    return ctx.backends.numbering.hold_numbers(link["reseller_id"], hold_key, numbers,
                                               seconds, ctx.client_ip)


def start(ctx: Ctx, data: PublicSignup, hold_key: str | None = None) -> bool:
    """Start a sign-up; False when the honeypot caught a robot (it is answered as anyone
    else, so it learns nothing, and nothing happens)."""
    check_time_trap(ctx, data.form_token)
    if data.website.strip():
        log.info("sign-up honeypot filled from %s; ignored", ctx.client_ip)
        return False
    link = link_of(ctx, data.link)
    plan = plan_of(offer_of(ctx, link), data.plan_id or link["plan_id"])
    if data.numbers:
        hold_key = hold_key or str(uuid.uuid4())
        hold(ctx, link, hold_key, data.numbers, ctx.settings.signup_verify_seconds)
    payload = data.model_dump(mode="json", exclude={"form_token", "website"})
    payload.update(plan_id=plan["item_id"], hold_key=hold_key if data.numbers else None)
    ctx.backends.accounts.start_signup(payload, ctx.client_ip)
    return True
