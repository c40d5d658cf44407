"""Translatable text kept as data, in plain Python (no Flask): the domain's service names,
requirements and guidance are Indonesian source strings marked with `N_`, which pybabel extracts
into the catalogues; each face translates them where it shows them (`_(service.name)` in a
template, `gettext(...)` in a view or the API). So another language (Javanese, Sundanese) is a
new catalogue under app/translations/, not a code change.
"""

from __future__ import annotations

__all__ = ["N_"]


def N_(message: str) -> str:  # noqa: N802 (the name pybabel and gettext expect)
    """Mark an Indonesian source string for extraction; it is translated where it is shown."""
    return message
