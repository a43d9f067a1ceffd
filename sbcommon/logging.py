"""Log redaction: secrets never reach a log line, even by mistake.

Every service installs ``SecretFilter`` on the root handlers (``install``). It masks values
of keys that name a secret (password, pin, token, secret, authorization, cookie) in
``key=value`` / ``"key": "value"`` text and in dict arguments.
"""

from __future__ import annotations

import logging
import re
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


def install(level: str = "INFO") -> None:
    """Configure root logging with the redaction filter on every handler."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
    root.setLevel(level)
    for handler in root.handlers:
        if not any(isinstance(f, SecretFilter) for f in handler.filters):
            handler.addFilter(SecretFilter())
