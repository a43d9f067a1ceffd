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


class CustomerCreated(Event):
    customer_id: str
    kind: Literal["company", "professional"]
    status: str
    name: str
    email: str
    language: Literal["fr", "en"]
    country: str  # ISO 3166-1 alpha-2


class CustomerUpdated(Event):
    customer_id: str
    kind: str
    status: str
    fields: list[str]
    name: str
    email: str
    language: Literal["fr", "en"]
    country: str


class CustomerStatusChanged(Event):
    customer_id: str
    kind: str
    status: str
    previous_status: str


class CustomerClosed(Event):
    customer_id: str
    kind: str
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


class NumberReleased(Event):
    customer_id: str  # the customer that held it
    number: str
    country: str
    reason: Literal["unassigned", "customer_closed"]
