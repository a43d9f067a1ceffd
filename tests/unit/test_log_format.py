"""Log lines: JSON for a collector, readable text for a developer, the correlation id and
the process's identity on both, and an expected refusal as one INFO line."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from sbcommon import logging as sblogging
from sbcommon.errors import Conflict


def _record(msg: str, level: int = logging.INFO, exc_info=None, args=()) -> logging.LogRecord:
    return logging.LogRecord("svc.module", level, __file__, 1, msg, args, exc_info)


def _format(kind: str, record: logging.LogRecord, monkeypatch) -> str:
    monkeypatch.setenv("SB_LOG_FORMAT", kind)
    sblogging.SecretFilter().filter(record)
    sblogging.ContextFilter().filter(record)
    return sblogging.formatter().format(record)


def test_json_line_carries_service_replica_level_and_correlation_id(monkeypatch):
    monkeypatch.setitem(sblogging.IDENTITY, "service", "numbering")
    monkeypatch.setitem(sblogging.IDENTITY, "replica", "numbering-2")
    token = sblogging.bind_correlation_id("abc12345-req")
    try:
        line = _format("json", _record("added %s password=hunter2", args=("+15145550100",)),
                       monkeypatch)
    finally:
        sblogging.reset_correlation_id(token)
    data = json.loads(line)
    assert "\n" not in line
    assert data["service"] == "numbering" and data["replica"] == "numbering-2"
    assert data["level"] == "INFO" and data["correlation_id"] == "abc12345-req"
    assert data["message"] == "added +15145550100 password=***"


def test_a_traceback_stays_inside_the_one_json_line(monkeypatch):
    try:
        raise RuntimeError("token=s3cret broke")
    except RuntimeError:
        record = _record("failed", logging.ERROR, exc_info=sys.exc_info())
    data = json.loads(_format("json", record, monkeypatch))
    assert "Traceback" in data["message"] and "s3cret" not in data["message"]


def test_text_line_is_readable_and_has_the_correlation_id(monkeypatch):
    token = sblogging.bind_correlation_id("trace-000001")
    try:
        line = _format("text", _record("hello"), monkeypatch)
    finally:
        sblogging.reset_correlation_id(token)
    assert " INFO " in line and "cid=trace-000001" in line and line.endswith("hello")


@pytest.mark.parametrize("value,usable", [
    ("0123456789abcdef", True), ("req-1.2:3_x", True), ("short", False),
    ("has space inside", False), ("x" * 101, False), ("abcdefgh\n", False), (None, False),
])
def test_only_plain_request_ids_are_kept(value, usable):
    assert sblogging.valid_correlation_id(value) == (value if usable else None)


class _Worker:
    service_name = "numbering"

    class entrypoint:  # noqa: N801  (the shape of nameko's WorkerContext.entrypoint)
        method_name = "add_number"


def test_an_expected_error_becomes_one_info_line():
    exc = Conflict("+15145550100 is already in your pool")
    try:
        raise exc
    except Conflict:
        record = _record("error handling worker %s: %s", logging.ERROR,
                         exc_info=sys.exc_info(), args=(_Worker(), exc))
    assert sblogging.ExpectedOutcomeFilter().filter(record)
    assert record.levelno == logging.INFO and record.exc_info is None
    assert record.getMessage() == ("numbering.add_number answered conflict: "
                                   "+15145550100 is already in your pool")


def test_an_unexpected_error_keeps_its_traceback():
    try:
        raise KeyError("boom")
    except KeyError as exc:
        record = _record("error handling worker %s: %s", logging.ERROR,
                         exc_info=sys.exc_info(), args=(_Worker(), exc))
    assert sblogging.ExpectedOutcomeFilter().filter(record)
    assert record.levelno == logging.ERROR and record.exc_info is not None


def test_a_dependency_away_is_one_warning_line():
    from sbcommon.errors import Unavailable

    exc = Unavailable("the numbering database is unavailable; try again shortly")
    try:
        raise exc
    except Unavailable:
        record = _record("(expected) error handling worker %s: %s", logging.WARNING,
                         exc_info=sys.exc_info(), args=(_Worker(), exc))
    assert sblogging.ExpectedOutcomeFilter().filter(record)
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "answered service_unavailable" in record.getMessage()
