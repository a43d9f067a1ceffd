"""Contracts of the public sign-up: a reseller's sign-up and custom links, and what a
visitor sends to start a sign-up (HTML form or JSON API) and to finish it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from .accounts import Country, Email, Identifier, Language, Name, Password, Phone

LinkKind = Literal["company", "professional", "custom"]
# The version of the terms a visitor accepts; a change of the terms is a new version.
TERMS_VERSION = "2026-01"
MAX_NUMBERS = 3

ItemId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=36)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


class SignupLinkCreate(Strict):
    kind: LinkKind = Field(description="company or professional: a sign-up link for that kind "
                                       "of account; custom: a link (label + URL) shown on "
                                       "the subscriber portal")
    plan_id: ItemId | None = Field(default=None, description="A plan the reseller offers, "
                                   "pre-selected by the sign-up link")
    promotion_id: ItemId | None = Field(default=None, description="An enabled promotion "
                                        "applied to the new subscription")
    label: Label | None = Field(default=None, description="Required for a custom link")
    url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        default=None, description="Custom link: an http(s) address")

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(
                ord(c) <= 32 or ord(c) == 127 for c in value):
            raise ValueError("must be an http:// or https:// address")
        return value


class SignupLink(BaseModel):
    id: str
    kind: LinkKind
    plan_id: str | None = None
    promotion_id: str | None = None
    label: str | None = None
    url: str = Field(description="The sign-up address to publish (or the custom URL)")
    created_at: datetime


class SignupLinkList(BaseModel):
    items: list[SignupLink]


class PublicSignup(Strict):
    """What a visitor sends to start a sign-up; nothing is created before its e-mail is
    verified."""

    link: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10,
                                           max_length=200)] = Field(
        description="The token of the reseller's sign-up link")
    form_token: Annotated[str, StringConstraints(max_length=200)] = Field(
        description="From GET /api/v1/public/signup/form-token, at least a few seconds "
                    "old (forms filled faster are refused)")
    plan_id: ItemId | None = Field(default=None, description="One of the reseller's plans; "
                                   "the link's when omitted")
    name: Name
    contact_name: Name | None = None
    email: Email
    identifier: Identifier | None = Field(default=None, description="Preferred sign-in "
                                          "identifier (another is given if it is taken)")
    phone: Phone | None = None
    country: Country
    language: Language = "fr"
    numbers: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        default_factory=list, max_length=MAX_NUMBERS,
        description="Numbers of the reseller's pool (from the sign-up's number search)")
    terms_accepted: bool = Field(description="Must be true")
    website: Annotated[str, StringConstraints(max_length=200)] = Field(
        default="", description="Leave empty (a field people never see)")


class SignupStart(Strict):
    """The start as the gateway hands it to accounts (after the time trap and honeypot)."""

    link: str
    plan_id: str | None = None
    name: Name
    contact_name: Name | None = None
    email: Email
    identifier: Identifier | None = None
    phone: Phone | None = None
    country: Country
    language: Language = "fr"
    numbers: list[str] = Field(default_factory=list, max_length=MAX_NUMBERS)
    hold_key: str | None = Field(default=None, max_length=36)
    terms_accepted: bool


class SignupAccepted(BaseModel):
    message: str
    status: Literal["check_your_email"] = "check_your_email"


class FormToken(BaseModel):
    form_token: str
    min_seconds: int


class SignupComplete(Strict):
    token: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    password: Password
