"""Generated credentials and the encryption of those the platform must read back.

FTP passwords and SIP line secrets are both shown again later (on the boot configuration
page, in the phone's file), so they are encrypted with Fernet (AES-128-CBC + HMAC-SHA256)
rather than hashed. Alphabets avoid characters that need escaping in any vendor format or
URL, and look-alikes (0/O, 1/l/I) for passwords a person types into a phone.
"""

from __future__ import annotations

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
    """Encrypts with the first key, decrypts with any (so keys can be rotated)."""

    def __init__(self, keys: tuple[str, ...]):
        if not keys:
            raise RuntimeError("provisioning needs at least one encryption key")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        except ValueError as exc:
            raise RuntimeError("PROVISIONING_SECRET_KEYS must be Fernet keys "
                               "(32 url-safe base64-encoded bytes)") from exc

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            # Wrong key configuration, not a user error: fail loudly without the value.
            raise RuntimeError("a stored secret cannot be decrypted with the configured "
                               "PROVISIONING_SECRET_KEYS") from None
