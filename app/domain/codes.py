"""Booking codes: 8 random characters of Crockford's base32 (DESIGN §3).

Crockford's alphabet leaves out I, L, O and U so a code read aloud or copied from paper survives:
people may type I or L for 1 and O for 0. 32^8 = 2^40 codes, drawn with `secrets`. How people
see a code (K7Q2-M9XH) is `app.formatting.display_code`.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})
_ALLOWED = frozenset(ALPHABET)


def new_code() -> str:
    """A fresh canonical code, e.g. K7Q2M9XH."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise_code(raw: str | None) -> str | None:
    """The canonical code for what a person typed (hyphen or spaces, any case, I/L/O aliases),
    or None when it cannot be a code."""
    if not raw or len(raw) > 20:
        return None
    text = "".join(raw.split()).replace("-", "").upper().translate(_ALIASES)
    if len(text) != LENGTH or not set(text) <= _ALLOWED:
        return None
    return text
