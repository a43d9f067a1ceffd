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


# -- numbering.events -----------------------------------------------------------------------
class NumberAssigned(Event):
    customer_id: str
    number: str  # E.164
    country: str  # ISO 3166-1 alpha-2 of the number
    version: int = 0  # one more at every change of the number


class NumberReleased(Event):
    customer_id: str  # the customer that held it
    number: str
    country: str
    reason: Literal["unassigned", "customer_closed"]
    version: int = 0


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
    "customer_created": CustomerCreated,
    "customer_updated": CustomerUpdated,
    "customer_status_changed": CustomerStatusChanged,
    "customer_closed": CustomerClosed,
    "password_reset_requested": PasswordResetRequested,
    "number_assigned": NumberAssigned,
    "number_released": NumberReleased,
    "sip_credentials_changed": SipCredentialsChanged,
}
