"""Phone numbers as people write them → E.164, with what phonenumbers says about them."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType, geocoder

MAX_INPUT = 64  # characters; a phone number written with spaces and brackets fits easily

TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}


class NumberError(ValueError):
    """Why a text is not a number we take; ``code`` is stable, ``str()`` is for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ParsedNumber:
    e164: str
    country: str  # ISO 3166-1 alpha-2
    number_type: str
    area_code: str  # national destination code ("514"), may be empty
    region: str  # geographic description in English ("Quebec"), may be empty


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def parse_number(text: str) -> ParsedNumber:
    """E.164 and metadata for ``text``, or NumberError.

    Letters are refused before phonenumbers sees the text: it would turn 1-800-FLOWERS into
    digits, and a vanity number in an import is a mistake, not a number.
    """
    raw = text.strip()
    if not raw:
        raise NumberError("empty", "empty")
    if len(raw) > MAX_INPUT:
        raise NumberError("too_long", f"longer than {MAX_INPUT} characters")
    if has_letters(raw):
        raise NumberError("letters", "contains letters")
    if not raw.startswith("+") and not raw.startswith("00"):
        raise NumberError("no_country_code",
                          "no country code: write it in international form, e.g. +1 514 555 1212")
    digits = sum(ch.isdigit() for ch in raw)
    if digits < 7:
        raise NumberError("too_short", "too short to be a phone number")
    if digits > 17:
        raise NumberError("too_long", "too long to be a phone number")
    try:
        number = phonenumbers.parse("+" + raw[2:] if raw.startswith("00") else raw, None)
    except phonenumbers.NumberParseException:
        raise NumberError("invalid",
                          "not a phone number (unknown country code or format)") from None
    if not phonenumbers.is_valid_number(number):
        country = phonenumbers.region_code_for_country_code(number.country_code)
        where = f"for {country}" if country and country != "ZZ" else "for any country"
        raise NumberError("invalid_for_country", f"not a valid number {where}")
    return _describe(number)


def _describe(number: phonenumbers.PhoneNumber) -> ParsedNumber:
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.national_significant_number(number)
    ndc = national[: phonenumbers.length_of_national_destination_code(number)]
    return ParsedNumber(
        e164=e164,
        country=phonenumbers.region_code_for_number(number) or "",
        number_type=TYPE_NAMES.get(phonenumbers.number_type(number), "unknown"),
        area_code=ndc,
        region=_region(e164),
    )


def _region(e164: str) -> str:
    """The geocoder costs more than parsing. Its prefix tables are finer than the area
    code (in North America, area code + exchange), so numbers that differ only in their
    last four digits share a region: look each such block up once."""
    block = e164[:-4]
    region = _REGIONS.get(block)
    if region is None:
        region = geocoder.description_for_number(phonenumbers.parse(e164, None), "en") or ""
        if len(_REGIONS) < 100_000:
            _REGIONS[block] = region
    return region


_REGIONS: dict[str, str] = {}
