"""Forms of the requirement wizard, the help page, home-visit requests and misconduct reports.

Every message is ours (Indonesian msgid, English in the catalogue): WTForms ships no Indonesian
messages, so no built-in one may reach the page. The wizard's forms are GET forms without CSRF
(they carry no personal data); everything that is posted is a PostForm with a CSRF token.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from ...domain import reports
from ...domain.booking import NEEDS  # DESIGN §3; `cannot_leave_home` → home-visit request
from ...domain.checklist import YES_NO
from ...domain.names import NameError, clean_name
from ...domain.nik import today_in
from ...models import REPORT_KINDS, REPORT_PLACES, REQUESTERS
from ..forms import (
    NAME_MESSAGES,
    NEED_LABELS,
    ChosenFrom,
    Form,
    MultiCheckboxField,
    PostForm,
    choices,
)

NEED_PICTOGRAMS = {"wheelchair": "wheelchair.svg", "sign_language": "sign_language.svg",
                   "low_vision": "low_vision.svg", "companion": "companion.svg",
                   "pregnant": "pregnant.svg", "infant": "infant.svg",
                   "cannot_leave_home": "home_visit.svg"}
REQUESTER_LABELS = (_l("Saya sendiri"), _l("Keluarga"), _l("Tetangga"), _l("Petugas desa"))
REPORT_KIND_LABELS = (_l("Saya dimintai uang atau imbalan"),
                      _l("Hal lain yang tidak pantas"))
REPORT_PLACE_LABELS = (_l("Di kantor kecamatan"), _l("Di kantor desa/kelurahan"),
                       _l("Saat mengambil e-KTP"), _l("Saat perekaman keliling (jemput bola)"),
                       _l("Di tempat lain"))
EARLIEST_EVENT = dt.date(2010, 1, 1)


def _yes_no_choices():
    return choices(YES_NO, (_l("Ya"), _l("Tidak")))


class LocalDateField(DateField):
    """A date input whose "not a date" message is in the person's language. Where the browser
    has no date picker, a date typed day first (20-11-2026) is understood too."""

    def __init__(self, label=None, validators=None, invalid_message=None, **kwargs):
        kwargs.setdefault("format", ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"])
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(self.invalid_message)) from None


# --- the wizard (GET forms, no personal data) -----------------------------------------------


def question_form(code: str, label: str, options: list[tuple[str, str]],
                  answer: str | None) -> Form:
    """One yes/no (or either/or) question whose answer travels as `code` in the query."""
    form_class = type("QuestionForm", (Form,), {
        code: RadioField(label, choices=choices([v for v, _ in options],
                                                [t for _, t in options]),
                         validate_choice=False)})
    return form_class(data={code: answer})


class PemulaQuestionsForm(Form):
    """What changes the answer for a first recording: age, and only under 17, marriage (UU 24/2013
    art. 63: 17 or older, or married or ever married)."""

    adult = RadioField(_l("Apakah umur Anda sudah 17 tahun atau lebih?"),
                       choices=_yes_no_choices(), validate_choice=False)
    married = RadioField(_l("Apakah Anda sudah menikah, atau pernah menikah?"),
                         choices=_yes_no_choices(), validate_choice=False)


class TickForm(Form):
    have = MultiCheckboxField(_l("Centang yang sudah Anda punya"))  # only shown, never posted


# --- posted forms ---------------------------------------------------------------------------


class NikCheckForm(PostForm):
    """Only checked and thrown away: never stored, logged or put in a URL (DESIGN §9).

    No CSRF token: the check changes and stores nothing, so a forged post has nothing to gain,
    and without a per-visitor token the checklist page can come from the page cache.
    """

    class Meta:
        csrf = False

    nik = StringField(
        _l("NIK (16 angka, ada di KK)"),
        validators=[DataRequired(_l("Masukkan 16 angka NIK Anda.")), Length(max=40, message=_l(
            "NIK terdiri dari 16 angka. Periksa lagi di KK Anda."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"},
    )
    birth_date = LocalDateField(
        _l("Tanggal lahir Anda (tidak wajib)"), validators=[Optional()],
        invalid_message=_l("Tulis tanggal lahir yang benar, misalnya 12-03-2007."),
    )
    ever_married = RadioField(_l("Apakah Anda sudah menikah, atau pernah menikah?"),
                              choices=_yes_no_choices(), default="no", validate_choice=False,
                              validators=[ChosenFrom(_l("Pilih Ya atau Tidak."))])


class NeedsForm(PostForm):
    needs = MultiCheckboxField(_l("Bantuan apa yang Anda perlukan?"),
                               choices=choices(NEEDS, [NEED_LABELS[n] for n in NEEDS]),
                               message=_l("Pilih dari daftar bantuan yang tersedia."))
    service = HiddenField()


class _SubmittedOnce(PostForm):
    """A form stored at most once: its hidden one-time token becomes a UNIQUE column."""

    submission_id = HiddenField()

    def ensure_submission_id(self) -> str:
        if not reports.is_submission_id(self.submission_id.data):
            self.submission_id.data = reports.new_submission_id()
        return self.submission_id.data


class HomeVisitForm(_SubmittedOnce):
    name = StringField(
        _l("Nama orang yang perlu dikunjungi"),
        validators=[DataRequired(_l("Tulis nama orang yang perlu dikunjungi.")),
                    Length(max=120, message=_l("Tulis nama paling banyak 120 huruf."))],
        render_kw={"autocomplete": "name"},
    )
    desa = SelectField(_l("Desa atau kelurahan tempat tinggalnya"), validate_choice=False,
                       validators=[ChosenFrom(_l("Pilih desa atau kelurahan."))])
    phone = StringField(
        _l("Nomor HP atau telepon yang bisa dihubungi"),
        validators=[DataRequired(_l("Tulis nomor HP atau telepon, misalnya 0812 3456 7890.")),
                    Length(max=30, message=_l(
                        "Tulis nomor HP atau telepon, misalnya 0812 3456 7890."))],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    requester = RadioField(_l("Siapa yang mengisi formulir ini?"),
                           choices=choices(REQUESTERS, REQUESTER_LABELS), validate_choice=False,
                           validators=[ChosenFrom(_l("Pilih siapa yang mengisi formulir ini."))])
    service = RadioField(_l("Layanan apa yang diperlukan?"), validate_choice=False,
                         validators=[ChosenFrom(_l("Pilih layanan yang diperlukan."))])
    details = TextAreaField(
        _l("Keterangan (tidak wajib)"),
        validators=[Optional(), Length(max=500, message=_l(
            "Tulis keterangan paling banyak 500 huruf."))],
    )

    def validate_name(self, field):
        # The one name rule of every name field (app/domain/names.py): NFC, no control or bidi
        # characters, no stacks of combining marks.
        try:
            field.data = clean_name(field.data)
        except NameError as error:
            raise ValidationError(NAME_MESSAGES[error.code]) from None

    def validate_phone(self, field):
        try:
            reports.normalise_phone(field.data)
        except reports.InvalidPhone:
            raise ValidationError(_l(
                "Nomor ini bukan nomor Indonesia. Tulis seperti 0812 3456 7890.")) from None


class ReportForm(_SubmittedOnce):
    office = SelectField(_l("Di kecamatan mana?"), validate_choice=False,
                         validators=[ChosenFrom(_l("Pilih kecamatan."))])
    place = RadioField(_l("Di mana kejadiannya?"),
                       choices=choices(REPORT_PLACES, REPORT_PLACE_LABELS), validate_choice=False,
                       validators=[ChosenFrom(_l("Pilih di mana kejadiannya."))])
    event_date = LocalDateField(
        _l("Tanggal kejadian"),
        validators=[InputRequired(_l("Tulis tanggal kejadian. Kira-kira saja jika lupa."))],
        invalid_message=_l("Tulis tanggal kejadian yang benar, misalnya 20-11-2026."),
    )
    kind = RadioField(_l("Apa yang terjadi?"), choices=choices(REPORT_KINDS, REPORT_KIND_LABELS),
                      validate_choice=False,
                      validators=[ChosenFrom(_l("Pilih apa yang terjadi."))])
    description = TextAreaField(
        _l("Ceritakan kejadiannya"),
        validators=[DataRequired(_l("Ceritakan apa yang terjadi.")),
                    Length(max=2000, message=_l("Tulis paling banyak 2000 huruf."))],
    )
    contact = StringField(
        _l("Nomor HP atau e-mail Anda (tidak wajib)"),
        validators=[Optional(), Length(max=200, message=_l(
            "Tulis kontak paling banyak 200 huruf."))],
        render_kw={"autocomplete": "off"},
    )

    def validate_event_date(self, field):
        if field.data is None:  # not a date: process_formdata said so already
            return
        if field.data > today_in():
            raise ValidationError(_l("Tanggal kejadian tidak boleh setelah hari ini."))
        if field.data < EARLIEST_EVENT:
            raise ValidationError(_l("Tulis tanggal kejadian yang benar, misalnya 20-11-2026."))
