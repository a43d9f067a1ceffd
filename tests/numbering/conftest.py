"""Fixtures for the numbering tests: fresh, valid, platform-unique numbers."""

from __future__ import annotations

import random

import pytest

from services.numbering.domain.parse import NumberError, parse_number

AREAS = ("514", "438", "450", "819", "613", "416", "604", "403")


def fresh_numbers(count: int, area: str | None = None) -> list[str]:
    """Valid Canadian numbers nobody else in this run will use (random, checked)."""
    out: set[str] = set()
    while len(out) < count:
        code = area or random.choice(AREAS)
        text = f"+1{code}{random.randint(200, 989)}{random.randint(0, 9999):04d}"
        try:
            out.add(parse_number(text).e164)
        except NumberError:
            continue
    return sorted(out)


@pytest.fixture
def numbers_db(databases):
    return databases["numbering"]


def import_text(client, lines: list[str]):
    body = "\n".join(lines).encode()
    return client.post("/api/v1/numbers/import", data=body,
                       headers={"Content-Type": "text/plain"})
