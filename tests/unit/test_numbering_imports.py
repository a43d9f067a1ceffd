"""The import lifecycle in numbering's domain, against real PostgreSQL with an injected
clock: blocks of whole lines read back exactly as the line reader reads the stream,
blocks are added in the file's order, and an import nobody feeds fails with a reason."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from sbcommon.actor import Actor, Role
from sbcommon.errors import Conflict
from sbcommon.textlines import block_lines, iter_lines, line_blocks
from services.numbering.domain import imports
from tests.numbering.conftest import fresh_numbers

# In the future, so the timer of a numbering service running beside these tests (the
# platform fixture) leaves these imports to the injected clock.
T0 = datetime.now(UTC) + timedelta(days=1)
PIECES = [b"+1 514 555 1212\n", b"\r\n", b"\xef\xbb\xbfx\n", b"\xe9\xe9\n", b"a" * 50,
          b"\n", b"bc" * 3000, b"z", b"+44 7979 123456"]


@pytest.mark.parametrize("seed", range(40))
def test_blocks_hold_the_same_lines_as_the_stream(seed):
    rng = random.Random(seed)
    data = b"".join(rng.choice(PIECES) for _ in range(rng.randint(0, 80)))
    chunks = [data[i:i + 7] for i in range(0, len(data), 7)]
    read = [(n, text) for n, text, _ in iter_lines(chunks, 100)]
    size = rng.choice([1, 10, 100, 1000])
    blocked = [line for first, block, _ in line_blocks(chunks, size, 100)
               for line in block_lines(first, block)]
    assert blocked == read


@pytest.fixture
def reseller() -> Actor:
    return Actor(user_id="u", role=Role.RESELLER, reseller_id=str(uuid.uuid4()))


@pytest.fixture
def numbers_db(databases):
    return databases["numbering"]


def block(first_line: int, numbers: list[str]) -> imports.Screened:
    return imports.screen([(first_line + i, n) for i, n in enumerate(numbers)])


def test_a_block_waits_for_the_one_before_it(numbers_db, reseller):
    numbers = fresh_numbers(4)
    with numbers_db.begin() as session:
        job = imports.start(session, reseller, None, T0)
    later = block(3, numbers[2:] + numbers[:1])  # line 5 repeats line 1
    with numbers_db.begin() as session:
        assert imports.add_screened(session, reseller, job, later, 0, T0) is None
    with numbers_db.begin() as session:
        assert imports.add_screened(session, reseller, job, block(1, numbers[:2]), 0, T0) \
            == {"added": 2, "rejected": 0}
    with numbers_db.begin() as session:
        assert imports.add_screened(session, reseller, job, later, 0, T0) \
            == {"added": 2, "rejected": 1}
    with numbers_db.begin() as session, pytest.raises(Conflict):
        imports.add_screened(session, reseller, job, block(1, numbers[:2]), 0, T0)
    with numbers_db() as session:
        report = imports.report(session, reseller, job)
    assert [(r["line"], r["reason"]) for r in report["rejections"]] == [
        (5, "duplicate_in_file")]


def test_only_imports_not_fed_for_the_expiry_fail(numbers_db, reseller):
    with numbers_db.begin() as session:
        stale = imports.start(session, reseller, None, T0)
        fed = imports.start(session, reseller, None, T0)
        done = imports.start(session, reseller, None, T0)
    with numbers_db.begin() as session:
        imports.add_screened(session, reseller, fed, block(1, fresh_numbers(1)), 10,
                             T0 + timedelta(seconds=50))
        imports.finish(session, reseller, done, None, T0)
    with numbers_db.begin() as session:
        imports.expire_stale(session, T0 + timedelta(seconds=60), 60)  # not yet
        imports.expire_stale(session, T0 + timedelta(seconds=61), 60)
    with numbers_db() as session:
        reports = {job: imports.report(session, reseller, job) for job in (stale, fed, done)}
    assert reports[stale]["status"] == "failed"
    assert "no data received for 60 seconds" in reports[stale]["reason"]
    assert reports[fed]["status"] == "running" and reports[fed]["reason"] is None
    assert reports[done]["status"] == "done" and reports[done]["reason"] is None
