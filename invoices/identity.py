"""Swedish personnummer and organisationsnummer.

The rules (Luhn checksum, birth date, `+` for 100 and older, samordningsnummer
with day + 60, the optional 16 prefix of organisation numbers) come from
django-localflavor; this module only runs its steps one at a time so the
message can say which one failed, and picks one canonical form:

- persons: YYYYMMDDNNNN (12 digits, the century is never ambiguous)
- organisations: NNNNNNNNNN (10 digits)
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from localflavor.se.forms import SWEDISH_ID_NUMBER
from localflavor.se.utils import (
    format_organisation_number,
    format_personal_id_number,
    id_number_checksum,
    valid_organisation,
    validate_id_birthday,
)

# Dashes word processors and phones put in for a hyphen: en dash, em dash, minus sign,
# non-breaking and figure dashes, full-width hyphen-minus.
DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"), "-")


def compact(text: str | None) -> str:
    """The number as localflavor reads it: every dash a hyphen, spaces and dots gone.

    Staff paste numbers from letters and mail ("19121212–1212", "121212.1212",
    "1912 1212 1212"). A dot or space between date and serial reads like the
    hyphen localflavor assumes when no sign is written; only `+` (100 and older)
    changes the meaning, and it is kept.
    """
    return re.sub(r"[\s.]", "", (text or "").translate(DASHES))


class InvalidIdentity(ValueError):
    """The text is not a valid number; the message says why, without echoing it."""


@dataclass(frozen=True)
class Identity:
    number: str  # canonical form
    is_company: bool

    @property
    def masked(self) -> str:
        return mask(self.number)


def looks_like_identity(text: str) -> bool:
    """Whether the text is meant as a personal or organisation number.

    Ten or twelve digits, or a date-and-serial shape with - or +. Shorter
    digit strings are customer numbers, not mistyped personal numbers.
    """
    written = compact(text)
    if re.fullmatch(r"[0-9]{6,8}[-+][0-9]{4}", written):
        return True
    return bool(re.fullmatch(r"[0-9]{10}|[0-9]{12}", written)) or (
        bool(re.fullmatch(r"[0-9\-+]+", written)) and len(re.sub(r"[^0-9]", "", written)) >= 9
    )


def parse(text: str | None) -> Identity:
    """Parse a personnummer or organisationsnummer into its canonical Identity."""
    written = compact(text)
    if not written:
        raise InvalidIdentity(_("Enter a personal or organisation number."))
    if re.search(r"[^0-9\-+]", written):
        raise InvalidIdentity(_("A personal or organisation number has only digits and - or +."))
    digits = re.sub(r"[^0-9]", "", written)
    if len(digits) not in (10, 12):
        raise InvalidIdentity(f"A personal or organisation number has 10 or 12 digits; this has {len(digits)}.")
    match = SWEDISH_ID_NUMBER.match(written)
    if match is None:
        raise InvalidIdentity(_("Write the number as YYMMDD-NNNN, YYYYMMDDNNNN or NNNNNN-NNNN."))
    parts = match.groupdict()
    if parts["century"] == "16":
        # The 16 prefix marks an organisation number written with 12 digits.
        parts["century"] = None
    if not parts["serial"].isdigit() or id_number_checksum(parts) != int(parts["checksum"]):
        raise InvalidIdentity(_("The check digit does not match: a digit is probably mistyped."))
    if valid_organisation(parts):
        return Identity(format_organisation_number(parts), is_company=True)
    try:
        birth_date = validate_id_birthday(parts)
    except ValueError:
        raise InvalidIdentity(
            _("The number does not start with a valid birth date (YYMMDD, or day + 60 for a samordningsnummer).")
        ) from None
    return Identity(format_personal_id_number(birth_date, parts), is_company=False)


def mask(number: str) -> str:
    """Personal numbers show as YYYYMMDD-XXXX; organisation numbers are public."""
    if len(number) == 12:
        return f"{number[:8]}-XXXX"
    return f"{number[:6]}-{number[6:]}"


def is_company(number: str) -> bool:
    return len(number) == 10


def written_forms(number: str) -> tuple[str, ...]:
    """Other ways a provider's free-text field may hold the canonical number."""
    if is_company(number):
        return (f"{number[:6]}-{number[6:]}",)
    return (f"{number[:8]}-{number[8:]}",)
