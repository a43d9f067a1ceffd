"""Portal pages of call restrictions: the reseller's page and each customer's tab, with the
"test a number" box. Same RPCs as the API; the service checks scope."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sbcommon.errors import Invalid

from ...framework.forms import Form
from ...framework.portal import Page
from ...framework.routing import RESELLER, Router

pages = Router()

MATCHES = ("destination", "prefix", "country", "category")
CATEGORIES = ("international", "premium_rate", "toll_free", "satellite")
RULE_FIELDS = ("action", "match", "value", "note")


def _test(page: Page, customer_id: str) -> tuple[dict[str, Any] | None, str | None]:
    dialed = page.request.args.get("dialed", "")
    if not dialed:
        return None, None
    try:
        return page.backends.routing_policy.test_number(
            page.actor, customer_id, {"dialed": dialed[:64], "kind": "direct"}), None
    except Invalid as exc:
        return None, exc.message


# -- reseller page ------------------------------------------------------------------------
@pages.route("GET", "/call-restrictions", roles=RESELLER)
def reseller_rules(page: Page, status: int = 200, **values: Any) -> Response:
    listing = page.backends.routing_policy.list_rules(page.actor)
    values["values"] = values.get("values") or {"action": "deny", "match": "country"}
    return page.render("call_restrictions.html", status=status, listing=listing,
                       matches=MATCHES, categories=CATEGORIES, base="/call-restrictions",
                       **values)


@pages.route("POST", "/call-restrictions",
             form=Form(reseller_rules, fields=RULE_FIELDS, max_length=200))
def reseller_rule_add(page: Page, values: dict[str, str]) -> Response:
    page.backends.routing_policy.create_rule(page.actor, values)
    return page.redirect("/call-restrictions", flash="cr.added")


@pages.route("POST", "/call-restrictions/default")
def reseller_default(page: Page) -> Response:
    form = page.request.form
    choice = {"action": form.get("action", "")}
    if form.get("when_unavailable"):
        choice["when_unavailable"] = form["when_unavailable"]
    page.backends.routing_policy.set_default(page.actor, choice)
    return page.redirect("/call-restrictions", flash="cr.default_saved")


@pages.route("POST", "/call-restrictions/{rule_id}/delete")
def reseller_rule_delete(page: Page, rule_id: str) -> Response:
    page.backends.routing_policy.delete_rule(page.actor, rule_id)
    return page.redirect("/call-restrictions", flash="cr.deleted")


# -- customer tab ---------------------------------------------------------------------------
@pages.route("GET", "/customers/{customer_id}/call-restrictions")
def customer_rules(page: Page, customer_id: str, status: int = 200, **values: Any
                   ) -> Response:
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    listing = page.backends.routing_policy.list_rules(page.actor, customer_id)
    decision, test_error = _test(page, customer_id)
    values["values"] = values.get("values") or {"action": "allow", "match": "prefix"}
    return page.render("call_restrictions_customer.html", status=status, customer=customer,
                       listing=listing, matches=MATCHES, categories=CATEGORIES,
                       base=f"/customers/{customer_id}/call-restrictions", decision=decision,
                       test_error=test_error, dialed=page.request.args.get("dialed", "")[:64],
                       **values)


@pages.route("POST", "/customers/{customer_id}/call-restrictions",
             form=Form(customer_rules, fields=RULE_FIELDS, max_length=200,
                       on=(403, 409, 422)))
def customer_rule_add(page: Page, customer_id: str, values: dict[str, str]) -> Response:
    page.backends.routing_policy.create_rule(page.actor, values, customer_id)
    return page.redirect(f"/customers/{customer_id}/call-restrictions", flash="cr.added")


@pages.route("POST", "/customers/{customer_id}/call-restrictions/{rule_id}/delete")
def customer_rule_delete(page: Page, customer_id: str, rule_id: str) -> Response:
    page.backends.routing_policy.delete_rule(page.actor, rule_id, customer_id)
    return page.redirect(f"/customers/{customer_id}/call-restrictions", flash="cr.deleted")
