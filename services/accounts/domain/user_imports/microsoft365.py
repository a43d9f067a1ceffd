"""Microsoft 365: the admin center's Users > Active users > Export users (CSV).

Columns used, as the export names them: ``Display name``, ``User principal name``,
``First name``, ``Last name``, ``Block credential`` (``True``: sign-in blocked),
``Phone number``, ``Mobile Phone``, ``Office``, ``Department``, ``Licenses``
(``Unlicensed`` when none; several joined with ``+``), ``Usage location``. The names were
checked against published exports and tools that read them; Microsoft's own pages do not
list the export's columns, so their exact case (``Mobile Phone`` beside ``Phone number``)
is as those files show it, and columns are matched without regard to case.

What the export can tell about shared mailboxes and rooms: they are accounts with sign-in
blocked and no licence. A blocked account is skipped as blocked; an active one without a
licence, or whose principal or display name reads like a room or shared mailbox, is
skipped as a resource. Guests (``#EXT#`` in the principal name) are someone else's users.
"""

from __future__ import annotations

from collections.abc import Mapping

from .formats import Candidate, Format, truthy
from .resources import resource_like

DISPLAY, UPN, FIRST, LAST = "Display name", "User principal name", "First name", "Last name"
BLOCKED, PHONE, MOBILE = "Block credential", "Phone number", "Mobile Phone"
OFFICE, DEPARTMENT, LICENSES, USAGE_LOCATION = "Office", "Department", "Licenses", "Usage location"


def to_candidate(line: int, row: Mapping[str, str]) -> Candidate:
    upn = row.get(UPN, "")
    candidate = Candidate(
        line=line, email=upn, first_name=row.get(FIRST, ""), last_name=row.get(LAST, ""),
        display_name=row.get(DISPLAY, ""), phone=row.get(PHONE, ""),
        mobile=row.get(MOBILE, ""), department=row.get(DEPARTMENT, ""), external_id=upn)
    licenses = row.get(LICENSES)
    if truthy(row.get(BLOCKED, "")):
        candidate.skip = ("blocked", "sign-in blocked in Microsoft 365")
    elif "#ext#" in upn.casefold():
        candidate.skip = ("guest", "a guest of this Microsoft 365 tenant")
    elif resource_like(upn, candidate.display_name):
        candidate.skip = ("resource", "a room, resource or shared mailbox, not a person")
    elif licenses is not None and licenses.strip().casefold() in {"", "unlicensed"}:
        candidate.skip = ("no_license", "no licence: a shared mailbox or resource account")
    return candidate


FORMAT = Format(
    name="microsoft365", label="Microsoft 365",
    signature=(DISPLAY, UPN),
    columns=(DISPLAY, UPN, FIRST, LAST, BLOCKED, PHONE, MOBILE, OFFICE, DEPARTMENT, LICENSES,
             USAGE_LOCATION),
    to_candidate=to_candidate,
)
