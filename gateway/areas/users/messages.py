"""Strings of the users pages, in French and English."""

MESSAGES = {
    "en": {},
    "fr": {},
}
