"""The one mapping from a database integrity error to ``Conflict`` (409).

A unique index is the only safe judge of a race (two requests creating the same e-mail,
MAC address or rule at once): the loser gets a Conflict naming the field, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.exc import IntegrityError

from .errors import Conflict

UNIQUE_VIOLATION = "23505"


def conflict_from(exc: IntegrityError, fields: Mapping[str, str] | None = None) -> Conflict:
    """A Conflict for ``exc``; ``fields`` maps a field name found in the violated
    constraint's name (e.g. ``email`` in ``uq_users_email``) to the message to answer."""
    orig = exc.orig
    diag = getattr(orig, "diag", None)
    constraint = (getattr(diag, "constraint_name", None) or str(orig) or "").lower()
    if getattr(orig, "sqlstate", None) == UNIQUE_VIOLATION:
        for field, message in (fields or {}).items():
            if field.lower() in constraint:
                return Conflict(message, [{"field": field, "message": "already in use"}])
        return Conflict("this already exists")
    # A foreign key or check that held when the request read it but not when it wrote.
    return Conflict("a concurrent change conflicted; try again")

