"""Portal pages of IP phones: a customer's devices (add, edit, remove) and its boot
configuration (FTP/HTTP account, new password)."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sbcommon.contracts.provisioning import DeviceCreate, DeviceUpdate

from ...framework.forms import Form
from ...framework.portal import Page
from ...framework.routing import Router

pages = Router()

FORM_KEYS = ("name", "mac", "model", "display_name", "number", "user_id")


def _payload(values: dict[str, str], partial: bool) -> dict[str, Any]:
    # An empty optional field means "none"; on edit, name/MAC/model are always sent.
    payload: dict[str, Any] = {k: v for k, v in values.items() if v}
    if partial:
        payload.update({k: (values[k] or None) for k in ("display_name", "number", "user_id")})
    return payload


def _people(page: Page, customer_id: str) -> list[dict[str, Any]]:
    """The account's users a line may belong to (none for a plain user: it manages none)."""
    if page.actor.get("account_role") == "user":
        return []
    listing = page.backends.accounts.list_account_users(page.actor, customer_id,
                                                        {"per_page": 500})
    return listing["items"]


@pages.route("GET", "/customers/{customer_id}/devices")
def devices_page(page: Page, customer_id: str, status: int = 200, **values: Any) -> Response:
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    listing = page.backends.provisioning.list_devices(page.actor, customer_id)
    models = page.backends.provisioning.list_models()["items"]
    values["values"] = values.get("values") or {}
    values["errors"] = values.get("errors") or {}
    return page.render("devices.html", status=status, customer=customer, devices=listing,
                       models=models, people=_people(page, customer_id), **values)


@pages.route("POST", "/customers/{customer_id}/devices",
             form=Form(devices_page, fields=FORM_KEYS, max_length=200))
def devices_create(page: Page, customer_id: str, values: dict[str, str]) -> Response:
    payload = DeviceCreate.model_validate(_payload(values, partial=False))
    page.backends.provisioning.create_device(page.actor, customer_id,
                                             payload.model_dump(exclude_unset=True))
    return page.redirect(f"/customers/{customer_id}/devices", flash="devices.created",
                         name=values["name"])


@pages.route("GET", "/customers/{customer_id}/devices/{device_id}")
def device_edit(page: Page, customer_id: str, device_id: str, status: int = 200,
                **values: Any) -> Response:
    device = page.backends.provisioning.get_device(page.actor, customer_id, device_id)
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    models = page.backends.provisioning.list_models()["items"]
    values["values"] = values.get("values") or device
    values["errors"] = values.get("errors") or {}
    return page.render("devices_edit.html", status=status, customer=customer, device=device,
                       models=models, people=_people(page, customer_id), **values)


@pages.route("POST", "/customers/{customer_id}/devices/{device_id}",
             form=Form(device_edit, fields=FORM_KEYS, max_length=200))
def device_update(page: Page, customer_id: str, device_id: str, values: dict[str, str]
                  ) -> Response:
    provisioning = page.backends.provisioning
    provisioning.get_device(page.actor, customer_id, device_id)
    payload = DeviceUpdate.model_validate(_payload(values, partial=True))
    provisioning.update_device(page.actor, customer_id, device_id,
                               payload.model_dump(exclude_unset=True))
    return page.redirect(f"/customers/{customer_id}/devices", flash="devices.saved")


@pages.route("POST", "/customers/{customer_id}/devices/{device_id}/delete")
def device_delete(page: Page, customer_id: str, device_id: str) -> Response:
    page.backends.provisioning.delete_device(page.actor, customer_id, device_id)
    return page.redirect(f"/customers/{customer_id}/devices", flash="devices.deleted")


@pages.route("GET", "/customers/{customer_id}/boot-configuration")
def boot_configuration(page: Page, customer_id: str) -> Response:
    customer = page.backends.accounts.get_customer(page.actor, customer_id)
    info = page.backends.provisioning.get_provisioning(page.actor, customer_id)
    return page.render("devices_boot.html", customer=customer, info=info)


@pages.route("POST", "/customers/{customer_id}/boot-configuration/rotate")
def boot_rotate(page: Page, customer_id: str) -> Response:
    page.backends.provisioning.rotate_provisioning(page.actor, customer_id)
    return page.redirect(f"/customers/{customer_id}/boot-configuration", flash="boot.rotated")
