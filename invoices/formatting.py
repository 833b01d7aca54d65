"""Figures as the reader's language writes them: 90 052,25 in Swedish, 90,052.25 in English.

The separators come from the active language's formats (arportal/formats/ for
English). Every negative figure takes the one true minus sign, U+2212, wherever
it is shown; exports keep the ASCII hyphen that spreadsheets read.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone
from django.utils.timesince import timesince

MINUS = "\u2212"

Number = Decimal | int | str | None


def money(value: Number) -> str:
    """An amount in its two decimals, grouped: 90 052,25 or −250,00."""
    if value is None or value == "":
        return ""
    return figure(Decimal(value), 2)


def price(value: Number) -> str:
    """A unit price with every decimal the provider gave, and at least two: 12,345 or 7,20."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    return figure(amount, max(2, decimals(amount)))


def whole(value: Number) -> str:
    """A large figure rounded to a whole number and grouped: 1 234 567."""
    if value is None or value == "":
        return ""
    return figure(Decimal(value), 0)


def quantity(value: Number) -> str:
    """9 999, or 3,5: grouped, without trailing zeros."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).normalize()
    return figure(amount, decimals(amount))


def decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(-exponent, 0) if isinstance(exponent, int) else 0


def figure(value: Decimal, places: int) -> str:
    # Rounded here, half away from zero as on an invoice: Django's formatting cuts digits off.
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = formats.number_format(abs(rounded), places, use_l10n=True, force_grouping=True)
    return f"{MINUS}{text}" if rounded < 0 else text


def duration(value: timedelta | None) -> str:
    """A length of time in words, in the reader's language: 15 minutes, 1 hour, 2 days."""
    if value is None:
        return ""
    start = timezone.now()
    return timesince(start, start + value)
