"""Contracts of the notifications service: request and response bodies of its RPCs."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from .accounts import CustomerKind, CustomerStatus, Language, SortKey

MailKind = Literal["access_codes", "reset", "welcome", "trial_ending", "trial_ends_today",
                   "message", "statement", "signup_verify", "signup_existing"]
MailStatus = Literal["waiting", "sent", "failed"]


def _one_line(value: str) -> str:
    # A newline in a header would let the author add headers of their own (Bcc: …).
    if any(ord(c) < 32 or ord(c) == 127 or c in "\u2028\u2029\u0085" for c in value):
        raise ValueError("must be one line, without newlines or control characters")
    return value


def _printable_body(value: str) -> str:
    if any((ord(c) < 32 and c not in "\n\r\t") or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters other than line breaks")
    return value.replace("\r\n", "\n").replace("\r", "\n")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageRequest(Strict):
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=200), AfterValidator(_one_line)]
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=20_000),
                    AfterValidator(_printable_body)] = Field(
        description="Plain text; HTML in it is shown as text, never interpreted.")


class MailQueued(BaseModel):
    status: Literal["accepted"] = "accepted"
    message: str
    mail_id: str | None = None


class MailLogQuery(Strict):
    status: MailStatus | None = None
    customer_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=25, ge=1, le=100)


class MailLogEntry(BaseModel):
    id: str
    kind: MailKind
    customer_id: str | None
    recipient: str
    subject: str
    language: Language
    status: MailStatus
    attempts: int
    last_error: str | None
    created_at: str
    sent_at: str | None
    next_attempt_at: str | None
    template_error: str | None = Field(
        default=None, description="An edited template failed; the default one was sent.")


class MailLogPage(BaseModel):
    items: list[MailLogEntry]
    total: int
    page: int
    per_page: int
    pages: int


class ExportQuery(Strict):
    """The Customers page's filters (``tab`` is the portal's name for ``kind``)."""

    kind: CustomerKind | None = None
    tab: CustomerKind | None = None
    status: CustomerStatus | None = None
    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    sort: SortKey = "name"
    order: Literal["asc", "desc"] = "asc"
    lang: Language | None = Field(default=None,
                                  description="Language of headers; yours by default.")

    def customer_query(self) -> dict[str, object]:
        """What accounts.list_customers takes (without page and per_page)."""
        return {"kind": self.kind or self.tab, "status": self.status, "q": self.q,
                "sort": self.sort, "order": self.order}


TemplateKind = Literal["access_codes", "reset", "welcome", "trial_ending", "trial_ends_today",
                       "statement"]


class MailTemplateSource(Strict):
    """An edited template: Jinja in a sandbox; ``GET`` lists the variables it may use."""

    subject: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    html: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    text: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class MailTemplate(BaseModel):
    kind: TemplateKind
    language: Language
    origin: Literal["own", "platform", "builtin"] = Field(
        description="own: edited at your level; platform: the administrator's default; "
                    "builtin: nobody edited it")
    subject: str
    html: str
    text: str
    variables: list[str]
    updated_at: str | None


class MailTemplateSummary(BaseModel):
    kind: TemplateKind
    language: Language
    origin: Literal["own", "platform", "builtin"]
    subject: str
    updated_at: str | None


class MailTemplateList(BaseModel):
    items: list[MailTemplateSummary]


class MailTemplatePreview(BaseModel):
    subject: str
    html: str
    text: str
