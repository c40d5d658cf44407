"""Pydantic's validation errors as one plain message per field, in the caller's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from pydantic import ValidationError

MESSAGES = {
    "missing": _l("Wajib diisi."),
    "string_type": _l("Harus berupa teks."),
    "string_too_short": _l("Terlalu pendek."),
    "string_too_long": _l("Terlalu panjang."),
    "int_type": _l("Harus berupa bilangan bulat."),
    "int_parsing": _l("Harus berupa bilangan bulat."),
    "list_type": _l("Harus berupa daftar."),
    "literal_error": _l("Nilai ini tidak dikenal."),
    "enum": _l("Nilai ini tidak dikenal."),
    "extra_forbidden": _l("Kolom ini tidak dikenal."),
    "string_pattern_mismatch": _l("Formatnya tidak sesuai."),
}
FALLBACK = _l("Nilai ini tidak sah.")


def field_errors(error: ValidationError) -> dict[str, object]:
    errors: dict[str, object] = {}
    for item in error.errors():
        name = ".".join(str(part) for part in item["loc"]) or "body"
        if item["type"] == "value_error" and "ctx" in item:
            message = item["ctx"].get("error")  # raised by our validators: already translated
            errors.setdefault(name, str(getattr(message, "args", [message])[0]))
        else:
            errors.setdefault(name, MESSAGES.get(item["type"], FALLBACK))
    return errors
