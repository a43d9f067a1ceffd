"""Google Workspace: the Admin console's user list, Directory > Users > Download users
(CSV, "all user info columns").

Its header is the bulk-upload template's, with read-only columns added; the columns used
here, as Google names them: ``First Name [Required]``, ``Last Name [Required]``,
``Email Address [Required]``, ``Status [READ ONLY]`` (``Active`` or ``Suspended``),
``Work Phone``, ``Mobile Phone``, ``Employee ID``, ``Department``. Verified against
Google's help page on the CSV template ("Add or update multiple users from a CSV file")
and files published with that header; the exact wording of the Status values of a
download (``Active``/``Suspended``) is taken from those files, not from Google's page.

A download lists people only: Google's rooms and resources (calendar resources) are not
users, but a resource address (``…@resource.calendar.google.com``) pasted into a file is
recognised and skipped.
"""

from __future__ import annotations

from collections.abc import Mapping

from .formats import Candidate, Format
from .resources import resource_like

FIRST, LAST, EMAIL = "First Name [Required]", "Last Name [Required]", "Email Address [Required]"
STATUS = "Status [READ ONLY]"
WORK_PHONE, MOBILE = "Work Phone", "Mobile Phone"
EMPLOYEE_ID, DEPARTMENT = "Employee ID", "Department"


def to_candidate(line: int, row: Mapping[str, str]) -> Candidate:
    candidate = Candidate(
        line=line, email=row.get(EMAIL, ""), first_name=row.get(FIRST, ""),
        last_name=row.get(LAST, ""), phone=row.get(WORK_PHONE, ""),
        mobile=row.get(MOBILE, ""), department=row.get(DEPARTMENT, ""),
        external_id=row.get(EMPLOYEE_ID, ""))
    status = row.get(STATUS, "").strip().casefold()
    if status == "suspended":
        candidate.skip = ("suspended", "suspended in Google Workspace")
    elif resource_like(candidate.email, candidate.name):
        candidate.skip = ("resource", "a room or resource, not a person")
    return candidate


FORMAT = Format(
    name="google_workspace", label="Google Workspace",
    signature=(FIRST, LAST, EMAIL),
    columns=(FIRST, LAST, EMAIL, STATUS, WORK_PHONE, MOBILE, EMPLOYEE_ID, DEPARTMENT),
    to_candidate=to_candidate,
)
