"""The one form base every form inherits (issue 10), and forms shared by several blueprints.

Every text field is stripped and refuses what no keyboard types (control characters, U+FFFD);
a choice must be one of the choices offered; a checkbox group refuses values it did not offer;
a body that is not UTF-8 is answered 422 with the form shown again, never dropped silently, so
no view needs to switch CSRF off to check it first. Labels and messages are Indonesian msgids
(English catalogue): WTForms ships no Indonesian, so none of its own messages may reach a page.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qsl

from flask import Request, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.formparser import FormDataParser
from wtforms import (
    Form as _WTForm,
)
from wtforms import (
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
)
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields.core import UnboundField
from wtforms.validators import InputRequired, Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain.names import text_problem
from ..messages import FIELD_MESSAGES
from .rendering import CONTRASTS, TEXT_SIZES

PLAIN_TEXT = _l("Hapus tanda atau huruf yang tidak bisa dibaca dari isian ini.")
UNREADABLE = _l("Isian Anda berisi huruf yang tidak bisa kami baca. Ketik ulang isian Anda, "
                "lalu kirim lagi.")
# Kept for the forms that name their messages by field; the words live in app.messages.
NIK_MESSAGES = FIELD_MESSAGES["nik"]
NAME_MESSAGES = FIELD_MESSAGES["name"]


# --- the UTF-8 body check -----------------------------------------------------------------------


class _ReadableFormParser(FormDataParser):
    """Werkzeug drops a whole urlencoded form whose bytes are not UTF-8 (CSRF token included);
    read it with U+FFFD for the broken bytes instead and note it, so the form says so."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        raw = stream.read()
        try:
            text = raw.decode()
        except UnicodeDecodeError:
            text = raw.decode(errors="replace")
            request.environ["rekam.unreadable_body"] = True
        items = parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote")
        return stream, self.cls(items), self.cls()


class RekamRequest(Request):
    form_data_parser_class = _ReadableFormParser


def body_unreadable() -> bool:
    return bool(request.environ.get("rekam.unreadable_body"))


# --- rules every field follows ------------------------------------------------------------------


def strip(value):
    return value.strip() if isinstance(value, str) else value


class PlainText:
    """Refuses what no keyboard types: control characters and U+FFFD, the mark of bytes that
    were not UTF-8 (PostgreSQL also refuses NUL in text)."""

    def __call__(self, form, field):
        value = field.data if isinstance(field.data, str) else ""
        if "\ufffd" in value or any(unicodedata.category(c) == "Cc" and c not in "\t\n\r"
                                    for c in value):
            raise StopValidation(PLAIN_TEXT)


def choice_values(field_choices) -> set[str]:
    flat = field_choices
    if isinstance(field_choices, dict):  # optgroups
        flat = [c for group in field_choices.values() for c in group]
    return {str(c.value if hasattr(c, "value") else c[0]) for c in flat or ()}


class ChosenFrom:
    """The value must be one of the field's choices; an empty one is no answer."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.data or str(field.data) not in choice_values(field.choices):
            raise StopValidation(self.message)


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes. One rule: a value that was not offered is refused, not dropped."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, validate_choice=False, **kwargs)
        self.message = message or _l("Pilih dari daftar yang tersedia.")

    def pre_validate(self, form):
        if not set(self.data or ()) <= choice_values(self.choices):
            raise StopValidation(self.message)


class _Rules:
    """Meta for both bases: every text field stripped and plain text (passwords are kept as
    typed; fields a domain rule checks, listed in `checked_by_domain`, get its words)."""

    def bind_field(self, form, unbound_field, options):
        cls = unbound_field.field_class
        if issubclass(cls, StringField) and not issubclass(cls, PasswordField | CSRFTokenField):
            kwargs = dict(unbound_field.kwargs)
            kwargs["filters"] = [strip, *kwargs.get("filters", ())]
            if options.get("name") not in getattr(form, "checked_by_domain", ()):
                kwargs["validators"] = [PlainText(), *(kwargs.get("validators") or ())]
            unbound_field = UnboundField(cls, *unbound_field.args, name=unbound_field.name,
                                         **kwargs)
        return super().bind_field(form, unbound_field, options)


class _Unreadable:
    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not body_unreadable():
            return valid
        # The field that held the broken bytes says so, else the first one.
        fields = [f for f in self if not isinstance(f, CSRFTokenField | HiddenField)]
        broken = [f for f in fields if "\ufffd" in str(f.data or "")]
        target = (broken or fields)[0]
        target.errors = [UNREADABLE]
        return False


class Form(_Unreadable, _WTForm):
    """A GET form (the wizard's questions): no personal data, no CSRF token."""

    class Meta(_Rules):
        pass


class PostForm(_Unreadable, FlaskForm):
    """Every posted form: a CSRF token (checked for every POST by CSRFProtect, so a failure
    answers the same everywhere: app.errors) and the rules above."""

    class Meta(_Rules):
        pass


# The needs a person may state (DESIGN §3), in their own words, for the help page and booking.
NEED_LABELS = {
    "wheelchair": _l("Saya memakai kursi roda atau sulit berjalan"),
    "sign_language": _l("Saya perlu juru bahasa isyarat"),
    "low_vision": _l("Saya sulit melihat"),
    "companion": _l("Saya datang bersama pendamping"),
    "pregnant": _l("Saya sedang hamil"),
    "infant": _l("Saya membawa bayi"),
    "cannot_leave_home": _l("Saya tidak bisa keluar rumah (terbaring sakit atau disabilitas "
                            "berat)"),
}


def choices(values, labels) -> list[SelectChoice]:
    return [SelectChoice(v, label) for v, label in zip(values, labels, strict=True)]


class LoginForm(PostForm):
    checked_by_domain = ("username",)  # the name rule's own words (app.domain.names)
    username = StringField(
        _l("Nama pengguna"),
        validators=[InputRequired(_l("Masukkan nama pengguna Anda.")), Length(max=60)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Kata sandi"),
        validators=[InputRequired(_l("Masukkan kata sandi Anda.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()

    def validate_username(self, field):
        # The same plain-text rule as a person's name: no control or bidi characters.
        problem = text_problem(field.data or "")
        if problem:
            raise ValidationError(NAME_MESSAGES[problem])


class DisplayForm(PostForm):
    text = RadioField(
        _l("Ukuran tulisan"),
        choices=choices(TEXT_SIZES, [_l("Biasa"), _l("Besar"), _l("Sangat besar")]),
        default="normal",
    )
    contrast = RadioField(
        _l("Kontras"),
        choices=choices(CONTRASTS, [_l("Biasa"), _l("Kontras tinggi")]),
        default="normal",
    )
    next = HiddenField()
