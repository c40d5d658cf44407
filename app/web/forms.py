"""Forms shared by several blueprints. Labels and messages are Indonesian msgids (English catalog)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length

from .rendering import CONTRASTS, TEXT_SIZES


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
