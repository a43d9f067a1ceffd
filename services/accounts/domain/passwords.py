"""Password and PIN hashing with argon2id.

Hashing is deliberately slow CPU work. ``run`` lets the service push it off the eventlet hub
(``eventlet.tpool.execute``); argon2-cffi releases the GIL, so other requests keep flowing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


def _direct(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


class Hasher:
    def __init__(
        self,
        time_cost: int = 3,
        memory_cost: int = 64 * 1024,
        parallelism: int = 1,
        run: Callable[..., Any] = _direct,
    ):
        # RFC 9106's second recommended option (t=3, m=64 MiB); p=1 because the service
        # already parallelises across requests on a small machine.
        self._hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism,
            type=Type.ID,
        )
        self._run = run
        self._dummy = self._hasher.hash("not-a-real-password")

    def hash(self, password: str) -> str:
        return self._run(self._hasher.hash, password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Constant work whether or not the user exists (no timing oracle)."""
        target = password_hash or self._dummy
        try:
            ok = self._run(self._hasher.verify, target, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return bool(ok) and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
