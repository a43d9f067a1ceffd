"""The one shape of every CSV export: pages of CSV text, each naming the next.

A service renders the rows itself and says where the next page starts (``next``, opaque to
the caller, ``None`` after the last page); the gateway streams page after page. Nothing
about page sizes is shared between them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class CsvPage(BaseModel):
    csv: str
    next: Any = None  # cursor of the following page; None: this was the last one
    total: int | None = None  # rows in the whole export, when the service counts them
