"""Dialled strings → E.164, emergency numbers, and what a destination is (country, category).

Plain phonenumbers logic: no database, no nameko. Every refusal says what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType, shortnumberinfo

from sbcommon.errors import Invalid

MAX_DIALED = 64
# Separators a phone or a PBX may leave in a dialled string; they carry no meaning.
SEPARATORS = re.compile(r"[\s().\-/]")
DIALABLE = re.compile(r"^\+?[0-9]+$")
NON_GEOGRAPHIC = "001"  # phonenumbers' region for +800, +808, +870, +881, +882, +883, +979
SATELLITE_CODES = {870, 881, 882, 883}  # Inmarsat, Iridium/Thuraya/Globalstar, networks
# Fallback international prefixes when the customer's region uses another one (a Canadian
# user typing 00 44… means London, not the NANP operator).
FALLBACK_IDD = ("011", "00")


@dataclass(frozen=True)
class Destination:
    e164: str  # "+5371234567"
    region: str | None  # ISO code, "001" for non-geographic, None if unknown
    categories: frozenset[str]

    @property
    def digits(self) -> str:
        return self.e164[1:]


def clean(dialed: str) -> str:
    """Separators out; letters and other characters refused (phonenumbers would turn
    1-800-FLOWERS into digits, which is not what a PBX dialled)."""
    if len(dialed) > MAX_DIALED:
        raise Invalid(f"dialed is {len(dialed)} characters long; at most {MAX_DIALED}",
                      [{"field": "dialed", "message": "too long"}])
    compact = SEPARATORS.sub("", dialed)
    if not compact:
        raise Invalid("dialed is empty", [{"field": "dialed", "message": "empty"}])
    if not DIALABLE.match(compact):
        bad = next((c for c in compact if not (c.isdigit() or c == "+")), None)
        what = (f"dialed contains {bad!r}; only digits, a leading + and separators are "
                "accepted") if bad else f"{compact} is not a possible phone number (+ only "\
            "leads digits)"
        raise Invalid(what, [{"field": "dialed", "message": "not a number"}])
    return compact


def is_emergency(compact: str, country: str) -> bool:
    """Exact emergency numbers of the customer's country (911, 112, 15, 17, 18, 999, …)."""
    return "+" not in compact and shortnumberinfo.is_emergency_number(compact, country)


def _parse(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_possible_number(number) else None


# A PBX asks about the same destinations all day; the answers of these two pure
# functions are cached (phonenumbers' parsing is most of a decision's cost).
@lru_cache(maxsize=65_536)
def to_e164(compact: str, country: str) -> str:
    """National format, the region's international prefix, 00/011, or +."""
    number = _parse(compact, None if compact.startswith("+") else country)
    if number is None and not compact.startswith("+"):
        for idd in FALLBACK_IDD:
            if compact.startswith(idd):
                number = _parse("+" + compact[len(idd):], None)
                break
    if number is None:
        raise Invalid(f"{compact} is not a possible phone number from {country}",
                      [{"field": "dialed", "message": "not a possible number"}])
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=65_536)
def classify(e164: str, customer_country: str) -> Destination:
    number = phonenumbers.parse(e164, None)
    region = phonenumbers.region_code_for_number(number)
    kind = phonenumbers.number_type(number)
    categories = set()
    home_code = phonenumbers.country_code_for_region(customer_country)
    if region != customer_country and (region or number.country_code != home_code):
        categories.add("international")
    if kind == PhoneNumberType.PREMIUM_RATE:
        categories.add("premium_rate")
    if kind == PhoneNumberType.TOLL_FREE or number.country_code == 800:
        categories.add("toll_free")
    if number.country_code in SATELLITE_CODES:
        categories.add("satellite")
    return Destination(e164, region, frozenset(categories))


# -- rule values ----------------------------------------------------------------------------
def _known_country_code(digits: str) -> bool:
    return any(int(digits[:n]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE
               for n in (1, 2, 3) if len(digits) >= n)


def rule_value(match: str, value: str) -> str:
    """The canonical form of a rule's value, or Invalid saying why."""
    compact = SEPARATORS.sub("", value)
    if match == "country":
        code = value.strip().upper()
        if code not in phonenumbers.SUPPORTED_REGIONS:
            raise Invalid(f"unknown country code {value!r} (ISO 3166 alpha-2, e.g. GB)",
                          [{"field": "value", "message": "unknown country code"}])
        return code
    if match == "category":
        if value not in ("international", "premium_rate", "toll_free", "satellite"):
            raise Invalid(f"unknown category {value!r}: international, premium_rate, "
                          "toll_free or satellite",
                          [{"field": "value", "message": "unknown category"}])
        return value
    if not re.fullmatch(r"\+[1-9][0-9]{0,14}", compact) or not _known_country_code(
            compact[1:]):
        raise Invalid(f"{value!r} is not an E.164 {match}: + then a country code and "
                      "digits, e.g. +1514", [{"field": "value", "message": "not E.164"}])
    if match == "destination" and _parse(compact, None) is None:
        raise Invalid(f"{value!r} is not a possible phone number",
                      [{"field": "value", "message": "not a possible number"}])
    return compact
