"""Forms shared by several blueprints. Labels and messages are Indonesian msgids (English catalog)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length, ValidationError

from ..domain.names import text_problem
from ..messages import NAME_MESSAGES, NIK_MESSAGES  # noqa: F401  (re-exported to the forms)
from .rendering import CONTRASTS, TEXT_SIZES

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


class LoginForm(FlaskForm):
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


class DisplayForm(FlaskForm):
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
