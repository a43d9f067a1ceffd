"""Reports how many requests the API fuzzer generated, beside pytest's own summary."""

from __future__ import annotations

from typing import Any

from tests.fuzz.test_openapi_fuzz import RUN


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if RUN.cases:
        terminalreporter.write_line(
            f"API fuzzer: {RUN.cases} generated cases over {len(RUN.operations)} operations, "
            f"statuses {dict(sorted(RUN.statuses.items()))} (SB_FUZZ_SEED={RUN.seed})")
