"""Contracts of imports of a company's users (accounts service): the upload's options, the
report's query, and the report."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from .accounts import Name, Strict

ImportFormat = Literal["google_workspace", "microsoft365", "broadworks"]
RowOutcome = Literal["create", "update", "unchanged", "skipped", "invalid", "duplicate"]


class UserImportStart(Strict):
    """Where the users go: one of the reseller's company accounts, or a new one."""

    customer_id: Annotated[str, StringConstraints(max_length=36)] | None = Field(
        default=None, description="An existing company account of yours")
    new_account_name: Name | None = Field(
        default=None, description="Or the name of a new company account, created on apply "
                                  "(its main user is the file's first user to create)")
    format: ImportFormat | None = Field(
        default=None, description="Recognised from the header row when omitted")

    @model_validator(mode="after")
    def _one_target(self) -> UserImportStart:
        if (self.customer_id is None) == (self.new_account_name is None):
            raise ValueError("give either customer_id or new_account_name")
        return self


class UserImportQuery(Strict):
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=100, ge=1, le=500)
    outcome: RowOutcome | None = Field(default=None, description="Only rows of this outcome")


class RowNote(BaseModel):
    code: str = Field(description="extension_duplicate, extension_taken, number_duplicate, "
                                  "number_not_in_pool, number_taken, number_invalid, "
                                  "number_not_assigned, number_not_given (the account has "
                                  "it, not its user), apply_failed")
    message: str


class UserImportRow(BaseModel):
    line: int = Field(description="The file's line where the row starts (the header is 1)")
    outcome: RowOutcome
    reason: str | None = Field(description="Why skipped, invalid or a duplicate: suspended, "
                                           "blocked, guest, resource, no_license, no_email, "
                                           "bad_email, bad_phone, bad_extension, "
                                           "email_in_use, duplicate_email, …")
    message: str | None
    email: str
    display_name: str
    first_name: str
    last_name: str
    department: str
    extension: str | None
    phone: str = Field(description="As the file wrote it")
    number: str | None = Field(description="The phone in E.164, if numbering read it")
    number_status: str | None = Field(description="available, held, taken, not_in_pool, "
                                                  "invalid; assigned once applied")
    notes: list[RowNote]
    applied: str | None = Field(description="What applying did: create, update, unchanged, "
                                            "failed")
    user_id: str | None


class OutcomeCounts(BaseModel):
    create: int
    update: int
    unchanged: int
    skipped: int
    invalid: int
    duplicate: int


class AppliedCounts(BaseModel):
    create: int
    update: int
    unchanged: int
    failed: int
    numbers: int = Field(description="numbers assigned to the account")


class UserImportSummary(BaseModel):
    import_id: int
    status: Literal["receiving", "previewing", "ready", "applying", "done", "failed",
                    "expired"]
    format: ImportFormat | None
    customer_id: str | None
    new_account_name: str | None
    reason: str | None = Field(description="Why a failed import stopped")
    bytes_read: int
    bytes_total: int | None
    rows_read: int
    rows_applied: int
    to_apply: int
    counts: OutcomeCounts
    applied: AppliedCounts
    progress: int = Field(description="0-100, one bar for receiving, previewing and applying")
    created_at: str
    expires_at: str = Field(description="The preview must be applied before this")
    finished_at: str | None


class UserImportReport(UserImportSummary):
    rows: list[UserImportRow]
    page: int
    per_page: int
    rows_total: int
    pages: int
