"""Names in Swedish alphabetical order, in the database and in Python alike.

Swedish puts å, ä and ö after z (Håkan before Hälsinge, Östen last), ignores
case and treats é as a kind of e. PostgreSQL gets a collation of that name from
ICU (migration 0013); SQLite gets `compare`, registered on every connection
(apps.py), so a list sorts the same on both and as `sort_key` sorts in Python.
"""

import unicodedata
from functools import lru_cache

from django.db.models import F, OrderBy
from django.db.models.functions import Collate

COLLATION = "swedish"

# Letters that are letters of their own in Swedish, after z; æ and ø are the
# Danish and Norwegian ä and ö, and ü is sorted as y (as ICU's sv-SE does).
OWN_LETTERS = {"å": 1, "ä": 2, "ö": 3, "æ": 2, "ø": 3}
AS_LETTER = {"ü": "y"}
Z = ord("z") * 4

Key = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


@lru_cache(maxsize=65536)
def sort_key(text: str) -> Key:
    """Letters first, then accents, then case (lower before upper), like ICU's levels."""
    letters: list[int] = []
    accents: list[int] = []
    cases: list[int] = []
    for char in unicodedata.normalize("NFC", text):
        lower = char.lower()
        cases.append(0 if char == lower else 1)
        if lower in OWN_LETTERS:
            letters.append(Z + OWN_LETTERS[lower])
            accents.append(0 if lower in "åäö" else 1)
            continue
        decomposed = unicodedata.normalize("NFD", AS_LETTER.get(lower, lower))
        letters.append(ord(decomposed[0]) * 4)
        accents.append(sum(ord(mark) for mark in decomposed[1:]) + int(lower in AS_LETTER))
    return tuple(letters), tuple(accents), tuple(cases)


def compare(left: str, right: str) -> int:
    """SQLite's collation function: negative, zero or positive."""
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def by_name(field: str, descending: bool = False) -> OrderBy:
    """An ordering by a name column, the Swedish way."""
    return OrderBy(Collate(F(field), COLLATION), descending=descending)


def ordering(field: str, descending: bool = False) -> OrderBy:
    """A list's sort column: names the Swedish way, other columns as they are."""
    if field == "name" or field.endswith("__name"):
        return by_name(field, descending)
    return OrderBy(F(field), descending=descending)
