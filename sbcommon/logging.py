"""Log lines: redacted, tagged with who wrote them and which request they belong to.

- ``SecretFilter`` masks values of keys that name a secret (password, pin, token, secret,
  authorization, cookie) in ``key=value`` / ``"key": "value"`` text and in dict arguments.
- ``ContextFilter`` adds the process's service and replica and the current correlation id
  (the gateway makes one per request; RPCs and events carry it on, see ``sbcommon.metrics``)
  to every record; ``formatter()`` writes them as one JSON object per line
  (``SB_LOG_FORMAT=json``, for a log collector) or as readable text (the default, for a
  developer's terminal).
- ``ExpectedOutcomeFilter`` turns nameko's "error handling worker" record of an expected
  outcome (a 404, a 409, a refused request: ``sbcommon.errors.EXPECTED_ERRORS``) into one
  INFO line without traceback; ERROR stays for what an operator must look at.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

SECRET_KEYS = ("password", "passwd", "pin", "token", "secret", "authorization", "cookie",
               "api_key", "csrf")
_KEY = "|".join(SECRET_KEYS)
# A key is matched only from the start of its run of word characters, with a look-ahead
# for the secret word inside it: a pattern free to start anywhere in a long run (an 8 KB
# URL) backtracks quadratically and held a gateway for seconds per logged request.
_SECRET_RUN = rf"""(?<![\w-])(?=[\w-]*?(?:{_KEY}))[\w-]*"""
_PATTERNS = [
    # "password": "x"  /  'token': 'x'
    re.compile(rf"""(?i)(["']?{_SECRET_RUN}["']?\s*[:=]\s*)(["'])(.*?)(\2)"""),
    # password=x  token: x  Authorization: Bearer x
    re.compile(rf"""(?i)({_SECRET_RUN}\s*[:=]\s*)(?!["'])(bearer\s+)?([^\s,;&"'}}]+)"""),
]
MASK = "***"


def redact_text(text: str) -> str:
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(4)}", text)
    return _PATTERNS[1].sub(lambda m: f"{m.group(1)}{m.group(2) or ''}{MASK}", text)


def redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: (MASK if any(s in str(k).lower() for s in SECRET_KEYS) else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(redact(v) for v in value)
    if isinstance(value, str):
        return redact_text(value)
    return value


class SecretFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = redact_text(record.getMessage())
            record.args = None
        elif isinstance(record.msg, str):
            record.msg = redact_text(record.msg)
        if record.exc_info and record.exc_info[1] is not None:
            # Format the traceback now, redacted, so the formatter does not re-add it raw.
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
            record.msg = f"{record.msg}\n{record.exc_text}"
            record.exc_text = None
        return True


# -- who writes, and for which request -----------------------------------------------------
# Each nameko worker runs in its own greenlet, and each greenlet has its own context: the id
# set by a worker is seen by everything that worker logs, and by no other worker.
_CORRELATION: ContextVar[str | None] = ContextVar("correlation_id", default=None)
CORRELATION_KEY = "correlation_id"  # in nameko context data, so in every RPC's headers
REQUEST_ID_HEADER = "X-Request-Id"
_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,99}")

IDENTITY = {
    "service": os.environ.get("SB_SERVICE_NAME", ""),
    # the dev run names replicas (routing_policy-2); elsewhere host and pid (a pod's name)
    "replica": os.environ.get("SB_REPLICA") or f"{socket.gethostname()}:{os.getpid()}",
}


def set_service(name: str) -> None:
    """Name the process's service in its log lines (nameko's container does, at set-up)."""
    if not IDENTITY["service"]:
        IDENTITY["service"] = name


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def valid_correlation_id(value: str | None) -> str | None:
    """``value`` if it can be used as a correlation id (a caller's X-Request-Id), else None:
    what goes into every log line must be short and plain."""
    if isinstance(value, str) and _VALID_ID.fullmatch(value):
        return value
    return None


def current_correlation_id() -> str | None:
    return _CORRELATION.get()


def bind_correlation_id(value: str | None) -> Any:
    """Make ``value`` the current correlation id; returns the token to ``reset`` it with."""
    return _CORRELATION.set(value)


def reset_correlation_id(token: Any) -> None:
    try:
        _CORRELATION.reset(token)
    except ValueError:  # set in another context (a worker torn down elsewhere): forget it
        _CORRELATION.set(None)


class ContextFilter(logging.Filter):
    """Adds ``service``, ``replica`` and ``correlation_id`` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = IDENTITY["service"] or "-"
        record.replica = IDENTITY["replica"]
        record.correlation_id = _CORRELATION.get() or "-"
        return True


TEXT_FORMAT = ("%(asctime)s %(levelname)s %(service)s[%(replica)s] "
               "cid=%(correlation_id)s %(name)s %(message)s")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; a traceback (already redacted) is in ``message``."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            message = f"{message}\n{record.exc_text}"
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": getattr(record, "service", None) or IDENTITY["service"] or "-",
            "replica": getattr(record, "replica", None) or IDENTITY["replica"],
            "correlation_id": getattr(record, "correlation_id", None) or "-",
            "logger": record.name,
            "message": message,
        }
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        for name, default in (("service", "-"), ("replica", IDENTITY["replica"]),
                              ("correlation_id", "-")):
            if not hasattr(record, name):
                setattr(record, name, default)
        return super().format(record)


def formatter() -> logging.Formatter:
    """The formatter ``SB_LOG_FORMAT`` names: ``json`` or ``text`` (the default)."""
    kind = os.environ.get("SB_LOG_FORMAT", "text").strip().lower()
    return JsonFormatter() if kind == "json" else TextFormatter()


class ExpectedOutcomeFilter(logging.Filter):
    """On nameko's container logger: an entrypoint that raised an expected error (the
    caller gets a 4xx) is one INFO line, not an ERROR with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        from .errors import EXPECTED_ERRORS, Unavailable

        exc = record.exc_info[1] if record.exc_info else None
        if exc is None and "error handling worker" in str(record.msg) and record.args:
            exc = next((a for a in record.args if isinstance(a, BaseException)), None)
        if isinstance(exc, EXPECTED_ERRORS):
            level = logging.INFO
        elif isinstance(exc, Unavailable):  # a dependency away: worth a line, not a traceback
            level = logging.WARNING
        else:
            return True
        worker = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
        entrypoint = getattr(getattr(worker, "entrypoint", None), "method_name", None)
        service = getattr(worker, "service_name", None) or IDENTITY["service"]
        record.levelno, record.levelname = level, logging.getLevelName(level)
        record.msg = "%s.%s answered %s: %s"
        record.args = (service, entrypoint or "?", getattr(exc, "code", type(exc).__name__),
                       str(exc)[:300])
        record.exc_info = None
        record.exc_text = None
        return True


def install(level: str = "INFO") -> None:
    """Configure root logging (outside nameko's config: scripts, the file server) with the
    redaction and context filters on every handler."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(formatter())
        root.addHandler(handler)
    root.setLevel(level)
    for handler in root.handlers:
        if not any(isinstance(f, SecretFilter) for f in handler.filters):
            handler.addFilter(SecretFilter())
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())
