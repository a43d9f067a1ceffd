"""Generated credentials and the encryption of those the platform must read back.

FTP passwords and SIP line secrets are both shown again later (on the boot configuration
page, in the phone's file), so they are encrypted with Fernet (AES-128-CBC + HMAC-SHA256)
rather than hashed. Alphabets avoid characters that need escaping in any vendor format or
URL, and look-alikes (0/O, 1/l/I) for passwords a person types into a phone.
"""

from __future__ import annotations

import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

_READABLE = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def ftp_password() -> str:
    """20 readable characters: about 116 bits."""
    return "".join(secrets.choice(_READABLE) for _ in range(20))


def sip_secret() -> str:
    """24 alphanumerics: about 143 bits; the phone stores it, nobody types it."""
    return "".join(secrets.choice(_ALNUM) for _ in range(24))


def ftp_username() -> str:
    """``p`` + 11 lowercase hex: not derived from the customer, so it reveals nothing."""
    return "p" + secrets.token_hex(6)[:11]


def sip_username() -> str:
    return "sb" + secrets.token_hex(8)


class SecretBox:
    """Encrypts with the first key, decrypts with the key a value names (keys rotate).

    ``keys`` are Fernet keys, newest first, each ``<id>:<key>`` or a bare key (its id is
    derived from it). A stored value is ``<id>$<fernet token>``; one stored before keys had
    ids is tried against every key (and ``legacy`` ones, accepted only to decrypt).
    """

    def __init__(self, keys: tuple[str, ...], legacy: tuple[str, ...] = ()):
        if not keys:
            raise RuntimeError("provisioning needs at least one encryption key")
        try:
            self._keys = [_fernet_entry(k) for k in keys]
            self._legacy = [Fernet(k.encode()) for k in legacy]
        except ValueError as exc:
            raise RuntimeError("PROVISIONING_SECRET_KEYS must be Fernet keys "
                               "(32 url-safe base64-encoded bytes), each optionally "
                               "preceded by an id and a colon") from exc
        self._by_id = dict(self._keys)
        if len(self._by_id) != len(self._keys):
            raise RuntimeError("PROVISIONING_SECRET_KEYS: two keys have the same id")

    @property
    def current_id(self) -> str:
        return self._keys[0][0]

    def encrypt(self, plain: str) -> str:
        kid, fernet = self._keys[0]
        return f"{kid}${fernet.encrypt(plain.encode()).decode()}"

    def key_id(self, stored: str) -> str | None:
        """The id a stored value names (None: stored before keys had ids)."""
        kid, sep, _ = stored.partition("$")
        return kid if sep else None

    def decrypt(self, stored: str) -> str:
        kid, sep, token = stored.partition("$")
        try:
            if sep:
                fernet = self._by_id.get(kid)
                if fernet is None:
                    raise InvalidToken
                return fernet.decrypt(token.encode()).decode()
            every = [f for _, f in self._keys] + self._legacy
            return MultiFernet(every).decrypt(stored.encode()).decode()
        except InvalidToken:
            # Wrong key configuration, not a user error: fail loudly without the value.
            raise RuntimeError("a stored secret cannot be decrypted with the configured "
                               f"PROVISIONING_SECRET_KEYS (it names key {kid if sep else '—'})"
                               ) from None


def _fernet_entry(entry: str) -> tuple[str, Fernet]:
    kid, sep, key = entry.strip().partition(":")
    if not sep:
        kid, key = "k" + hashlib.sha256(entry.strip().encode()).hexdigest()[:8], entry.strip()
    return kid.strip(), Fernet(key.strip().encode())
