"""The world of the matrices (built once, rebuilt after a case that changed it) and the
count of generated cases, printed at the end of the run."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.matrix.world import WorldHolder

GENERATED = Counter()


@pytest.fixture(scope="session")
def world_holder(platform, accounts_db, fast_hasher) -> WorldHolder:
    return WorldHolder(platform.base_url, accounts_db, fast_hasher)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.nodeid.startswith("tests/matrix/") and hasattr(item, "callspec"):
            GENERATED[item.originalname] += 1


def pytest_terminal_summary(terminalreporter):
    if GENERATED:
        parts = ", ".join(f"{name} {count}" for name, count in sorted(GENERATED.items()))
        terminalreporter.write_line(
            f"generated matrix cases: {sum(GENERATED.values())} ({parts})")
