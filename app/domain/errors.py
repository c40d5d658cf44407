"""The one error every input check of the domain raises: codes per field, never words.

Each face (page, API, CLI) turns the codes into words through `app.messages`, so the same bad
input is refused with the same codes everywhere (issue 10).
"""

from __future__ import annotations


class ValidationError(ValueError):
    """`errors`: {field: code}; `params`: {field: {name: value}} for words that need them
    (e.g. the day a too-young person may record)."""

    def __init__(self, errors: dict[str, str], params: dict[str, dict] | None = None) -> None:
        super().__init__(", ".join(f"{field}={code}" for field, code in errors.items()))
        self.errors = dict(errors)
        self.params = dict(params or {})
