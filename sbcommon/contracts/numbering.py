"""Contracts of the numbering service: request and response bodies of its RPCs and API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from .accounts import Strict

NumberState = Literal["available", "reserved", "assigned", "aging"]
NumberText = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Country = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")
]
AreaCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{1,8}$")]


class NumberAdd(Strict):
    number: NumberText = Field(description="As people write it, with its country code: "
                                           "+1 (514) 555-1212")


class PhoneNumber(BaseModel):
    number: str = Field(description="E.164")
    state: NumberState
    country: str
    area_code: str
    number_type: str
    region: str
    customer_id: str | None
    user_id: str | None = Field(default=None, description="The customer's user who holds "
                                                          "it; null: the account")
    available_at: datetime | None = Field(description="End of the aging period, if aging")
    created_at: datetime
    updated_at: datetime


class NumberQuery(Strict):
    state: NumberState | None = None
    country: Country | None = None
    prefix: Annotated[str, StringConstraints(pattern=r"^\+[0-9]{1,15}$")] | None = Field(
        default=None, description="E.164 prefix, e.g. +1514")
    area_code: AreaCode | None = None
    customer_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    user_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=500)


class NumberPage(BaseModel):
    items: list[PhoneNumber]
    total: int
    page: int
    per_page: int
    pages: int


class NumberRequest(Strict):
    """Either given numbers, or ``count`` numbers matching a country and/or area code."""

    numbers: list[NumberText] | None = Field(default=None, min_length=1, max_length=1000)
    reserve: bool = Field(default=False, description="Hold the given numbers for the "
                                                     "customer instead of assigning them")
    count: int | None = Field(default=None, ge=1, le=100)
    country: Country | None = None
    area_code: AreaCode | None = None

    @model_validator(mode="after")
    def _one_way(self) -> NumberRequest:
        if (self.numbers is None) == (self.count is None):
            raise ValueError("give either numbers or count")
        if self.numbers is not None and (self.country or self.area_code):
            raise ValueError("country and area_code go with count, not with numbers")
        if self.count is not None and self.reserve:
            raise ValueError("reserve goes with given numbers")
        return self


class NumberList(BaseModel):
    numbers: list[PhoneNumber]


class ImportRejection(BaseModel):
    line: int
    text: str
    reason: str = Field(description="letters, invalid, invalid_for_country, no_country_code, "
                                    "too_short, too_long, duplicate_in_file, already_in_pool, "
                                    "not_utf8, line_too_long")
    message: str


class ImportReport(BaseModel):
    import_id: int
    status: Literal["running", "done", "failed"]
    lines_read: int
    added: int
    rejected: int
    rejections: list[ImportRejection] = []
    rejections_truncated: bool = False
    reason: str | None = Field(None, description="Why a failed import stopped")


class PoolSettings(Strict):
    aging_days: int = Field(ge=0, le=365, description="Days a released number rests before "
                                                      "it can be sold again")


class NumberQuotaSet(Strict):
    """How many numbers the customer may hold when it orders them itself; null: the
    platform's default (SB_NUMBER_QUOTA_DEFAULT)."""

    max_numbers: int | None = Field(ge=0, le=100_000)


class NumberQuota(BaseModel):
    customer_id: str
    max_numbers: int
    default: bool = Field(description="true while the reseller has not set one")
    held: int = Field(description="numbers assigned or reserved to the customer now")


class NumberCheck(Strict):
    """Numbers to look up in the pool at once, before using them (an import of users)."""

    numbers: list[Annotated[str, StringConstraints(max_length=64)]] = Field(max_length=1000)
    customer_id: Annotated[str, StringConstraints(max_length=36)] | None = Field(
        default=None, description="Whose numbers count as held")
    country: Country | None = Field(default=None, description="Where national numbers are "
                                                              "written")


class CheckedNumber(BaseModel):
    text: str
    number: str | None = Field(description="E.164, if the text is a number")
    status: Literal["available", "held", "taken", "not_in_pool", "invalid"]
    message: str


class NumberCheckList(BaseModel):
    numbers: list[CheckedNumber]


class NumberHolder(Strict):
    """Which user of the account holds the number; null: the account itself."""

    user_id: Annotated[str, StringConstraints(min_length=36, max_length=36)] | None = Field(
        description="A user of the same customer account (GET /customers/{id}/users)")
