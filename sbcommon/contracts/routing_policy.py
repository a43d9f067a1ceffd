"""Contracts of the routing_policy service: call-restriction rules, decisions, PBX tokens."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Action = Literal["allow", "deny"]
MatchType = Literal["destination", "prefix", "country", "category"]
Category = Literal["international", "premium_rate", "toll_free", "satellite"]
CallKind = Literal["direct", "forward", "transfer"]
Level = Literal["customer", "reseller", "default", "emergency", "unavailable", "internal"]

# What the PBX sends "as dialled"; the service explains what is wrong with it.
Dialed = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


class RuleCreate(Strict):
    action: Action
    match: MatchType = Field(description="destination (exact E.164), prefix (+1514), country "
                                         "(ISO 3166 code) or category")
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=32)] = Field(
        description="+15145550199 · +1514 · GB · international|premium_rate|toll_free|satellite")
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class Rule(BaseModel):
    id: str
    level: Literal["customer", "reseller"]
    reseller_id: str
    customer_id: str | None
    action: Action
    match: MatchType
    value: str
    note: str
    created_at: str


class RuleList(BaseModel):
    default: Action
    when_unavailable: Action = Field(
        "deny", description="What the PBX is told while call restrictions are unavailable "
                            "(emergency numbers are always allowed)")
    rules: list[Rule]


class DefaultUpdate(Strict):
    action: Action
    when_unavailable: Action | None = Field(
        None, description="Fail open (allow) or closed (deny) while call restrictions are "
                          "unavailable; unchanged when omitted. Default: deny")


class NumberTestQuery(Strict):
    dialed: Dialed
    kind: CallKind = "direct"


class AuthorizeQuery(Strict):
    dialed: Dialed
    customer: Annotated[str, StringConstraints(max_length=36)] | None = None
    caller: Annotated[str, StringConstraints(max_length=32)] | None = Field(
        default=None, description="E.164 of one of the customer's numbers (instead of customer)")
    sip_user: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="The line's SIP username from provisioning (instead of "
                                  "customer or caller)")
    kind: CallKind = "direct"


class SipCredentialsQuery(Strict):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    realm: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class SipCredentials(BaseModel):
    ha1: str = Field(description="MD5(username:realm:secret), 32 lowercase hex digits")
    customer_id: str
    caller_id: str | None = Field(None, description="The E.164 number the line calls from")


class Callee(BaseModel):
    """Who an internal call reaches: a member of the caller's organisation (or the caller's
    own account), by extension or by number."""

    customer_id: str
    user_id: str | None = None
    name: str | None = None
    extension: str | None = None
    number: str | None = Field(None, description="E.164, when the call dialled a number")


class Decision(BaseModel):
    allow: bool
    destination: str
    rule_id: str | None
    level: Level
    reason: str
    customer_id: str | None = None
    kind: CallKind = "direct"
    country: str | None = Field(None, description="The customer's country (ISO 3166-1)")
    when_unavailable: Action | None = Field(
        None, description="The reseller's choice for calls asked while this service is "
                          "unavailable (then the answer is a 503 that carries the decision)")
    dialed: str | None = Field(None, description="The dialled string as understood (a + "
                                                 "that arrived as a space is read as +)")
    caller: str | None = Field(None, description="The calling number as understood")
    callee: Callee | None = Field(
        None, description="Level internal: the fellow member (or the caller's own account) "
                          "the call reaches; external rules are not consulted")


class PbxTokenCreate(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=100)]
    reseller_id: Annotated[str, StringConstraints(max_length=36)] | None = Field(
        default=None, description="Restrict the token to this reseller's customers")


class PbxToken(BaseModel):
    id: str
    name: str
    reseller_id: str | None
    created_at: str
    revoked_at: str | None = None


class PbxTokenCreated(PbxToken):
    token: str = Field(description="Shown once; only its hash is stored")


class PbxTokenList(BaseModel):
    items: list[PbxToken]


class DirectoryQuery(Strict):
    customer: Annotated[str, StringConstraints(min_length=1, max_length=36)]


class DirectoryEntry(BaseModel):
    customer_id: str
    customer_name: str
    user_id: str | None = Field(None, description="None: the account's own entry (its "
                                                  "numbers not held by a user)")
    name: str
    extension: str | None = None
    numbers: list[str] = Field(default_factory=list, description="E.164")


class Directory(BaseModel):
    customer_id: str = Field(description="Whose directory was asked for")
    organisation_id: str | None = Field(None, description="None: the account belongs to no "
                                                          "organisation (its own directory)")
    members: list[str] = Field(description="The accounts it covers")
    entries: list[DirectoryEntry]
