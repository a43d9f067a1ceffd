"""MAC addresses: accepted in the usual spellings, stored as 12 lowercase hex digits."""

from __future__ import annotations

import re

from sbcommon.errors import Invalid

_SEPARATED = re.compile(r"^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$")
_CISCO = re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$")
_BARE = re.compile(r"^[0-9a-f]{12}$")


def _error(message: str) -> Invalid:
    return Invalid(message, [{"field": "mac", "message": message}])


def normalize_mac(raw: object) -> str:
    """``00:15:65:AB:CD:EF``, ``00-15-65-ab-cd-ef``, ``0015.65ab.cdef`` or ``001565abcdef``
    → ``001565abcdef``. Refuses all-zero, broadcast and multicast addresses: no phone has
    one, so they are typing mistakes that would collide between customers."""
    if not isinstance(raw, str):
        raise _error("MAC address must be text like 00:15:65:AB:CD:EF")
    text = raw.strip().lower()
    if len(text) > 17 or not (
        _SEPARATED.match(text) or _CISCO.match(text) or _BARE.match(text)
    ):
        raise _error("MAC address must look like 00:15:65:AB:CD:EF, 00-15-65-ab-cd-ef, "
                     "0015.65ab.cdef or 001565abcdef")
    mac = re.sub(r"[^0-9a-f]", "", text)
    if mac == "0" * 12:
        raise _error("the all-zero MAC address is not a device's address")
    if mac == "f" * 12:
        raise _error("the broadcast MAC address is not a device's address")
    if int(mac[:2], 16) & 1:
        raise _error("a multicast MAC address (odd first byte) is not a device's address")
    return mac


def display_mac(mac: str) -> str:
    """``001565abcdef`` → ``00:15:65:AB:CD:EF`` (how it is printed on the phone's label)."""
    return ":".join(mac[i:i + 2] for i in range(0, 12, 2)).upper()
