"""Cells as stored and as written back out.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
to a spreadsheet. Imported cells are stored as the text they are and never evaluated; a
cell written into a CSV again (a report download) is prefixed with an apostrophe so that a
spreadsheet shows it as text instead of running it.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 200  # characters kept of one cell; longer values are cut (and flagged invalid)


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def neutralise(value: str) -> str:
    """The cell as it may be written to a CSV meant for a spreadsheet."""
    return "'" + value if looks_like_formula(value) else value


def clean(value: str | None) -> str:
    """A cell's text without its surrounding spaces, cut to ``MAX_CELL`` characters.

    Only spaces and newlines around it go: a leading ``=`` stays, so the report shows what
    the file said."""
    return (value or "").strip(" \n\r")[:MAX_CELL]
