"""Portal pages of organisations: the reseller's list, and each organisation with its member
accounts, the shared directory, and forms to add and remove members, rename and delete."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sbcommon.contracts.accounts import OrganisationCreate, OrganisationUpdate

from ...framework.forms import Form
from ...framework.portal import Page
from ...framework.routing import RESELLER, Router

pages = Router()
# Accounts offered in the "add a member" list (the reseller's first ones by name).
CANDIDATES = 100


@pages.route("GET", "/organisations", roles=RESELLER)
def organisations_page(page: Page, status: int = 200, **values: Any) -> Response:
    listing = page.backends.accounts.list_organisations(page.actor)
    values["values"] = values.get("values") or {}
    values["errors"] = values.get("errors") or {}
    return page.render("organisations.html", status=status, organisations=listing["items"],
                       **values)


@pages.route("POST", "/organisations", roles=RESELLER,
             form=Form(organisations_page, fields=("name",), field="name"))
def organisations_create(page: Page, values: dict[str, str]) -> Response:
    payload = OrganisationCreate.model_validate(values)
    created = page.backends.accounts.create_organisation(page.actor, payload.model_dump())
    return page.redirect(f"/organisations/{created['id']}", flash="org.created",
                         name=created["name"])


def _directory(page: Page, organisation: dict[str, Any]) -> dict[str, Any] | None:
    """The shared directory as the PBX sees it (routing_policy), through the first member;
    none while the organisation is empty."""
    members = [m for m in organisation["members"] if m["status"] != "closed"]
    if not members:
        return None
    return page.backends.routing_policy.get_directory(page.actor, members[0]["customer_id"])


@pages.route("GET", "/organisations/{organisation_id}", roles=RESELLER)
def organisation_page(page: Page, organisation_id: str, status: int = 200, **values: Any
                      ) -> Response:
    organisation = page.backends.accounts.get_organisation(page.actor, organisation_id)
    customers = page.backends.accounts.list_customers(
        page.actor, {"per_page": CANDIDATES, "sort": "name"})["items"]
    candidates = [c for c in customers if not c.get("organisation_id")
                  and c["status"] != "closed"]
    values["values"] = values.get("values") or {"name": organisation["name"]}
    values["errors"] = values.get("errors") or {}
    return page.render("organisation.html", status=status, organisation=organisation,
                       candidates=candidates, directory=_directory(page, organisation),
                       **values)


@pages.route("POST", "/organisations/{organisation_id}", roles=RESELLER,
             form=Form(organisation_page, fields=("name",), field="name"))
def organisation_rename(page: Page, organisation_id: str, values: dict[str, str]) -> Response:
    payload = OrganisationUpdate.model_validate(values)
    page.backends.accounts.update_organisation(page.actor, organisation_id,
                                               payload.model_dump())
    return page.redirect(f"/organisations/{organisation_id}", flash="org.saved")


@pages.route("POST", "/organisations/{organisation_id}/delete", roles=RESELLER)
def organisation_delete(page: Page, organisation_id: str) -> Response:
    page.backends.accounts.delete_organisation(page.actor, organisation_id)
    return page.redirect("/organisations", flash="org.deleted")


@pages.route("POST", "/organisations/{organisation_id}/members", roles=RESELLER,
             form=Form(organisation_page, fields=("customer_id",), field="customer_id"))
def member_add(page: Page, organisation_id: str, values: dict[str, str]) -> Response:
    page.backends.accounts.add_organisation_member(page.actor, organisation_id,
                                                   values["customer_id"])
    return page.redirect(f"/organisations/{organisation_id}", flash="org.member_added")


@pages.route("POST", "/organisations/{organisation_id}/members/{customer_id}/delete",
             roles=RESELLER)
def member_remove(page: Page, organisation_id: str, customer_id: str) -> Response:
    page.backends.accounts.remove_organisation_member(page.actor, organisation_id,
                                                      customer_id)
    return page.redirect(f"/organisations/{organisation_id}", flash="org.member_removed")
