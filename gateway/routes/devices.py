"""IP phones (F70–F74): a customer's devices and its boot configuration, in the API and the
portal. The provisioning service enforces tenant scope from the actor on every call."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from werkzeug.wrappers import Response

from sbcommon.contracts.provisioning import (
    Device,
    DeviceCreate,
    DeviceList,
    DeviceModelList,
    DeviceUpdate,
    ProvisioningInfo,
)
from sbcommon.errors import SwitchboardError, invalid_from_pydantic

from ..api import api
from ..portal.views import CUSTOMER_TABS, FLASH_KEYS, NavItem, Page, field_errors, portal
from ..web import Ctx

TAG = ("devices",)


# -- API ----------------------------------------------------------------------------------
@api.route("GET", "/device-models", response=DeviceModelList, tags=TAG,
           summary="Phone models that can be provisioned")
def list_models(ctx: Ctx) -> Any:
    ctx.actor  # noqa: B018  (signed-in users only)
    return ctx.backends.provisioning.list_models()


@api.route("GET", "/customers/{customer_id}/devices", response=DeviceList, errors=(404,),
           tags=TAG, summary="A customer's IP phones")
def list_devices(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.provisioning.list_devices(ctx.actor, customer_id)


@api.route("POST", "/customers/{customer_id}/devices", body=DeviceCreate, response=Device,
           status=201, errors=(404, 409, 422), tags=TAG,
           summary="Add an IP phone (name, MAC address, model, line)")
def create_device(ctx: Ctx, customer_id: str, body: DeviceCreate) -> Any:
    return ctx.backends.provisioning.create_device(ctx.actor, customer_id,
                                                   body.model_dump(exclude_unset=True))


@api.route("GET", "/customers/{customer_id}/devices/{device_id}", response=Device,
           errors=(404,), tags=TAG, summary="One IP phone")
def get_device(ctx: Ctx, customer_id: str, device_id: str) -> Any:
    return ctx.backends.provisioning.get_device(ctx.actor, customer_id, device_id)


@api.route("PATCH", "/customers/{customer_id}/devices/{device_id}", body=DeviceUpdate,
           response=Device, errors=(404, 409, 422), tags=TAG, summary="Change an IP phone")
def update_device(ctx: Ctx, customer_id: str, device_id: str, body: DeviceUpdate) -> Any:
    return ctx.backends.provisioning.update_device(ctx.actor, customer_id, device_id,
                                                   body.model_dump(exclude_unset=True))


@api.route("DELETE", "/customers/{customer_id}/devices/{device_id}", status=204,
           errors=(404,), tags=TAG,
           summary="Remove an IP phone (its file disappears at once)")
def delete_device(ctx: Ctx, customer_id: str, device_id: str) -> Response:
    ctx.backends.provisioning.delete_device(ctx.actor, customer_id, device_id)
    return Response(status=204)


@api.route("GET", "/customers/{customer_id}/provisioning", response=ProvisioningInfo,
           errors=(403, 404), tags=TAG,
           summary="Boot configuration: FTP URL, identifier, password and HTTP URL")
def get_provisioning(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.provisioning.get_provisioning(ctx.actor, customer_id)


@api.route("POST", "/customers/{customer_id}/provisioning/rotate", response=ProvisioningInfo,
           errors=(403, 404, 409), tags=TAG,
           summary="Give the customer's FTP/HTTP account a new password")
def rotate_provisioning(ctx: Ctx, customer_id: str) -> Any:
    return ctx.backends.provisioning.rotate_provisioning(ctx.actor, customer_id)


# -- portal -------------------------------------------------------------------------------
CUSTOMER_TABS.append(NavItem("/devices", "tab.devices", order=20))
CUSTOMER_TABS.append(NavItem("/boot-configuration", "tab.boot_configuration",
                             ("admin", "reseller"), order=30))
FLASH_KEYS.update({"devices.created", "devices.saved", "devices.deleted", "boot.rotated"})

FORM_KEYS = ("name", "mac", "model", "display_name", "number")


def _form(page: Page) -> dict[str, str]:
    form = page.request.form
    return {k: form.get(k, "").strip()[:200] for k in FORM_KEYS}


def _payload(values: dict[str, str], partial: bool) -> dict[str, Any]:
    # An empty optional field means "none"; on edit, name/MAC/model are always sent.
    payload: dict[str, Any] = {k: v for k, v in values.items() if v}
    if partial:
        payload.update({k: (values[k] or None) for k in ("display_name", "number")})
    return payload


def _devices_page(page: Page, customer_id: str, status: int = 200, **values: Any) -> Response:
    actor = page.ctx.actor
    customer = page.accounts.get_customer(actor, customer_id)
    listing = page.ctx.backends.provisioning.list_devices(actor, customer_id)
    models = page.ctx.backends.provisioning.list_models()["items"]
    values.setdefault("values", {})
    values.setdefault("errors", {})
    return page.render("devices.html", status=status, customer=customer, devices=listing,
                       models=models, **values)


@portal.route("GET", "/customers/{customer_id}/devices")
def devices_page(page: Page, customer_id: str) -> Response:
    return _devices_page(page, customer_id)


@portal.route("POST", "/customers/{customer_id}/devices")
def devices_create(page: Page, customer_id: str) -> Response:
    values = _form(page)
    try:
        payload = DeviceCreate.model_validate(_payload(values, partial=False))
        page.ctx.backends.provisioning.create_device(
            page.ctx.actor, customer_id, payload.model_dump(exclude_unset=True))
    except ValidationError as exc:
        return _devices_page(page, customer_id, 422, values=values,
                             errors=field_errors(invalid_from_pydantic(exc)),
                             error=page.t("error.form"))
    except SwitchboardError as exc:
        if exc.status not in (409, 422):
            raise
        return _devices_page(page, customer_id, exc.status, values=values,
                             errors=field_errors(exc), error=exc.message)
    return page.redirect(f"/customers/{customer_id}/devices", flash="devices.created",
                         name=values["name"])


def _edit_page(page: Page, customer_id: str, device: dict[str, Any], status: int = 200,
               **values: Any) -> Response:
    customer = page.accounts.get_customer(page.ctx.actor, customer_id)
    models = page.ctx.backends.provisioning.list_models()["items"]
    values.setdefault("values", device)
    values.setdefault("errors", {})
    return page.render("devices_edit.html", status=status, customer=customer, device=device,
                       models=models, **values)


@portal.route("GET", "/customers/{customer_id}/devices/{device_id}")
def device_edit(page: Page, customer_id: str, device_id: str) -> Response:
    device = page.ctx.backends.provisioning.get_device(page.ctx.actor, customer_id, device_id)
    return _edit_page(page, customer_id, device)


@portal.route("POST", "/customers/{customer_id}/devices/{device_id}")
def device_update(page: Page, customer_id: str, device_id: str) -> Response:
    backend = page.ctx.backends.provisioning
    device = backend.get_device(page.ctx.actor, customer_id, device_id)
    values = _form(page)
    try:
        payload = DeviceUpdate.model_validate(_payload(values, partial=True))
        backend.update_device(page.ctx.actor, customer_id, device_id,
                              payload.model_dump(exclude_unset=True))
    except ValidationError as exc:
        return _edit_page(page, customer_id, device, 422, values=values,
                          errors=field_errors(invalid_from_pydantic(exc)),
                          error=page.t("error.form"))
    except SwitchboardError as exc:
        if exc.status not in (409, 422):
            raise
        return _edit_page(page, customer_id, device, exc.status, values=values,
                          errors=field_errors(exc), error=exc.message)
    return page.redirect(f"/customers/{customer_id}/devices", flash="devices.saved")


@portal.route("POST", "/customers/{customer_id}/devices/{device_id}/delete")
def device_delete(page: Page, customer_id: str, device_id: str) -> Response:
    page.ctx.backends.provisioning.delete_device(page.ctx.actor, customer_id, device_id)
    return page.redirect(f"/customers/{customer_id}/devices", flash="devices.deleted")


@portal.route("GET", "/customers/{customer_id}/boot-configuration")
def boot_configuration(page: Page, customer_id: str) -> Response:
    actor = page.ctx.actor
    customer = page.accounts.get_customer(actor, customer_id)
    info = page.ctx.backends.provisioning.get_provisioning(actor, customer_id)
    return page.render("devices_boot.html", customer=customer, info=info)


@portal.route("POST", "/customers/{customer_id}/boot-configuration/rotate")
def boot_rotate(page: Page, customer_id: str) -> Response:
    page.ctx.backends.provisioning.rotate_provisioning(page.ctx.actor, customer_id)
    return page.redirect(f"/customers/{customer_id}/boot-configuration", flash="boot.rotated")
