"""Contracts of the resellers' part of the accounts service: onboarding by the system
administrator, the reseller's settings, support contact, branding, chat widget, PBX
information and set-up wizard."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from .accounts import Country, Email, Identifier, Language, Name, Phone, Strict

ResellerStatus = Literal["active", "suspended"]
WizardStep = Literal["settings", "support", "branding", "restrictions", "numbers", "done"]
WIZARD_STEPS: tuple[str, ...] = ("settings", "support", "branding", "restrictions", "numbers")

Color = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                         pattern=r"^#[0-9a-fA-F]{6}$")]
Currency = Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True,
                                            pattern=r"^[A-Za-z]{3}$")]
# A host name as a browser sends it (lower case, no port): "portal.acme.example".
HostName = Annotated[str, StringConstraints(
    strip_whitespace=True, to_lower=True, min_length=4, max_length=253,
    pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]
# A SIP domain or proxy: a host name or IPv4 address, with an optional port for the proxy.
SipHost = Annotated[str, StringConstraints(
    strip_whitespace=True, to_lower=True, max_length=253,
    pattern=r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")]
SipProxy = Annotated[str, StringConstraints(
    strip_whitespace=True, to_lower=True, max_length=260,
    pattern=r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?$")]


def _lines(value: str) -> str:
    # A postal address keeps its line breaks; anything else that is a control character
    # would end up in mail headers or PDFs.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if any((ord(c) < 32 and c != "\n") or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters other than line breaks")
    if value.count("\n") > 5:
        raise ValueError("at most 6 lines")
    return value


Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
                    AfterValidator(_lines)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=100)]


# -- the system administrator's view -------------------------------------------------------
class ResellerOnboard(Strict):
    """What the system administrator types to onboard a reseller."""

    name: Name
    identifier: Identifier = Field(description="Sign-in identifier of the reseller's "
                                               "administrator; also the portal's path name.")
    email: Email = Field(description="The reseller administrator's e-mail: the welcome "
                                     "e-mail with a set-PIN link goes there.")
    country: Country = "CA"
    language: Language = "fr"
    currency: Currency = "CAD"
    trial_days: int | None = Field(default=30, ge=1, le=365,
                                   description="Free-trial length of its customers.")


class ResellerAdminUpdate(Strict):
    name: Name | None = None
    email: Email | None = None
    country: Country | None = None
    language: Language | None = None
    currency: Currency | None = None
    trial_days: int | None = Field(default=None, ge=1, le=365)
    host_name: HostName | None = Field(
        default=None, description="The reseller's own host name for its subscriber portal.")
    chat_enabled: bool | None = Field(default=None, description="Allow the chat widget.")
    pbx_name: ShortText | None = None
    sip_domain: SipHost | None = None
    sip_proxy: SipProxy | None = None
    default_carrier: ShortText | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> ResellerAdminUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


class ResellerQuery(Strict):
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    status: ResellerStatus | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=25, ge=1, le=100)


class PbxInfo(BaseModel):
    pbx_name: str | None
    sip_domain: str | None
    sip_proxy: str | None
    default_carrier: str | None


class Reseller(BaseModel):
    id: str
    name: str
    identifier: str
    email: str
    country: str
    language: Language
    currency: str
    trial_days: int | None
    status: ResellerStatus
    host_name: str | None
    chat_enabled: bool
    pbx: PbxInfo
    setup_step: WizardStep
    created_at: datetime
    updated_at: datetime
    version: int


class ResellerPage(BaseModel):
    items: list[Reseller]
    total: int
    page: int
    per_page: int
    pages: int


class ResellerCounts(BaseModel):
    active: int = 0
    suspended: int = 0


# -- the reseller's own settings -------------------------------------------------------------
class ResellerSettings(BaseModel):
    name: str
    address: str | None
    email: str = Field(description="The reseller administrator's e-mail.")
    phone: str | None = Field(description="Where the system administrator reaches the reseller.")
    support_phone: str | None = Field(description="Shown to subscribers.")
    support_email: str | None = Field(description="Shown to subscribers.")
    pbx: PbxInfo = Field(description="Set by the system administrator; read-only here.")
    setup_step: WizardStep


class SettingsUpdate(Strict):
    address: Address | None = None
    email: Email | None = None
    phone: Phone | None = None
    support_phone: Phone | None = None
    support_email: Email | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> SettingsUpdate:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        return self


ChatProvider = Literal["crisp", "tawk", "tidio"]


class Branding(BaseModel):
    portal_name: str
    primary_color: str = Field(description="Links and buttons (text on white).")
    accent_color: str = Field(description="The top bar (white text on it).")
    logo: bool = Field(description="A logo is uploaded (GET /brand/{reseller_id}/logo.png).")
    favicon: bool
    chat_provider: ChatProvider | None
    chat_site_id: str | None
    chat_enabled: bool = Field(description="Set by the system administrator.")
    version: int


class BrandingUpdate(Strict):
    portal_name: Name | None = None
    primary_color: Color | None = None
    accent_color: Color | None = None
    chat_provider: ChatProvider | None = None
    chat_site_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)
                            ] | None = None


class ImageUpload(Strict):
    """A logo or favicon, base64-encoded (the API's PUT sends the raw bytes)."""

    content: str


class WizardUpdate(Strict):
    step: WizardStep


class PublicBrand(BaseModel):
    """What an anonymous page needs to look like the reseller's (no contact of its own)."""

    reseller_id: str
    slug: str
    portal_name: str
    primary_color: str
    accent_color: str
    logo: bool
    favicon: bool
    support_phone: str | None
    support_email: str | None
    chat_provider: ChatProvider | None
    chat_site_id: str | None
    version: int


class ChatProviderInfo(BaseModel):
    """A supported chat widget: how its site id looks and the origins it loads from (the
    subscriber portal's Content-Security-Policy allows exactly these when it is on)."""

    label: str
    site_id_pattern: str
    script: str  # the loader's URL; {site_id} is replaced
    script_src: tuple[str, ...]
    connect_src: tuple[str, ...]
    img_src: tuple[str, ...]
    style_src: tuple[str, ...]
    frame_src: tuple[str, ...]
    font_src: tuple[str, ...]


CHAT_PROVIDERS: dict[str, ChatProviderInfo] = {
    "crisp": ChatProviderInfo(
        label="Crisp",
        site_id_pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        script="https://client.crisp.chat/l.js",
        script_src=("https://client.crisp.chat", "https://settings.crisp.chat"),
        connect_src=("https://client.crisp.chat", "https://storage.crisp.chat",
                     "wss://client.relay.crisp.chat", "wss://stream.relay.crisp.chat"),
        img_src=("https://client.crisp.chat", "https://image.crisp.chat",
                 "https://storage.crisp.chat"),
        style_src=("https://client.crisp.chat",),
        frame_src=("https://game.crisp.chat",),
        font_src=("https://client.crisp.chat",),
    ),
    "tawk": ChatProviderInfo(
        label="tawk.to",
        site_id_pattern=r"^[0-9a-f]{24}(/[0-9a-z]{8,12})?$",
        script="https://embed.tawk.to/{site_id}",
        script_src=("https://embed.tawk.to", "https://cdn.jsdelivr.net"),
        connect_src=("https://*.tawk.to", "wss://*.tawk.to"),
        img_src=("https://*.tawk.to", "https://cdn.jsdelivr.net"),
        style_src=("https://*.tawk.to", "https://fonts.googleapis.com"),
        frame_src=("https://*.tawk.to",),
        font_src=("https://*.tawk.to", "https://fonts.gstatic.com"),
    ),
    "tidio": ChatProviderInfo(
        label="Tidio",
        site_id_pattern=r"^[a-z0-9]{32}$",
        script="https://code.tidio.co/{site_id}.js",
        script_src=("https://code.tidio.co", "https://widget-v4.tidiochat.com"),
        connect_src=("https://*.tidio.co", "wss://*.tidio.co", "https://*.tidiochat.com"),
        img_src=("https://*.tidio.co", "https://*.tidiochat.com"),
        style_src=("https://*.tidiochat.com",),
        frame_src=("https://*.tidio.co", "https://*.tidiochat.com"),
        font_src=("https://*.tidiochat.com",),
    ),
}
