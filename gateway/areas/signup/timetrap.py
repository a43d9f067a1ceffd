"""The sign-up form's time trap: the form carries the moment it was served, signed with the
key ring (purpose ``signup-form``); a form sent back sooner than a person could fill it
(or with no, a forged or a stale timestamp) is refused. Pure functions of a clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
from typing import Literal

from sbcommon import keys

PURPOSE = "signup-form"
TOKEN_RE = re.compile(r"^([0-9]{1,12})\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{22})$")
Verdict = Literal["ok", "missing", "forged", "too_fast", "too_old"]


def _mac(key: keys.Key, issued: int) -> str:
    digest = hmac.new(key.derive(PURPOSE), str(issued).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:22]


def issue(now: float, ring: keys.KeyRing) -> str:
    issued = math.ceil(now)  # rounded up: a form never looks older than it is
    return f"{issued}.{ring.current.kid}.{_mac(ring.current, issued)}"


def check(token: str | None, now: float, ring: keys.KeyRing, min_seconds: int,
          max_seconds: int) -> Verdict:
    if not token:
        return "missing"
    match = TOKEN_RE.match(token)
    if match is None:
        return "forged"
    issued = int(match.group(1))
    key = ring.get(match.group(2))
    if key is None or not hmac.compare_digest(_mac(key, issued), match.group(3)):
        return "forged"
    age = now - issued
    if age < min_seconds:
        return "too_fast"
    if age > max_seconds:
        return "too_old"
    return "ok"
