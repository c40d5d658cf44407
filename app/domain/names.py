"""A person's name as typed: one rule for every name field (booking on the web and the API,
home-visit requests) and the plain-text part of it for staff user names.

A name is printed on receipts, read aloud at the counter and shown to officers, so it must not
carry what no keyboard types: control characters (a NUL also breaks PostgreSQL), bidi overrides
that make "Siti" display as something else (Trojan Source, CVE-2021-42574), or stacks of
combining marks that paint over the neighbouring lines ("Zalgo"). It is NFC-normalised, so the
same name typed on two phones is the same string.
"""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 120
# Vietnamese stacks two marks on a letter and some Indic scripts three; more is decoration.
MAX_COMBINING_RUN = 4
# Embeddings, overrides and isolates (U+202A–202E, U+2066–2069) and the implicit marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_WHITESPACE_CONTROLS = frozenset("\t\n\r\x0b\x0c")


class NameError(ValueError):  # noqa: A001  (a domain error, not the builtin)
    """`code`: empty, length, letters, control, bidi, combining."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def text_problem(value: str) -> str | None:
    """The first reason a piece of text cannot be shown as typed, or None.

    "control": a control character or U+FFFD (bytes that were not UTF-8); "bidi": a direction
    override; "combining": more than MAX_COMBINING_RUN combining marks in a row.
    """
    run = 0
    for char in value:
        category = unicodedata.category(char)
        if (category == "Cc" and char not in _WHITESPACE_CONTROLS) or char == "\ufffd":
            return "control"
        if char in BIDI_CONTROLS:
            return "bidi"
        run = run + 1 if category.startswith("M") else 0
        if run > MAX_COMBINING_RUN:
            return "combining"
    return None


def clean_name(raw: str | None) -> str:
    """A name as the person writes it, NFC and with single spaces; one word is enough (many
    Indonesians have one name). Raises NameError naming the rule it breaks."""
    name = unicodedata.normalize("NFC", raw or "")
    problem = text_problem(name)
    if problem:
        raise NameError(problem)
    name = " ".join(name.split())
    if not name:
        raise NameError("empty")
    if len(name) > MAX_LENGTH:
        raise NameError("length")
    if not any(ch.isalpha() for ch in name):
        raise NameError("letters")
    return name
