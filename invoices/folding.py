"""Text folded for matching: what staff type without Swedish letters still finds
the name that has them ("stromberg" finds Strömberg, "ostlund" Östlund).

Folded in Python and stored beside the name, so SQLite and PostgreSQL match the
same way with a plain index, whatever collation the database was created with.
"""

import unicodedata


def fold(text: str) -> str:
    """Compatibility-decomposed (NFKD), combining marks dropped, case-folded:
    å, ä -> a, ö -> o, é -> e, ü -> u; ß -> ss."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
