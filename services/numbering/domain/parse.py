"""Phone numbers as people write them → E.164, with what phonenumbers says about them."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType, geocoder
from phonenumbers.phonenumberutil import _number_type_helper

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


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def parse_number(text: str, country: str | None = None) -> ParsedNumber:
    """E.164 and metadata for ``text``, or NumberError.

    Letters are refused before phonenumbers sees the text: it would turn 1-800-FLOWERS into
    digits, and a vanity number in an import is a mistake, not a number. A number without
    its country code is refused, unless ``country`` (ISO alpha-2) says where it is written:
    user lists exported from phone systems write national numbers (5145551212).
    """
    raw = text.strip()
    if not raw:
        raise NumberError("empty", "empty")
    if len(raw) > MAX_INPUT:
        raise NumberError("too_long", f"longer than {MAX_INPUT} characters")
    if has_letters(raw):
        raise NumberError("letters", "contains letters")
    national = not raw.startswith("+") and not raw.startswith("00")
    if national and country:
        return _parse_national(raw, country)
    if national:
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
    return _describe(number)


def _parse_national(raw: str, country: str) -> ParsedNumber:
    if sum(ch.isdigit() for ch in raw) < 7:
        raise NumberError("too_short", "too short to be a phone number")
    try:
        number = phonenumbers.parse(raw, country.upper())
    except phonenumbers.NumberParseException:
        raise NumberError("invalid", f"not a phone number of {country.upper()}") from None
    return _describe(number)


def _describe(number: phonenumbers.PhoneNumber) -> ParsedNumber:
    """Validity, country, type and area code, doing each costly look-up once.

    phonenumbers' is_valid_number is "its region's metadata gives it a type": asking for
    the type answers both. The country of a +1 number depends on its area code alone, and
    the area code's length on the leading digits, so both are cached.
    """
    national = phonenumbers.national_significant_number(number)
    country = _country(number, national)
    number_type = _type(number, national, country)
    if number_type == "unknown":
        where = f"for {country}" if country else "for its calling code"
        raise NumberError("invalid_for_country", f"not a valid number {where}")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return ParsedNumber(e164=e164, country=country, number_type=number_type,
                        area_code=national[: _ndc_length(number, national)])


def _country(number: phonenumbers.PhoneNumber, national: str) -> str:
    regions = phonenumbers.region_codes_for_country_code(number.country_code)
    if len(regions) == 1:
        return regions[0] if regions[0] != "001" else ""
    if number.country_code == 1 and len(national) == 10:
        return _nanp_country(national[:3], number)
    return phonenumbers.region_code_for_number(number) or ""


def _nanp_country(area_code: str, number: phonenumbers.PhoneNumber) -> str:
    # North American numbers belong to a country by area code: resolve one per area code.
    cached = _NANP.get(area_code)
    if cached is None:
        cached = phonenumbers.region_code_for_number(number) or ""
        if cached:
            _NANP[area_code] = cached
    return cached


_NANP: dict[str, str] = {}


def _type(number: phonenumbers.PhoneNumber, national: str, country: str) -> str:
    """The number's type in its metadata; "unknown" means not valid there. Global
    services (satellite, +881…) have no country: their metadata is by calling code."""
    if country:
        metadata = PhoneMetadata.metadata_for_region(country)
    else:
        metadata = PhoneMetadata.metadata_for_nongeo_region(number.country_code)
    if metadata is None:
        return "unknown"
    # is_valid_number and number_type each run this same matcher; call it once (pinned
    # phonenumbers; test_numbering_parse checks it agrees with the public functions).
    return TYPE_NAMES.get(_number_type_helper(national, metadata), "unknown")


def _ndc_length(number: phonenumbers.PhoneNumber, national: str) -> int:
    if number.country_code == 1:
        return 3
    # The formatting rule that gives the area code's length is chosen by leading digits.
    key = (number.country_code, national[:6])
    length = _NDC.get(key)
    if length is None:
        length = phonenumbers.length_of_national_destination_code(number)
        if len(_NDC) < 50_000:
            _NDC[key] = length
    return length


_NDC: dict[tuple[int, str], int] = {}


def region_for(e164: str) -> str:
    """Geographic description in English ("Montreal, QC"): the geocoder costs more than
    parsing, so it is looked up when shown, once per block of numbers that differ only in
    their last four digits (its prefix tables are never finer)."""
    block = e164[:-4]
    region = _REGIONS.get(block)
    if region is None:
        region = geocoder.description_for_number(phonenumbers.parse(e164, None), "en") or ""
        if len(_REGIONS) < 100_000:
            _REGIONS[block] = region
    return region


_REGIONS: dict[str, str] = {}
