"""What a candidate row becomes, as far as the file alone can tell: skipped (and why),
invalid (and why), a duplicate of an earlier line, or importable. Whether an importable
row creates or updates a user, and whether its number can be used, depends on the target
account and the reseller's pool: ``user_import_jobs`` decides that.

Pure functions over one pass of the file: ``Screen`` remembers what earlier lines used, so
the later of two lines with the same e-mail is the duplicate, whatever the batch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .formats import Candidate

EMAIL_RE = re.compile(r"^[^@\s\"(),:;<>\[\]\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}"
                      r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+$")
PHONE_CHARS = re.compile(r"^\+?[0-9 ().\-/]+$")
EXTENSION_RE = re.compile(r"^[0-9]{2,6}$")

# Outcomes of a row; the first two are decided against the account.
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
SKIPPED, INVALID, DUPLICATE = "skipped", "invalid", "duplicate"
IMPORTABLE = "importable"  # until the account is looked at


@dataclass
class Verdict:
    outcome: str
    reason: str = ""
    message: str = ""
    # About one field of an importable row: an extension or number that cannot be used.
    notes: list[tuple[str, str]] = field(default_factory=list)


def email_key(email: str) -> str:
    return email.strip().casefold()


def phone_problem(text: str) -> str | None:
    """Why a phone cell is not a number (None if it may be one: numbering has the last word)."""
    if not PHONE_CHARS.match(text):
        return "a phone number has only digits, spaces, brackets, dots, dashes and one +"
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7:
        return "too short to be a phone number"
    if digits > 17:
        return "too long to be a phone number"
    return None


class Screen:
    """Classifies the rows of one file in order."""

    def __init__(self) -> None:
        self.emails: dict[str, int] = {}
        self.extensions: dict[str, int] = {}
        self.phones: dict[str, int] = {}

    def __call__(self, row: Candidate) -> Verdict:
        if row.skip:
            return Verdict(SKIPPED, *row.skip)
        if not row.email:
            return Verdict(SKIPPED, "no_email", "no e-mail address: nothing to sign in with")
        if len(row.email) > 254 or not EMAIL_RE.match(row.email):
            return Verdict(INVALID, "bad_email", f"not an e-mail address: {row.email[:80]}")
        if row.phone and (problem := phone_problem(row.phone)):
            return Verdict(INVALID, "bad_phone", f"phone number {row.phone[:40]}: {problem}")
        if row.extension and not EXTENSION_RE.match(row.extension):
            return Verdict(INVALID, "bad_extension",
                           f"extension {row.extension[:20]}: 2 to 6 digits")
        key = email_key(row.email)
        if key in self.emails:
            return Verdict(DUPLICATE, "duplicate_email",
                           f"same e-mail as line {self.emails[key]}")
        self.emails[key] = row.line
        verdict = Verdict(IMPORTABLE)
        if row.extension:
            if row.extension in self.extensions:
                verdict.notes.append(("extension_duplicate", f"extension {row.extension} is "
                                      f"also on line {self.extensions[row.extension]}"))
                row.extension = ""
            else:
                self.extensions[row.extension] = row.line
        if row.phone:
            digits = "".join(ch for ch in row.phone if ch.isdigit())
            if digits in self.phones:
                verdict.notes.append(("number_duplicate", f"number {row.phone} is also on "
                                      f"line {self.phones[digits]}"))
                row.phone = ""
            else:
                self.phones[digits] = row.line
        return verdict
