"""Portal pages of call restrictions: the reseller's page and each customer's tab, with the
"test a number" box (F40–F44). Same RPCs as the API; the service checks scope."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sbcommon.errors import Invalid, NotFound, SwitchboardError

from ..portal.views import CUSTOMER_TABS, FLASH_KEYS, NAV, NavItem, Page, portal

NAV.append(NavItem("/call-restrictions", "nav.call_restrictions", ("reseller",), order=20))
CUSTOMER_TABS.append(NavItem("/call-restrictions", "tab.call_restrictions",
                             ("admin", "reseller", "customer"), order=40))
FLASH_KEYS.update({"cr.added", "cr.deleted", "cr.default_saved"})

MATCHES = ("destination", "prefix", "country", "category")
CATEGORIES = ("international", "premium_rate", "toll_free", "satellite")


def _policy(page: Page) -> Any:
    return page.ctx.backends.routing_policy


def _rule_form(page: Page) -> dict[str, str]:
    form = page.request.form
    return {k: form.get(k, "").strip()[:200] for k in ("action", "match", "value", "note")}


def _test(page: Page, customer_id: str) -> tuple[dict[str, Any] | None, str | None]:
    dialed = page.request.args.get("dialed", "")
    if not dialed:
        return None, None
    try:
        return _policy(page).test_number(page.ctx.actor, customer_id,
                                         {"dialed": dialed[:64], "kind": "direct"}), None
    except Invalid as exc:
        return None, exc.message


# -- reseller page ------------------------------------------------------------------------
def _reseller_page(page: Page, status: int = 200, **values: Any) -> Response:
    if page.ctx.actor["role"] != "reseller":
        raise NotFound("no such page")
    listing = _policy(page).list_rules(page.ctx.actor)
    values.setdefault("values", {"action": "deny", "match": "country"})
    return page.render("call_restrictions.html", status=status, listing=listing,
                       matches=MATCHES, categories=CATEGORIES, base="/call-restrictions",
                       **values)


@portal.route("GET", "/call-restrictions")
def reseller_rules(page: Page) -> Response:
    return _reseller_page(page)


@portal.route("POST", "/call-restrictions")
def reseller_rule_add(page: Page) -> Response:
    values = _rule_form(page)
    try:
        _policy(page).create_rule(page.ctx.actor, values)
    except SwitchboardError as exc:
        if exc.status not in (409, 422):
            raise
        return _reseller_page(page, status=exc.status, values=values, error=exc.message)
    return page.redirect("/call-restrictions", flash="cr.added")


@portal.route("POST", "/call-restrictions/default")
def reseller_default(page: Page) -> Response:
    form = page.request.form
    choice = {"action": form.get("action", "")}
    if form.get("when_unavailable"):
        choice["when_unavailable"] = form["when_unavailable"]
    _policy(page).set_default(page.ctx.actor, choice)
    return page.redirect("/call-restrictions", flash="cr.default_saved")


@portal.route("POST", "/call-restrictions/{rule_id}/delete")
def reseller_rule_delete(page: Page, rule_id: str) -> Response:
    _policy(page).delete_rule(page.ctx.actor, rule_id)
    return page.redirect("/call-restrictions", flash="cr.deleted")


# -- customer tab ---------------------------------------------------------------------------
def _customer_page(page: Page, customer_id: str, status: int = 200, **values: Any
                   ) -> Response:
    customer = page.accounts.get_customer(page.ctx.actor, customer_id)
    listing = _policy(page).list_rules(page.ctx.actor, customer_id)
    decision, test_error = _test(page, customer_id)
    values.setdefault("values", {"action": "allow", "match": "prefix"})
    return page.render("call_restrictions_customer.html", status=status, customer=customer,
                       listing=listing, matches=MATCHES, categories=CATEGORIES,
                       base=f"/customers/{customer_id}/call-restrictions", decision=decision,
                       test_error=test_error, dialed=page.request.args.get("dialed", "")[:64],
                       **values)


@portal.route("GET", "/customers/{customer_id}/call-restrictions")
def customer_rules(page: Page, customer_id: str) -> Response:
    return _customer_page(page, customer_id)


@portal.route("POST", "/customers/{customer_id}/call-restrictions")
def customer_rule_add(page: Page, customer_id: str) -> Response:
    values = _rule_form(page)
    try:
        _policy(page).create_rule(page.ctx.actor, values, customer_id)
    except SwitchboardError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return _customer_page(page, customer_id, status=exc.status, values=values,
                              error=exc.message)
    return page.redirect(f"/customers/{customer_id}/call-restrictions", flash="cr.added")


@portal.route("POST", "/customers/{customer_id}/call-restrictions/{rule_id}/delete")
def customer_rule_delete(page: Page, customer_id: str, rule_id: str) -> Response:
    _policy(page).delete_rule(page.ctx.actor, rule_id, customer_id)
    return page.redirect(f"/customers/{customer_id}/call-restrictions", flash="cr.deleted")
