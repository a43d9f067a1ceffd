"""Event payloads exchanged between services (exchange ``<service>.events``).

Every event carries ``event_id`` (uuid, the consumers' de-duplication key),
``event_type`` and ``occurred_at`` (ISO 8601, UTC), plus the tenant ids. These models
document the payloads and let a consumer validate what it receives.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    model_config = ConfigDict(extra="allow")

    event_id: str
    event_type: str
    occurred_at: str
    reseller_id: str


# -- accounts.events ------------------------------------------------------------------------
class ResellerCreated(Event):
    name: str
    email: str
    country: str
    language: Literal["fr", "en"]


class ResellerUpdated(Event):
    """A reseller's whole current state as other services keep it: its brand (mail, PDFs,
    the subscriber portal), its support contact and its PBX (the phones' files)."""

    version: int  # one more at every change of the reseller
    fields: list[str]  # what changed
    name: str
    email: str
    country: str
    language: Literal["fr", "en"]
    status: Literal["active", "suspended"]
    portal_name: str
    primary_color: str  # #rrggbb
    accent_color: str
    support_phone: str | None
    support_email: str | None
    logo_png: str | None  # base64 of the re-encoded PNG (at most 600×200 pixels)
    pbx_name: str | None
    sip_domain: str | None
    sip_proxy: str | None
    default_carrier: str | None


class CustomerEvent(Event):
    """Every customer event carries the account's whole current state and its version."""

    customer_id: str
    kind: Literal["company", "professional"]
    status: str
    name: str
    email: str
    language: Literal["fr", "en"]
    country: str  # ISO 3166-1 alpha-2
    version: int  # one more at every change of the account
    trial_ends_at: str | None = None  # ISO 8601, while on a free trial


class CustomerCreated(CustomerEvent):
    pass


class CustomerUpdated(CustomerEvent):
    fields: list[str]


class CustomerStatusChanged(CustomerEvent):
    previous_status: str


class CustomerClosed(CustomerEvent):
    status: Literal["closed"]
    previous_status: str
    closed_at: str


class PasswordResetRequested(Event):
    """Carries the single-use token for the e-mail that delivers it; never logged."""

    reseller_id: str | None  # type: ignore[assignment]  (the system administrator has none)
    user_id: str
    customer_id: str | None
    email: str
    display_name: str
    identifier: str | None = None  # the sign-in identifier (shown with the access codes)
    language: Literal["fr", "en"]
    purpose: str  # "reset" (Forgot?) or "access_codes" (sent by the reseller)
    reset_token: str
    expires_at: str


class AccountUserChanged(Event):
    """A user of a customer account as other services keep it (numbers held by a user,
    the name on its phone lines, the directory). ``deleted``: the user is gone; its numbers
    go to aging and its lines are removed. The version is one more at every change of the
    user, so a copy applies only what is newer than what it has."""

    customer_id: str
    user_id: str
    display_name: str
    first_name: str | None = None
    last_name: str | None = None
    extension: str | None  # 2-6 digits, unique within the account
    account_role: Literal["account_admin", "user"]
    language: Literal["fr", "en"]
    email: str
    version: int
    deleted: bool = False


# -- numbering.events -----------------------------------------------------------------------
class NumberAssigned(Event):
    customer_id: str
    number: str  # E.164
    country: str  # ISO 3166-1 alpha-2 of the number
    version: int = 0  # one more at every change of the number
    user_id: str | None = None  # the account's user who holds it, if one does


class NumberReleased(Event):
    customer_id: str  # the customer that held it
    number: str
    country: str
    reason: Literal["unassigned", "customer_closed", "user_deleted"]
    version: int = 0


# -- catalogue.events -----------------------------------------------------------------------
class SubscriptionLineState(BaseModel):
    item_id: str
    quantity: int
    unit_price: int  # minor units of the subscription's currency


class SubscriptionChanged(Event):
    """A customer's subscription as it is now (whole state, with its version)."""

    customer_id: str
    version: int  # one more at every change of the subscription
    currency: str
    lines: list[SubscriptionLineState]
    promotions: list[str]  # ids of the promotions applied when it started
    changed_by: str  # user id
    role: Literal["admin", "reseller", "customer"]
# -- provisioning.events ----------------------------------------------------------------------
class SipCredentialsChanged(Event):
    """A phone line's SIP credentials as the proxy needs them: the digest HA1
    (MD5 of username:realm:secret) for each realm the line registers to, never the secret.
    ``deleted``: the line is gone (``ha1`` empty). The version is one more at every change of
    the line, so a late event never brings back an older state."""

    customer_id: str
    device_id: str
    username: str
    caller_id: str | None  # E.164 the line calls from, if the customer has a number
    ha1: dict[str, str]  # realm → 32 lowercase hex digits
    deleted: bool = False
    version: int


# The contract of each event type, by its name: producers are checked against it when they
# record an event (sbcommon.outbox), consumers validate what they receive with it.
MODELS: dict[str, type[Event]] = {
    "reseller_created": ResellerCreated,
    "reseller_updated": ResellerUpdated,
    "customer_created": CustomerCreated,
    "customer_updated": CustomerUpdated,
    "customer_status_changed": CustomerStatusChanged,
    "customer_closed": CustomerClosed,
    "password_reset_requested": PasswordResetRequested,
    "account_user_changed": AccountUserChanged,
    "number_assigned": NumberAssigned,
    "number_released": NumberReleased,
    "subscription_changed": SubscriptionChanged,
    "sip_credentials_changed": SipCredentialsChanged,
}
