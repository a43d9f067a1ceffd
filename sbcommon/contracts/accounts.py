"""Contracts of the accounts service: request and response bodies of its RPCs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

CustomerKind = Literal["company", "professional"]
CustomerStatus = Literal["trial", "production", "suspended", "closed", "archived"]
# An account in these states gets no telephone service: no call but emergency ones, no
# phone registration, no configuration file for its phones (its numbers stay its own
# until it is closed).
NO_SERVICE_STATUSES = frozenset({"suspended", "closed", "archived"})
# An account in these states has ended: nothing of it can change any more (closed: until
# the system administrator reopens it; archived: for good, its personal data minimised).
ENDED_STATUSES = frozenset({"closed", "archived"})
Language = Literal["fr", "en"]
SortKey = Literal["name", "created_at", "status"]


def _no_control_chars(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters (newlines, tabs, …)")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_no_control_chars),
]
def _fold(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


# Normalised before the pattern is checked: "  Acme.Sales " is the identifier "acme.sales".
Identifier = Annotated[
    str,
    BeforeValidator(_fold),
    StringConstraints(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$"),
]
Email = Annotated[EmailStr, StringConstraints(max_length=254)]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=32,
                      pattern=r"^\+?[0-9 ().-]+$"),
]
Country = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$")
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


class CustomerCreate(Strict):
    kind: CustomerKind
    name: Name
    email: Email
    identifier: Identifier | None = Field(
        default=None, description="Sign-in identifier; generated from the name when omitted."
    )
    phone: Phone | None = None
    contact_name: Name | None = None
    language: Language = "fr"
    country: Country | None = Field(default=None, description="Defaults to the reseller's.")
    start: Literal["trial", "production"] = Field(
        description="Last step of a manual creation: free trial or production."
    )


class CustomerUpdate(Strict):
    name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    contact_name: Name | None = None
    language: Language | None = None
    country: Country | None = None
    status: Literal["trial", "production", "suspended"] | None = Field(
        default=None, description="Status change; closing is DELETE, reopening is admin-only."
    )

    @model_validator(mode="after")
    def _not_empty(self) -> CustomerUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class Customer(BaseModel):
    id: str
    reseller_id: str
    kind: CustomerKind
    name: str
    identifier: str
    email: str
    phone: str | None
    contact_name: str | None
    language: Language
    country: str
    status: CustomerStatus
    trial_ends_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="One more at every change of the account")
    locked: bool = Field(default=False, description="The reseller locked the subscriber's "
                                                    "own changes to its settings")
    organisation_id: str | None = Field(
        None, description="The organisation it is affiliated to (shares its directory)")


class CustomerQuery(Strict):
    kind: CustomerKind | None = None
    status: CustomerStatus | None = None
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        default=None,
        description="3+ characters: found anywhere in name, identifier or e-mail; "
                    "1-2 characters: names that start with them.",
    )
    sort: SortKey = "name"
    order: Literal["asc", "desc"] = "asc"
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=25, ge=1, le=100)


class CustomerPage(BaseModel):
    items: list[Customer]
    total: int
    page: int
    per_page: int
    pages: int


class CustomerCounts(BaseModel):
    company: int = 0
    professional: int = 0
    trial: int = 0
    production: int = 0
    suspended: int = 0
    closed: int = 0
    archived: int = 0


class LoginRequest(Strict):
    identifier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                 max_length=254)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class LoginResponse(BaseModel):
    token: str
    expires_in: int = Field(description="Seconds of idle time before the session ends.")


class PasswordChange(Strict):
    current_password: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    new_password: Password


class ForgotRequest(Strict):
    identifier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                 max_length=254)]


class PasswordReset(Strict):
    token: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    new_password: Password


class UserInfo(BaseModel):
    id: str
    role: Literal["admin", "reseller", "customer"]
    identifier: str
    email: str
    display_name: str
    language: Language
    reseller_id: str | None
    customer_id: str | None


class SupportInfo(BaseModel):
    """Who is inside a subscriber's account through direct access."""

    user_id: str
    name: str
    role: Literal["admin", "reseller"]
    customer_id: str


class SessionInfo(BaseModel):
    user: UserInfo
    actor: dict
    idle_timeout: int
    expires_at: datetime
    support: SupportInfo | None = Field(
        default=None, description="Set in a direct-access session: the support user inside")
    customer_locked: bool = Field(default=False, description="A subscriber's session: its "
                                  "reseller locked its settings")


class DirectAccess(BaseModel):
    token: str = Field(description="A session of the subscriber's main user: a bearer token "
                                   "for the API, or the portal's session")
    customer_id: str
    expires_at: datetime = Field(description="The session ends then, however active")


class LockState(BaseModel):
    customer_id: str
    locked: bool


AUDIT_ACTIONS = ("direct_access.started", "direct_access.ended", "direct_access.expired",
                 "direct_access.action", "direct_access.action_failed", "customer.locked",
                 "customer.unlocked", "customer.status_changed", "access_codes.sent",
                 "subscription.changed")
AuditAction = Literal[AUDIT_ACTIONS]  # type: ignore[valid-type]


class AuditQuery(Strict):
    customer_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    action: AuditAction | None = None
    actor_user_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    since: datetime | None = Field(default=None, description="From this time (inclusive)")
    until: datetime | None = Field(default=None, description="Before this time")
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=200)


class AuditEntry(BaseModel):
    id: int
    at: datetime
    reseller_id: str
    customer_id: str | None
    customer_name: str | None
    actor_user_id: str | None
    actor_name: str
    actor_role: str
    direct_access: bool
    action: AuditAction
    details: dict


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int
    page: int
    per_page: int
    pages: int


class SupportAction(Strict):
    """What the gateway records of one write made inside a direct-access session."""

    method: Literal["POST", "PUT", "PATCH", "DELETE"]
    route: Annotated[str, StringConstraints(max_length=200)]
    path: Annotated[str, StringConstraints(max_length=500)]
    targets: dict[str, Annotated[str, StringConstraints(max_length=100)]] = Field(
        default_factory=dict, max_length=10)
    failed_entry: int | None = Field(default=None, description="The entry of the action "
                                     "that did not happen (status in ``status``)")
    status: int | None = None


class PreferencesUpdate(Strict):
    language: Language


class ResellerCreate(Strict):
    name: Name
    email: Email
    identifier: Identifier
    country: Country = "CA"
    language: Language = "fr"
    trial_days: int | None = Field(default=None, ge=1, le=365)


# -- organisations (affiliated accounts sharing one directory) -------------------------------
class OrganisationCreate(Strict):
    name: Name


class OrganisationUpdate(Strict):
    name: Name


class OrganisationMember(BaseModel):
    customer_id: str
    name: str
    kind: CustomerKind
    status: CustomerStatus


class Organisation(BaseModel):
    id: str
    reseller_id: str
    name: str
    members: list[OrganisationMember] = Field(
        description="Its accounts; an account belongs to at most one organisation")
    version: int
    created_at: datetime
    updated_at: datetime


class OrganisationList(BaseModel):
    items: list[Organisation]


class ExtensionClash(BaseModel):
    extension: str
    customer_id: str = Field(description="The member already using it")
    joining_customer_id: str = Field(description="The account that would bring it again")


# -- users of a customer account --------------------------------------------------------------
AccountRole = Literal["account_admin", "user"]
# Dialled inside the account: 2 to 6 digits, unique there.
Extension = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{2,6}$")]
PersonName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_control_chars),
]


class AccountUserCreate(Strict):
    email: Email
    display_name: Name | None = Field(
        default=None, description="Shown on phones and in the directory; "
                                  "from first and last name when omitted.")
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    extension: Extension | None = None
    account_role: AccountRole = "user"
    language: Language | None = Field(default=None, description="Defaults to the account's.")
    identifier: Identifier | None = Field(
        default=None, description="Sign-in identifier; generated from the name when omitted.")

    @model_validator(mode="after")
    def _named(self) -> AccountUserCreate:
        if not (self.display_name or self.first_name or self.last_name):
            raise ValueError("give display_name, or first_name and last_name")
        return self

    def name(self) -> str:
        return self.display_name or " ".join(
            p for p in (self.first_name, self.last_name) if p)


class AccountUserUpdate(Strict):
    email: Email | None = None
    display_name: Name | None = None
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    extension: Extension | None = Field(default=None, description="null removes it")
    account_role: AccountRole | None = None
    language: Language | None = None
    version: int | None = Field(
        default=None, ge=1, description="If given, the change applies only to this version "
                                        "(409 if the user changed meanwhile).")

    @model_validator(mode="after")
    def _not_empty(self) -> AccountUserUpdate:
        if not (self.model_fields_set - {"version"}):
            raise ValueError("give at least one field to change")
        return self


class AccountUser(BaseModel):
    id: str
    customer_id: str
    reseller_id: str
    identifier: str
    email: str
    display_name: str
    first_name: str | None
    last_name: str | None
    extension: str | None
    account_role: AccountRole
    language: Language
    main: bool = Field(description="The account's main user (its sign-in identifier is the "
                                   "account's); it cannot be deleted")
    has_pin: bool = Field(description="Whether the user has chosen its PIN")
    created_at: datetime
    updated_at: datetime
    version: int


class AccountUserQuery(Strict):
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = Field(
        default=None, description="Found in the name, e-mail, identifier or extension.")
    account_role: AccountRole | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=50, ge=1, le=500)


class AccountUserPage(BaseModel):
    items: list[AccountUser]
    total: int
    page: int
    per_page: int
    pages: int
