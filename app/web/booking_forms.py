"""Forms of the booking flow and its messages, shared with the API so both say the same thing.

Every message says how to fix the input (STYLE §6) and is an Indonesian msgid with English in
the catalogue. The NIK is only read here: views keep its keyed hash, never the digits.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..domain import booking as bookings
from ..domain.codes import normalise_code
from ..domain.names import NameError, clean_name
from ..domain.nik import NikError, normalise_nik, parse_nik
from ..domain.phones import normalise_phone
from ..extensions import current_language
from ..formatting import local_date
from .forms import NAME_MESSAGES, NEED_LABELS, NIK_MESSAGES

NAME_MESSAGE = _l("Tulis nama Anda seperti di Kartu Keluarga (boleh satu kata, paling banyak "
                  "120 huruf).")


def name_message(error: NameError):
    """What to say about a refused name: the general words, or what exactly to remove."""
    return NAME_MESSAGES[error.code] if error.code in ("control", "bidi", "combining") \
        else NAME_MESSAGE
PHONE_MESSAGE = _l("Tulis nomor HP Indonesia, misalnya 0812 3456 7890, atau kosongkan.")
CHOOSE_SERVICE = _l("Pilih layanan yang Anda perlukan.")
CHOOSE_OFFICE = _l("Pilih kantor kecamatan.")
CHOOSE_DAY = _l("Pilih hari yang masih ada tempat.")
CHOOSE_TIME = _l("Pilih jam yang masih ada tempat.")
CHOOSE_DESA = _l("Pilih desa atau kelurahan Anda, atau pilih dari luar kecamatan ini.")
NEEDS_MESSAGE = _l("Pilih dari daftar bantuan yang tersedia.")
HOME_VISIT_MESSAGE = _l("Bila Anda tidak bisa keluar rumah, ajukan kunjungan ke rumah, bukan "
                        "jadwal di kantor.")
OUTSIDE = "luar"  # the desa choice for "from outside this kecamatan"
TOO_YOUNG = _l("Perekaman e-KTP pertama baru bisa mulai %(day)s, saat berumur 17 tahun, kecuali "
               "sudah atau pernah menikah.")


def too_young_message(eligible_from) -> str:
    return TOO_YOUNG % {"day": local_date(eligible_from, current_language())}


# A person who cannot leave home gets a home visit instead (DESIGN §3): not a choice here.
OFFICE_NEEDS = tuple(n for n in bookings.NEEDS if n != "cannot_leave_home")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ServiceForm(FlaskForm):
    service = RadioField(_l("Layanan apa yang Anda perlukan?"), validate_choice=False)

    def validate_service(self, field):
        if field.data not in {value for value, *_ in self.service.choices}:
            raise ValidationError(CHOOSE_SERVICE)


class OfficeForm(FlaskForm):
    office = RadioField(_l("Di kantor kecamatan mana?"), validate_choice=False)

    def validate_office(self, field):
        if field.data not in {value for value, *_ in self.office.choices}:
            raise ValidationError(CHOOSE_OFFICE)


class DayForm(FlaskForm):
    day = RadioField(_l("Hari"), validate_choice=False)

    def validate_day(self, field):
        if field.data not in {value for value, *_ in self.day.choices}:
            raise ValidationError(CHOOSE_DAY)


class TimeForm(FlaskForm):
    slot = RadioField(_l("Jam"), validate_choice=False)

    def validate_slot(self, field):
        if field.data not in {value for value, *_ in self.slot.choices}:
            raise ValidationError(CHOOSE_TIME)


def nik_info(raw: str, today):
    """(info, None) or (None, message) for what was typed as a NIK."""
    try:
        return parse_nik(raw, today), None
    except NikError as error:
        return None, NIK_MESSAGES[error.code]


class DetailsForm(FlaskForm):
    # Read once and reduced to its keyed hash, last 4 digits and what the rules decide from it
    # (may record, age band); its birth date and sex are never kept (DESIGN §9).
    nik = StringField(
        _l("NIK (16 angka, ada di Kartu Keluarga)"), filters=[_strip],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false",
                   "maxlength": "40"})
    name = StringField(_l("Nama lengkap"), filters=[_strip],
                       render_kw={"autocomplete": "name", "maxlength": "120"})
    desa = SelectField(_l("Desa atau kelurahan tempat tinggal Anda"), validate_choice=False)
    phone = StringField(_l("Nomor HP (tidak wajib)"), filters=[_strip],
                        render_kw={"inputmode": "tel", "autocomplete": "tel", "maxlength": "20"})
    # Asked only for a first recording: married people may record before 17 (UU 24/2013 art. 63).
    married = BooleanField(_l("Saya sudah atau pernah menikah"))
    needs = MultiCheckboxField(_l("Bantuan yang Anda perlukan di kantor (tidak wajib)"),
                               choices=[SelectChoice(n, NEED_LABELS[n]) for n in OFFICE_NEEDS],
                               validate_choice=False)

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.info = None

    def validate_nik(self, field):
        self.info, message = nik_info(field.data or "", self.today)
        if message:
            raise ValidationError(message)

    def validate_name(self, field):
        try:
            field.data = clean_name(field.data)
        except NameError as error:
            raise ValidationError(name_message(error)) from None

    def validate_phone(self, field):
        try:
            field.data = normalise_phone(field.data)
        except ValueError:
            raise ValidationError(PHONE_MESSAGE) from None

    def validate_desa(self, field):
        if field.data not in {value for value, *_ in self.desa.choices}:
            raise ValidationError(CHOOSE_DESA)

    def validate_needs(self, field):
        if not set(field.data or ()) <= set(OFFICE_NEEDS):
            raise ValidationError(NEEDS_MESSAGE)


class ConfirmForm(FlaskForm):
    """The last step: only the CSRF token; the answers are in the server-side draft."""


CODE_MESSAGE = _l("Tulis 8 huruf dan angka kode booking, misalnya K7Q2-M9XH.")
NO_MATCH = _l("Kode booking dan NIK tidak cocok dengan jadwal mana pun. Periksa keduanya di "
              "bukti pendaftaran dan Kartu Keluarga Anda.")


class ManageForm(FlaskForm):
    code = StringField(_l("Kode booking"), filters=[_strip],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false", "maxlength": "20"})
    nik = StringField(_l("NIK lengkap (16 angka)"), filters=[_strip],
                      render_kw={"inputmode": "numeric", "autocomplete": "off",
                                 "spellcheck": "false", "maxlength": "40"})

    def validate_code(self, field):
        canonical = normalise_code(field.data)
        if canonical is None:
            raise ValidationError(CODE_MESSAGE)
        field.data = canonical

    def validate_nik(self, field):
        if not field.data:
            raise ValidationError(NIK_MESSAGES["empty"])


# --- issue 9 (D): one-time code after many wrong NIKs, and a lost booking code ---

ONE_TIME_CODE_MESSAGE = _l("Tulis 6 angka kode sekali pakai dari SMS atau WhatsApp.")
ONE_TIME_CODE_WRONG = _l("Kode sekali pakai ini salah, sudah dipakai, atau sudah lebih dari 15 "
                         "menit. Masukkan lagi kode booking dan NIK Anda untuk menerima kode baru.")
LOST_NIK_MESSAGE = _l("Tulis 16 angka NIK Anda, tanpa spasi, seperti di Kartu Keluarga.")


class OneTimeCodeForm(FlaskForm):
    one_time_code = StringField(_l("Kode sekali pakai (6 angka)"), filters=[_strip],
                                render_kw={"inputmode": "numeric", "autocomplete": "one-time-code",
                                           "spellcheck": "false", "maxlength": "6"})

    def validate_one_time_code(self, field):
        if not (field.data or "").isascii() or not (field.data or "").isdigit() \
                or len(field.data) != 6:
            raise ValidationError(ONE_TIME_CODE_MESSAGE)


class LostCodeForm(FlaskForm):
    nik = StringField(_l("NIK lengkap (16 angka)"), filters=[_strip],
                      render_kw={"inputmode": "numeric", "autocomplete": "off",
                                 "spellcheck": "false", "maxlength": "40"})
    office = SelectField(_l("Kantor kecamatan tempat jadwal Anda"), choices=[],
                         validate_choice=False)

    def validate_nik(self, field):
        if not field.data:
            raise ValidationError(NIK_MESSAGES["empty"])
        try:
            normalise_nik(field.data)
        except NikError:
            raise ValidationError(LOST_NIK_MESSAGE) from None

    def validate_office(self, field):
        if not field.data or field.data not in {value for value, *_ in self.office.choices}:
            raise ValidationError(CHOOSE_OFFICE)


class RescheduleForm(FlaskForm):
    slot = HiddenField()
