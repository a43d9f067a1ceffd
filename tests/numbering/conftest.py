"""Fixtures for the numbering tests: fresh, valid, platform-unique numbers."""

from __future__ import annotations

import itertools
import random

import pytest

from services.numbering.domain.parse import NumberError, parse_number

AREAS = ("514", "438", "450", "819", "613", "416", "604", "403")


# One sequence for the whole run, from a random start: numbers drawn by different tests can
# never collide (random draws did, now and then, with a few thousand numbers in the pools).
_SEQUENCE = itertools.count(random.randrange(1_000_000))


def fresh_numbers(count: int, area: str | None = None) -> list[str]:
    """Valid Canadian numbers nobody else in this run will use."""
    out: list[str] = []
    while len(out) < count:
        n = next(_SEQUENCE)
        code = area or AREAS[n % len(AREAS)]
        text = f"+1{code}{200 + (n // 10_000) % 790}{n % 10_000:04d}"
        try:
            out.append(parse_number(text).e164)
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
