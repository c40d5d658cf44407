"""The kiosk's forms: a booking code (scanned or typed), the NIK on a number pad, a walk-in's
details. The NIK is only read here; the domain compares or hashes it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import InputRequired, Length

from ..citizen.booking_forms import DetailsForm
from ..forms import ChosenFrom, PostForm

MAX_SCAN = 3000


class ActionForm(PostForm):
    """A button that posts: only the CSRF token."""


class CodeForm(PostForm):
    code = StringField(
        _l("Kode pendaftaran"),
        validators=[InputRequired(_l("Pindai kode QR pada bukti pendaftaran, atau ketik "
                                     "8 huruf dan angka kodenya.")),
                    Length(max=MAX_SCAN, message=_l("Isian ini terlalu panjang."))],
        render_kw={"autocomplete": "off", "autocapitalize": "characters",
                   "spellcheck": "false", "data-scan-target": ""})


class NikForm(PostForm):
    code = HiddenField(validators=[InputRequired(), Length(max=20)])
    nik = StringField(
        _l("NIK (16 angka, ada di Kartu Keluarga)"),
        validators=[InputRequired(_l("Ketik 16 angka NIK dari Kartu Keluarga Anda.")),
                    Length(max=40, message=_l("Ketik 16 angka NIK, tanpa spasi."))],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false",
                   "data-number-pad": ""})


class WalkInForm(DetailsForm):
    service = RadioField(_l("Layanan apa yang Anda perlukan?"), validate_choice=False,
                         validators=[ChosenFrom(_l("Pilih layanan yang Anda perlukan."))])


class SlotForm(PostForm):
    slot = HiddenField(validators=[InputRequired()])
