"""The platform's secret keys: where they come from, their ids, and refusing to start
without real ones.

``SB_SECRET_KEY`` holds one secret, or several with ids, newest first::

    SB_SECRET_KEY="2026b:<random>,2026a:<older random>"

The newest signs (actors, CSRF tokens) and seals (idempotency outcomes); every listed key
still verifies and opens, so a key can be replaced without a flag day. A bare secret gets
an id derived from it. Purpose-specific keys are derived with HMAC, so one secret never
signs two kinds of thing.

Outside development (``SB_ENV`` is anything but ``development``; unset means production)
every process refuses to start when a key it needs is missing, too short or one of the
defaults that ship in this repository, and says which variable to set. In development a
fixed key is used when none is set, so a fresh checkout runs.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

DEVELOPMENT_KEY = "switchboard-development-only"
# Values that appear in this repository (compose, docs, tests): never a production key.
KNOWN_DEFAULTS = frozenset({
    DEVELOPMENT_KEY,
    "change-me-in-production-0123456789abcdef",
    "test-secret-key-not-for-production",
    "change-me",
})
MIN_LENGTH = 32


class KeyError_(RuntimeError):  # noqa: N801 (not the builtin KeyError)
    """A key is missing or unusable; the message names the variable to set."""


def environment() -> str:
    return os.environ.get("SB_ENV", "production").strip().lower() or "production"


def is_development() -> bool:
    return environment() == "development"


@dataclass(frozen=True)
class Key:
    kid: str
    secret: bytes

    def derive(self, purpose: str) -> bytes:
        return hmac.new(self.secret, f"switchboard:{purpose}".encode(), hashlib.sha256).digest()


def key_id(secret: str) -> str:
    return "k" + hashlib.sha256(secret.encode()).hexdigest()[:8]


def parse_ring(raw: str, variable: str) -> tuple[Key, ...]:
    """``id:secret,id:secret`` or one bare secret → keys, newest first."""
    keys: list[Key] = []
    for entry in (e.strip() for e in raw.split(",")):
        if not entry:
            continue
        kid, sep, secret = entry.partition(":")
        if not sep:
            kid, secret = key_id(entry), entry
        kid = kid.strip()
        if not kid or not kid.replace("-", "").replace("_", "").isalnum() or len(kid) > 32:
            raise KeyError_(f"{variable}: key id {kid!r} must be 1-32 letters, digits, - or _")
        keys.append(Key(kid, secret.strip().encode()))
    if len({k.kid for k in keys}) != len(keys):
        raise KeyError_(f"{variable}: two keys have the same id")
    return tuple(keys)


def weak_reason(secret: str) -> str | None:
    if secret in KNOWN_DEFAULTS:
        return "is a default value from the repository"
    if len(secret) < MIN_LENGTH:
        return f"is shorter than {MIN_LENGTH} characters"
    return None


class KeyRing:
    def __init__(self, keys: tuple[Key, ...]):
        if not keys:
            raise KeyError_("a key ring needs at least one key")
        self.keys = keys
        self._by_id = {k.kid: k for k in keys}

    @property
    def current(self) -> Key:
        return self.keys[0]

    def get(self, kid: str) -> Key | None:
        return self._by_id.get(kid)


def secret_keys(environ: dict[str, str] | None = None) -> KeyRing:
    """The ring of ``SB_SECRET_KEY``; refuses a missing or weak key outside development."""
    environ = os.environ if environ is None else environ
    raw = environ.get("SB_SECRET_KEY", "").strip()
    development = environ.get("SB_ENV", "production").strip().lower() == "development"
    if not raw:
        if development:
            return KeyRing((Key("dev", DEVELOPMENT_KEY.encode()),))
        raise KeyError_(
            "SB_SECRET_KEY is not set. Set it to a random value of at least 32 characters "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`), the same "
            "for every process, or set SB_ENV=development on a development machine.")
    ring = KeyRing(parse_ring(raw, "SB_SECRET_KEY"))
    if not development:
        for key in ring.keys:
            reason = weak_reason(key.secret.decode())
            if reason:
                raise KeyError_(
                    f"SB_SECRET_KEY (key {key.kid}) {reason}. Set SB_SECRET_KEY to a random "
                    f"value of at least {MIN_LENGTH} characters, the same for every process "
                    "(or SB_ENV=development on a development machine).")
    return ring


_RING: KeyRing | None = None


def ring() -> KeyRing:
    """The process's ring, read once."""
    global _RING
    if _RING is None:
        _RING = secret_keys()
    return _RING


def reset_cache() -> None:
    global _RING
    _RING = None


def require() -> KeyRing:
    """At start-up: the ring, or exit naming the variable to set."""
    try:
        return ring()
    except KeyError_ as exc:
        raise SystemExit(f"refusing to start: {exc}") from None
