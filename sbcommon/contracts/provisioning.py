"""Contracts of the provisioning service: request and response bodies of its RPCs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from .accounts import Strict


def _no_control_chars(value: str) -> str:
    # A newline in a name would inject a key into a key = value phone file; C1 controls
    # are refused too (XML 1.0 discourages them and phones print them badly).
    if any(ord(c) < 32 or ord(c) == 127 or 0x80 <= ord(c) < 0xA0 for c in value):
        raise ValueError("must not contain control characters (newlines, tabs, …)")
    return value


DeviceName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_control_chars),
]
MacText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
ModelKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
E164 = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+[1-9][0-9]{6,14}$")]


class DeviceCreate(Strict):
    name: DeviceName
    mac: MacText = Field(description="00:15:65:AB:CD:EF, 00-15-65-ab-cd-ef, 0015.65ab.cdef "
                                     "or 001565abcdef")
    model: ModelKey = Field(description="A key from GET /api/v1/device-models")
    display_name: DeviceName | None = Field(
        default=None, description="The user/line the phone serves, shown on its screen; "
                                  "defaults to its user's name, then the device name.")
    number: E164 | None = Field(
        default=None, description="One of the customer's numbers (E.164) for this line; "
                                  "defaults to its user's first number, then the customer's.")
    user_id: Annotated[str, StringConstraints(min_length=36, max_length=36)] | None = Field(
        default=None, description="The account's user this line belongs to: the phone shows "
                                  "its name and number; deleting the user removes the line.")


class DeviceUpdate(Strict):
    name: DeviceName | None = None
    mac: MacText | None = None
    model: ModelKey | None = None
    display_name: DeviceName | None = None
    number: E164 | None = None
    user_id: Annotated[str, StringConstraints(min_length=36, max_length=36)] | None = Field(
        default=None, description="The account's user this line belongs to; null: none.")

    @model_validator(mode="after")
    def _not_empty(self) -> DeviceUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class Device(BaseModel):
    id: str
    customer_id: str
    name: str
    mac: str = Field(description="12 lowercase hex digits")
    model: str
    model_label: str
    vendor: str
    display_name: str | None
    number: str | None
    user_id: str | None = None
    files: list[str] = Field(description="The files this phone downloads")
    last_provisioned_at: datetime | None
    created_at: datetime
    updated_at: datetime


class DeviceList(BaseModel):
    items: list[Device]
    total: int


class DeviceModel(BaseModel):
    key: str
    vendor: str
    label: str


class DeviceModelList(BaseModel):
    items: list[DeviceModel]


class ProvisioningInfo(BaseModel):
    ftp_url: str
    username: str
    password: str
    http_url: str
    rotated_at: datetime | None = None
