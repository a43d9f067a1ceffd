"""What every source format hands over: a ``Candidate`` per row, and the ``Format`` that
recognises its header and maps its columns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass
class Candidate:
    """One row of the file, in the platform's words. ``skip`` is set by the format when the
    source itself says the row is not a person to import (suspended, blocked, a room)."""

    line: int
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    phone: str = ""
    mobile: str = ""
    extension: str = ""
    department: str = ""
    external_id: str = ""  # the source's own key: Employee ID, User Id, principal name
    skip: tuple[str, str] | None = None  # (reason code, message)
    cells: dict[str, str] = field(default_factory=dict)  # the row as read, by column

    @property
    def name(self) -> str:
        joined = " ".join(p for p in (self.first_name, self.last_name) if p)
        return self.display_name or joined


@dataclass(frozen=True)
class Format:
    """A source format: its name, the columns that identify its header (all must be there),
    the columns it reads, and the mapping of one row (column → cell) to a candidate."""

    name: str
    label: str
    signature: tuple[str, ...]
    columns: tuple[str, ...]
    to_candidate: Callable[[int, Mapping[str, str]], Candidate]

    def matches(self, header: list[str]) -> bool:
        present = {normalise(h) for h in header}
        return all(normalise(c) in present for c in self.signature)


def normalise(column: str) -> str:
    """Header cells compared without case, outer spaces, a BOM or doubled spaces."""
    return " ".join(column.replace("\ufeff", "").split()).casefold()


def truthy(value: str) -> bool:
    return value.strip().casefold() in {"true", "yes", "1", "vrai", "oui"}
