"""Customer-list CSV for Excel: UTF-8 with a BOM, and no cell that a spreadsheet would run as
a formula (OWASP "CSV injection": a leading =, +, -, @, tab or carriage return)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from .strings import translator

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("name", "identifier", "email", "phone", "kind", "status", "language", "country",
           "created", "trial_ends")


def neutralise(value: Any) -> str:
    """A leading apostrophe makes Excel and LibreOffice show the text as typed."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _write(rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def header(language: str) -> str:
    t = translator(language)
    return BOM + _write([[t(f"col.{c}") for c in COLUMNS]])


def row_values(customer: dict[str, Any], language: str) -> list[str]:
    t = translator(language)
    return [
        customer["name"], customer["identifier"], customer["email"], customer.get("phone"),
        t(f"kind.{customer['kind']}"), t(f"status.{customer['status']}"),
        customer["language"], customer["country"], (customer["created_at"] or "")[:10],
        (customer.get("trial_ends_at") or "")[:10],
    ]


def rows(customers: Iterable[dict[str, Any]], language: str) -> str:
    return _write([[neutralise(v) for v in row_values(c, language)] for c in customers])
