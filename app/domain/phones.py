"""Phone numbers, kept in one form: +62 and the national digits (DESIGN §3)."""

from __future__ import annotations


def normalise_phone(raw: str | None) -> str | None:
    """An Indonesian number as +62…, or None when nothing was given; ValueError when it cannot
    be one (DESIGN §3). Accepts 08…, 62…, +62… with spaces, dots, hyphens or brackets."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    digits = "".join(ch for ch in text if ch not in " .-()\u00a0")
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("62"):
            raise ValueError("not an Indonesian number")
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("not a number")
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        raise ValueError("no country or trunk prefix")
    # After +62 come 8 to 12 digits: mobile (8xx…) and landline with area code alike.
    if not 8 <= len(national) <= 12 or national.startswith("0"):
        raise ValueError("wrong length")
    return "+62" + national
