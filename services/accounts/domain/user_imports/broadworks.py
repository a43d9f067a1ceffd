"""BroadWorks: a group's user list (Group > Profile > Users, exported as CSV from the
CommPilot web portal or a provisioning tool reading the group's users).

Columns used, as BroadWorks names a user's profile fields: ``User Id``, ``Last Name``,
``First Name``, ``Phone Number``, ``Extension``, ``Department``, ``Email Address``. The
field names are those of BroadWorks' user profile (userId, lastName, firstName,
phoneNumber, extension, department, emailAddress, as the OCI API and tools built on it
show); the exact header of a web-portal export could not be checked against a published
file and is matched without regard to case. A BroadWorks phone number is national
(``5145551212``): it is read in the country of the target account.

A user list has no status or licence column: every row is a user, and rows without an
e-mail address are skipped (they have no sign-in to bring over).
"""

from __future__ import annotations

from collections.abc import Mapping

from .formats import Candidate, Format
from .resources import resource_like

USER_ID, LAST, FIRST = "User Id", "Last Name", "First Name"
PHONE, EXTENSION, DEPARTMENT, EMAIL = "Phone Number", "Extension", "Department", "Email Address"


def to_candidate(line: int, row: Mapping[str, str]) -> Candidate:
    candidate = Candidate(
        line=line, email=row.get(EMAIL, ""), first_name=row.get(FIRST, ""),
        last_name=row.get(LAST, ""), phone=row.get(PHONE, ""),
        extension=row.get(EXTENSION, ""), department=row.get(DEPARTMENT, ""),
        external_id=row.get(USER_ID, ""))
    if resource_like(candidate.email, candidate.name):
        candidate.skip = ("resource", "a room or resource, not a person")
    return candidate


FORMAT = Format(
    name="broadworks", label="BroadWorks",
    signature=(USER_ID, LAST, FIRST, PHONE, EXTENSION),
    columns=(USER_ID, LAST, FIRST, PHONE, EXTENSION, DEPARTMENT, EMAIL),
    to_candidate=to_candidate,
)
