"""Portal pages of an account's users: the Users tab of a customer's page, for its reseller
and for the account's administrators (in the reseller's brand on the subscriber portal);
a plain user sees itself there. The accounts service decides who may do what."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sbcommon.contracts.accounts import AccountUserCreate, AccountUserUpdate

from ...framework.forms import Form
from ...framework.portal import Page
from ...framework.routing import Router

pages = Router()

FORM_KEYS = ("first_name", "last_name", "display_name", "email", "extension",
             "account_role", "language", "send_access_codes")
# The service words errors in English; those a person typing causes are shown translated.
FIELD_MESSAGES = {"extension": "users.error.extension", "email": "users.error.email"}


def _plain(page: Page) -> bool:
    return page.actor.get("role") == "customer" and page.actor.get("account_role") == "user"


def _payload(values: dict[str, str], partial: bool) -> dict[str, Any]:
    keys = [k for k in FORM_KEYS if k != "send_access_codes"]
    payload: dict[str, Any] = {k: values[k] for k in keys if values.get(k)}
    if partial:  # an emptied optional field removes it
        payload.update({k: values.get(k) or None
                        for k in ("first_name", "last_name", "extension")})
    return payload


@pages.route("GET", "/customers/{customer_id}/users")
def users_page(page: Page, customer_id: str, status: int = 200, **values: Any) -> Response:
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    accounts = page.backends.accounts
    if _plain(page):
        me = accounts.get_account_user(page.actor, customer_id, page.actor["user_id"])
        return page.render("users.html", status=status, customer=customer,
                           listing={"items": [me], "total": 1}, manage=False,
                           values={}, errors={})
    q = page.request.args.get("q", "")[:100]
    listing = accounts.list_account_users(page.actor, customer_id,
                                          {"q": q or None, "per_page": 500})
    values["values"] = values.get("values") or {"account_role": "user",
                                                "language": customer["language"]}
    values["errors"] = values.get("errors") or {}
    return page.render("users.html", status=status, customer=customer, listing=listing,
                       manage=True, q=q, **values)


@pages.route("POST", "/customers/{customer_id}/users",
             form=Form(users_page, fields=FORM_KEYS, max_length=254, messages=FIELD_MESSAGES))
def users_create(page: Page, customer_id: str, values: dict[str, str]) -> Response:
    payload = AccountUserCreate.model_validate(_payload(values, partial=False))
    made = page.backends.accounts.create_account_user(
        page.actor, customer_id, payload.model_dump(mode="json", exclude_unset=True),
        values.get("send_access_codes") == "on")
    return page.redirect(f"/customers/{customer_id}/users", flash="users.created",
                         name=made["display_name"])


@pages.route("GET", "/customers/{customer_id}/users/{user_id}")
def user_edit(page: Page, customer_id: str, user_id: str, status: int = 200,
              **values: Any) -> Response:
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    person = page.backends.accounts.get_account_user(page.actor, customer_id, user_id)
    values["values"] = values.get("values") or person
    values["errors"] = values.get("errors") or {}
    return page.render("user_edit.html", status=status, customer=customer, person=person,
                       manage=not _plain(page), **values)


@pages.route("POST", "/customers/{customer_id}/users/{user_id}",
             form=Form(user_edit, fields=FORM_KEYS, max_length=254, messages=FIELD_MESSAGES))
def user_update(page: Page, customer_id: str, user_id: str, values: dict[str, str]
                ) -> Response:
    payload = AccountUserUpdate.model_validate(_payload(values, partial=True))
    page.backends.accounts.update_account_user(
        page.actor, customer_id, user_id, payload.model_dump(mode="json", exclude_unset=True))
    return page.redirect(f"/customers/{customer_id}/users", flash="users.saved")


@pages.route("POST", "/customers/{customer_id}/users/{user_id}/delete")
def user_delete(page: Page, customer_id: str, user_id: str) -> Response:
    page.backends.accounts.delete_account_user(page.actor, customer_id, user_id)
    return page.redirect(f"/customers/{customer_id}/users", flash="users.deleted")


@pages.route("POST", "/customers/{customer_id}/users/{user_id}/access-codes")
def user_access_codes(page: Page, customer_id: str, user_id: str) -> Response:
    sent = page.backends.accounts.issue_user_access_codes(page.actor, customer_id, user_id)
    return page.redirect(f"/customers/{customer_id}/users/{user_id}",
                         flash="users.codes_sent", email=sent["email"])
