"""IP phones in the JSON API: a customer's devices and its boot configuration. The
provisioning service enforces tenant scope from the actor on every call."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Response

from sbcommon.contracts.provisioning import (
    Device,
    DeviceCreate,
    DeviceList,
    DeviceModelList,
    DeviceUpdate,
    ProvisioningInfo,
)

from ...framework.context import Ctx
from ...framework.routing import Router

api = Router()
TAG = ("devices",)


# -- API ----------------------------------------------------------------------------------
@api.route("GET", "/device-models", response=DeviceModelList, tags=TAG,
           summary="Phone models that can be provisioned")
def list_models(ctx: Ctx) -> Any:
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
