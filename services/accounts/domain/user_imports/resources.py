"""Addresses and names that belong to rooms, resources and shared mailboxes."""

from __future__ import annotations

import re

# Google calendar resources have their own domain; rooms and shared mailboxes elsewhere are
# named by convention. The local part must *start* with the word, so "broome@" is a person.
RESOURCE_DOMAINS = ("resource.calendar.google.com",)
LOCAL_PREFIXES = re.compile(
    r"^(room|rooms|conf|conference|meeting|boardroom|salle|resource|ressource|shared|"
    r"noreply|no-reply)([._-]|\d|$)", re.IGNORECASE)
NAME_WORDS = re.compile(r"^(room|conference room|meeting room|boardroom|salle)\b", re.IGNORECASE)


def resource_like(email: str, name: str) -> bool:
    local, _, domain = email.strip().casefold().partition("@")
    if domain in RESOURCE_DOMAINS:
        return True
    return bool(LOCAL_PREFIXES.match(local) or NAME_WORDS.match(name.strip()))
