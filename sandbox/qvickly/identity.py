"""Personal and organisation numbers as the emulator reads them, with django-localflavor's rules.

The client has its own parser (invoices/identity.py); the emulator must not
share it, or a mistake there would be agreed with here and pass every test.
"""

import re
from typing import NamedTuple

from localflavor.se.forms import SWEDISH_ID_NUMBER
from localflavor.se.utils import (
    format_organisation_number,
    format_personal_id_number,
    id_number_checksum,
    valid_organisation,
    validate_id_birthday,
)


class InvalidNumber(ValueError):
    """Not a personnummer, samordningsnummer or organisationsnummer."""


class Number(NamedTuple):
    canonical: str  # as the world keeps it: persons YYYYMMDDNNNN, organisations NNNNNNNNNN
    is_company: bool


def read_number(text: str) -> Number:
    """Any written form (10 or 12 digits, with - or + or neither) in the world's canonical form."""
    match = SWEDISH_ID_NUMBER.match(re.sub(r"\s", "", text))
    if match is None:
        raise InvalidNumber(text)
    parts = match.groupdict()
    # localflavor also matches interim numbers (a letter in the serial), which no provider issues.
    if not parts["serial"].isdigit() or id_number_checksum(parts) != int(parts["checksum"]):
        raise InvalidNumber(text)
    if parts["century"] == "16":
        # 16 prefixes an organisation number written with 12 digits; nobody was born in the 1600s.
        parts["century"] = None
        if not valid_organisation(parts):
            raise InvalidNumber(text)
    if valid_organisation(parts):
        return Number(format_organisation_number(parts), is_company=True)
    try:
        born = validate_id_birthday(parts)
    except ValueError:
        raise InvalidNumber(text) from None
    return Number(format_personal_id_number(born, parts), is_company=False)
