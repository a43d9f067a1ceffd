"""Money: integer minor units, one rounding rule, currencies with 0, 2 or 3 decimals.

Every amount is an ``int`` of the currency's minor unit (cents for CAD, yen for JPY,
fils for BHD). The one rounding rule of the platform: **a computed amount (a percentage
discount, a tax) is rounded to the minor unit, half to even, once, where it is computed** —
per line for discounts, per tax and line type for taxes — and every total is the exact sum
of amounts already rounded. A statement therefore always adds up to the unit.

Rates are integers too: a percentage is kept in thousandths of a percent (9.975 % is 9975),
so no binary fraction ever enters a computation (``fractions.Fraction`` does the division).
"""

from __future__ import annotations

import re
from fractions import Fraction

from sbcommon.money import DECIMALS, MAX_AMOUNT, decimals, parse_amount, to_text

__all__ = ["DECIMALS", "MAX_AMOUNT", "RATE_SCALE", "decimals", "format_rate", "parse_amount",
           "parse_rate", "percent_of", "round_half_even", "to_text"]

RATE_SCALE = 100_000  # thousandths of a percent: 100 % == 100_000
_RATE = re.compile(r"^(\d{1,3})(?:\.(\d{1,3}))?$")


def round_half_even(value: Fraction) -> int:
    """The platform's one rounding rule (Python's ``round`` on a Fraction is exact)."""
    return round(value)


def percent_of(amount: int, rate: int) -> int:
    """``rate`` (thousandths of a percent) of ``amount``, rounded half to even."""
    return round_half_even(Fraction(amount * rate, RATE_SCALE))


def parse_rate(text: str) -> int:
    """"9.975" (percent, up to 3 decimals, 0..100) → 9975; ValueError otherwise."""
    found = _RATE.match(text.strip()) if isinstance(text, str) else None
    if not found:
        raise ValueError("a rate is a percentage with up to 3 decimals, such as 5 or 9.975")
    whole, frac = found.group(1), (found.group(2) or "").ljust(3, "0")
    rate = int(whole) * 1000 + int(frac)
    if rate > RATE_SCALE:
        raise ValueError("a rate is at most 100 %")
    return rate


def format_rate(rate: int) -> str:
    """9975 → "9.975", 5000 → "5" (the shortest exact form)."""
    whole, frac = divmod(rate, 1000)
    return f"{whole}.{frac:03d}".rstrip("0").rstrip(".") if frac else str(whole)
