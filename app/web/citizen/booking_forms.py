"""Forms of the booking flow. They only collect: who books is checked once, by the domain
(`app.domain.booking.validate_applicant`), and its codes are worded by `app.messages`.
The NIK is only read here: views keep its keyed hash, never the digits.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import StopValidation

from ...domain import booking as bookings
from ...domain.codes import normalise_code
from ...domain.nik import NikError, normalise_nik
from ...messages import CHOOSE_OFFICE, FIELD_MESSAGES, field_messages
from ..forms import NEED_LABELS, NIK_MESSAGES, ChosenFrom, MultiCheckboxField, PostForm

CHOOSE_SERVICE = _l("Pilih layanan yang Anda perlukan.")
CHOOSE_DAY = _l("Pilih hari yang masih ada tempat.")
CHOOSE_TIME = _l("Pilih jam yang masih ada tempat.")
OUTSIDE = bookings.OUTSIDE  # the desa choice for "from outside this kecamatan"

# A person who cannot leave home gets a home visit instead (DESIGN §3): not a choice here.
OFFICE_NEEDS = tuple(n for n in bookings.NEEDS if n != "cannot_leave_home")
# The details form's field for each field the domain names.
DETAILS_FIELDS = {"desa_code": "desa", "nik": "nik", "name": "name", "phone": "phone",
                  "needs": "needs"}


def _choice(label, message):
    return RadioField(label, validate_choice=False, validators=[ChosenFrom(message)])


class ServiceForm(PostForm):
    service = _choice(_l("Layanan apa yang Anda perlukan?"), CHOOSE_SERVICE)


class OfficeForm(PostForm):
    office = _choice(_l("Di kantor kecamatan mana?"), CHOOSE_OFFICE)


class DayForm(PostForm):
    day = _choice(_l("Hari"), CHOOSE_DAY)


class TimeForm(PostForm):
    slot = _choice(_l("Jam"), CHOOSE_TIME)


class DetailsForm(PostForm):
    # Read once and reduced to its keyed hash, last 4 digits and what the rules decide from it
    # (may record, age band); its birth date and sex are never kept (DESIGN §9).
    checked_by_domain = ("nik", "name", "phone")
    nik = StringField(
        _l("NIK (16 angka, ada di Kartu Keluarga)"),
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false",
                   "maxlength": "40"})
    name = StringField(_l("Nama lengkap"), render_kw={"autocomplete": "name", "maxlength": "120"})
    desa = SelectField(_l("Desa atau kelurahan tempat tinggal Anda"), validate_choice=False)
    phone = StringField(_l("Nomor HP (tidak wajib)"),
                        render_kw={"inputmode": "tel", "autocomplete": "tel", "maxlength": "20"})
    # Asked only for a first recording: married people may record before 17 (UU 24/2013 art. 63).
    married = BooleanField(_l("Saya sudah atau pernah menikah"))
    needs = MultiCheckboxField(_l("Bantuan yang Anda perlukan di kantor (tidak wajib)"),
                               choices=[SelectChoice(n, NEED_LABELS[n]) for n in OFFICE_NEEDS],
                               message=FIELD_MESSAGES["needs"]["unknown"])

    def refuse(self, error) -> None:
        """Put the domain's refusal (a ValidationError's codes) on the fields it names."""
        for field, message in field_messages(error).items():
            self[DETAILS_FIELDS.get(field, "nik")].errors.append(message)


class ConfirmForm(PostForm):
    """The last step: only the CSRF token; the answers are in the server-side draft."""


NO_MATCH = _l("Kode booking dan NIK tidak cocok dengan jadwal mana pun. Periksa keduanya di "
              "bukti pendaftaran dan Kartu Keluarga Anda.")


def _typed_nik(field) -> None:
    """A NIK as the domain reads it (16 digits; spaces or dots allowed), said at once."""
    try:
        normalise_nik(field.data)
    except NikError as error:
        raise StopValidation(NIK_MESSAGES[error.code]) from None


_NIK_FIELD = {"render_kw": {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false",
                            "maxlength": "40"}}


class ManageForm(PostForm):
    code = StringField(_l("Kode booking"),
                       render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                  "spellcheck": "false", "maxlength": "20"})
    nik = StringField(_l("NIK lengkap (16 angka)"), **_NIK_FIELD)

    def validate_code(self, field):
        canonical = normalise_code(field.data)
        if canonical is None:
            raise StopValidation(FIELD_MESSAGES["code"]["invalid"])
        field.data = canonical

    def validate_nik(self, field):
        _typed_nik(field)


# --- issue 9 (D): one-time code after many wrong NIKs, and a lost booking code ---

ONE_TIME_CODE_MESSAGE = _l("Tulis 6 angka kode sekali pakai dari SMS atau WhatsApp.")
ONE_TIME_CODE_WRONG = _l("Kode sekali pakai ini salah, sudah dipakai, atau sudah lebih dari 15 "
                         "menit. Masukkan lagi kode booking dan NIK Anda untuk menerima kode baru.")


class OneTimeCodeForm(PostForm):
    one_time_code = StringField(_l("Kode sekali pakai (6 angka)"),
                                render_kw={"inputmode": "numeric", "autocomplete": "one-time-code",
                                           "spellcheck": "false", "maxlength": "6"})

    def validate_one_time_code(self, field):
        if not (field.data or "").isascii() or not (field.data or "").isdigit() \
                or len(field.data) != 6:
            raise StopValidation(ONE_TIME_CODE_MESSAGE)


class LostCodeForm(PostForm):
    nik = StringField(_l("NIK lengkap (16 angka)"), **_NIK_FIELD)
    office = SelectField(_l("Kantor kecamatan tempat jadwal Anda"), choices=[],
                         validate_choice=False, validators=[ChosenFrom(CHOOSE_OFFICE)])

    def validate_nik(self, field):
        _typed_nik(field)
