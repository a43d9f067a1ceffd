"""Amounts of money as the platform keeps them: integers of the currency's minor unit.

The catalogue computes prices (services/catalogue/domain/money.py has the rounding rule);
this module is what every part that shows or reads an amount shares: how many decimals a
currency has, and the plain text of an amount ("19.99", "500", "1.250").
"""

from __future__ import annotations

import re

# ISO 4217 minor units of the currencies a reseller may sell in.
DECIMALS: dict[str, int] = {
    "CAD": 2, "USD": 2, "EUR": 2, "GBP": 2, "CHF": 2, "AUD": 2, "MXN": 2, "MAD": 2,
    "XOF": 0, "XAF": 0, "JPY": 0, "KRW": 0,
    "BHD": 3, "KWD": 3, "TND": 3, "JOD": 3, "OMR": 3,
}
MAX_AMOUNT = 10**12  # minor units; far above any price, far below an overflow of sums


def decimals(currency: str) -> int:
    """Minor-unit digits of ``currency``; ValueError for a currency not sold here."""
    try:
        return DECIMALS[currency]
    except KeyError:
        raise ValueError(f"unsupported currency {currency!r} (use one of "
                         f"{', '.join(sorted(DECIMALS))})") from None


def to_text(amount: int, currency: str) -> str:
    """1999 CAD → "19.99"; 500 JPY → "500"; 1250 BHD → "1.250" (no symbol, dot decimal)."""
    digits = decimals(currency)
    sign = "-" if amount < 0 else ""
    whole, minor = divmod(abs(amount), 10**digits)
    return f"{sign}{whole}.{minor:0{digits}d}" if digits else f"{sign}{whole}"


def parse_amount(text: str, currency: str) -> int:
    """"19.99" → 1999 in CAD; more decimals than the currency has is an error, not a
    rounding (a price typed is a price meant)."""
    digits = decimals(currency)
    cleaned = text.strip().replace(",", ".").replace(" ", "").replace("\u202f", "")
    found = re.fullmatch(r"(\d{1,12})(?:\.(\d*))?", cleaned)
    if not found:
        raise ValueError("an amount such as 19.99")
    frac = found.group(2) or ""
    if len(frac) > digits:
        raise ValueError(f"{currency} has {digits} decimal(s)")
    amount = int(found.group(1)) * 10**digits + int(frac.ljust(digits, "0") or 0)
    if amount > MAX_AMOUNT:
        raise ValueError("amount too large")
    return amount
