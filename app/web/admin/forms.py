"""The admin room's forms. The domain checks the values (app/domain/office_settings.py,
hours.py) and answers codes per field; the words for them are here, one place per field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from ...domain.office_settings import NUMBER_SETTINGS
from ..forms import ChosenFrom, Form, PostForm, choices

_NUMBER = {"inputmode": "numeric", "autocomplete": "off", "class": "input-short"}

SETTING_LABELS = {
    "slot_minutes": _l("Lama satu slot (menit)"),
    "recording_minutes": _l("Menit untuk satu perekaman"),
    "counter_minutes": _l("Menit untuk satu layanan loket"),
    "held_back_percent": _l("Bagian yang disisihkan untuk prioritas dan datang langsung (%)"),
    "hold_release_hours": _l("Dilepas untuk semua berapa jam sebelum slot mulai"),
    "no_show_grace_minutes": _l("Tenggang sebelum dicatat tidak datang (menit)"),
    "booking_horizon_days": _l("Jadwal bisa dipesan sampai berapa hari ke depan"),
    "online_cutoff_minutes": _l("Pendaftaran daring ditutup berapa menit sebelum slot mulai"),
    "retention_days": _l("Data pribadi dihapus berapa hari setelah jadwal selesai"),
    "card_days": _l("Perkiraan hari dari perekaman sampai kartu jadi"),
}


def _range_message(name: str):
    low, high = NUMBER_SETTINGS[name]
    return _l("Tulis angka bulat dari %(low)s sampai %(high)s.", low=low, high=high)


def setting_message(name: str, code: str):
    if name == "card_print_place":
        return _l("Pilih tempat kartu dicetak.")
    if name == "card_pickup_address":
        return _l("Tulis alamat dengan huruf biasa, paling banyak 300 huruf.") \
            if code in ("length", "text") else _l("Periksa alamat ini.")
    if code == "fit":
        return _l("Menit untuk satu kunjungan tidak boleh lebih lama dari satu slot.")
    return _range_message(name)


def _number_field(name: str):
    return StringField(SETTING_LABELS[name], render_kw=_NUMBER, validators=[Length(max=12)])


# Made in page order, so the error summary lists problems in the order the fields come.
_NUMBER_FIELDS = {name: _number_field(name) for name in NUMBER_SETTINGS if name != "card_days"}


class SettingsForm(PostForm):
    # The numbers are text inputs checked by the domain: WTForms' own number messages are
    # English only, and the schema's bounds are worded once (setting_message).
    checked_by_domain = (*NUMBER_SETTINGS, "card_pickup_address")
    card_print_place = RadioField(
        _l("Tempat kartu dicetak dan diambil"),
        choices=choices(("kecamatan", "disdukcapil"),
                        (_l("Di kantor kecamatan ini"),
                         _l("Di Disdukcapil kabupaten/kota"))),
        validators=[ChosenFrom(_l("Pilih tempat kartu dicetak."))], validate_choice=False)
    card_pickup_address = StringField(_l("Alamat pengambilan kartu (kosongkan bila di kantor "
                                         "ini)"), validators=[Length(max=400)])
    card_days = _number_field("card_days")


for _name, _field in _NUMBER_FIELDS.items():
    setattr(SettingsForm, _name, _field)


HOURS_MESSAGES = {
    "required": _l("Isian ini wajib diisi."),
    "time": _l("Tulis jam seperti 08.00 atau 17.30."),
    "order": _l("Jam tutup harus sesudah jam buka."),
    "overlap": _l("Dua periode di hari ini saling tumpang tindih. Ubah salah satunya."),
    "past": _l("Tanggal ini sudah lewat. Pilih hari ini atau sesudahnya."),
    "horizon": _l("Tanggal ini di luar masa pendaftaran. Pilih tanggal yang lebih dekat, atau "
                  "perpanjang masa pendaftaran di Pengaturan."),
    "closed_already": _l("Hari ini sudah ditutup."),
    "length": _l("Tulis paling banyak 200 huruf."),
    "text": _l("Hapus tanda atau huruf yang tidak bisa dibaca dari isian ini."),
    "date": _l("Tulis tanggal seperti 2026-12-24."),
}


class ClosureForm(PostForm):
    checked_by_domain = ("reason",)
    day = StringField(_l("Tanggal tutup"), validators=[Length(max=20)],
                      render_kw={"type": "date", "class": "input-short"})
    reason = StringField(_l("Alasan (ditunjukkan kepada warga)"),
                         validators=[Length(max=300)])


class ExtraSessionForm(PostForm):
    checked_by_domain = ("note",)
    day = StringField(_l("Tanggal"), validators=[Length(max=20)],
                      render_kw={"type": "date", "class": "input-short"})
    opens = StringField(_l("Buka pukul"), validators=[Length(max=8)],
                        render_kw={"type": "time", "class": "input-short"})
    closes = StringField(_l("Tutup pukul"), validators=[Length(max=8)],
                         render_kw={"type": "time", "class": "input-short"})
    note = StringField(_l("Keterangan (misalnya: malam untuk pekerja)"),
                       validators=[Length(max=300)])


class WeeklyHoursForm(PostForm):
    """Per weekday one line like "08.00-12.00, 13.00-16.00"; empty: closed that day."""

    checked_by_domain = tuple(f"day{d}" for d in range(7))


WEEKDAY_LABELS = (_l("Senin"), _l("Selasa"), _l("Rabu"), _l("Kamis"), _l("Jumat"), _l("Sabtu"),
                  _l("Minggu"))
for _day, _label in enumerate(WEEKDAY_LABELS):
    setattr(WeeklyHoursForm, f"day{_day}", StringField(_label, validators=[Length(max=120)],
                                                       render_kw={"autocomplete": "off"}))


class EmptyForm(PostForm):
    """A button that only needs its CSRF token (remove, retry, resolve)."""


STATION_STATE_LABELS = {"active": _l("Aktif"), "down": _l("Rusak"),
                        "maintenance": _l("Perawatan")}


class StationStateForm(PostForm):
    state = RadioField(_l("Keadaan stasiun"),
                       choices=choices(tuple(STATION_STATE_LABELS),
                                       tuple(STATION_STATE_LABELS.values())),
                       validators=[ChosenFrom(_l("Pilih keadaan stasiun."))],
                       validate_choice=False)


# --- people and devices -------------------------------------------------------------------

ROLE_LABELS = {"admin": _l("Admin kantor ini"), "officer": _l("Petugas kecamatan"),
               "desa_staff": _l("Petugas desa"), "kiosk": _l("Kios (perangkat)")}
TOKEN_ROLE_LABELS = {"kiosk": _l("Kios"), "officer": _l("Petugas"),
                     "capture_agent": _l("Agen stasiun perekaman"),
                     "desa_staff": _l("Petugas desa"), "admin": _l("Admin kantor ini")}


def _desa_field():
    return SelectField(_l("Desa (hanya untuk petugas desa)"), choices=[],
                       validate_choice=False, validators=[Length(max=10)])


class UserForm(PostForm):
    checked_by_domain = ("username",)
    username = StringField(_l("Nama pengguna"), validators=[Length(max=80)],
                           render_kw={"autocomplete": "off", "autocapitalize": "none",
                                      "spellcheck": "false"})
    password = PasswordField(_l("Kata sandi awal"), validators=[Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    role = RadioField(_l("Peran"), choices=choices(tuple(ROLE_LABELS), tuple(ROLE_LABELS.values())),
                      validators=[ChosenFrom(_l("Pilih peran."))], validate_choice=False)
    desa_code = _desa_field()


class RoleForm(PostForm):
    role = RadioField(_l("Peran"), choices=choices(tuple(ROLE_LABELS), tuple(ROLE_LABELS.values())),
                      validators=[ChosenFrom(_l("Pilih peran."))], validate_choice=False)
    desa_code = _desa_field()


class PasswordForm(PostForm):
    password = PasswordField(_l("Kata sandi baru"), validators=[Length(max=200)],
                             render_kw={"autocomplete": "new-password"})


class TokenForm(PostForm):
    role = RadioField(_l("Untuk"), choices=choices(tuple(TOKEN_ROLE_LABELS),
                                                   tuple(TOKEN_ROLE_LABELS.values())),
                      validators=[ChosenFrom(_l("Pilih untuk apa token ini."))],
                      validate_choice=False)
    desa_code = _desa_field()
    label = StringField(_l("Catatan untuk mengenali token (misalnya: kios lobi)"),
                        validators=[Length(max=100, message=_l("Tulis paling banyak 100 huruf."))])


def with_desa(form, desa_rows):
    form.desa_code.choices = choices(["", *(d.code for d in desa_rows)],
                                     [_l("— tidak ada —"), *(d.name for d in desa_rows)])
    return form


def account_problem(message: str) -> tuple[str, object]:
    """The field and the words for an AccountError (its text is the CLI's English)."""
    if message.startswith("username") or "already exists" in message:
        return "username", _l("Nama pengguna 2–60 huruf kecil, angka, titik, tanda hubung atau "
                              "garis bawah, dan belum dipakai.")
    if message.startswith("password"):
        return "password", _l("Kata sandi paling sedikit 10 huruf.")
    if "desa" in message:
        return "desa_code", _l("Petugas desa perlu desa dari kecamatan ini; peran lain tanpa desa.")
    return "role", _l("Pilih peran.")


# --- inbox --------------------------------------------------------------------------------

HOME_VISIT_STATE_LABELS = {"new": _l("Baru"), "contacted": _l("Sudah dihubungi"),
                           "scheduled": _l("Kunjungan dijadwalkan"), "done": _l("Sudah direkam"),
                           "declined": _l("Tidak bisa dilayani")}
REPORT_STATE_LABELS = {"new": _l("Diterima"), "in_review": _l("Sedang ditangani"),
                       "answered": _l("Dijawab"), "closed": _l("Ditutup")}
INBOX_MESSAGES = {
    "transition": _l("Keadaan ini tidak bisa langsung dipilih dari keadaan sekarang."),
    "required": _l("Isian ini wajib diisi untuk keadaan yang dipilih."),
    "length": _l("Jawaban ini terlalu panjang."),
    "text": _l("Hapus tanda atau huruf yang tidak bisa dibaca dari isian ini."),
    "time": _l("Tulis jam seperti 09.00."),
    "date": _l("Tulis tanggal seperti 2026-12-24."),
}


class HomeVisitHandleForm(PostForm):
    checked_by_domain = ("response",)
    status = RadioField(_l("Keadaan"), choices=choices(tuple(HOME_VISIT_STATE_LABELS),
                                                      tuple(HOME_VISIT_STATE_LABELS.values())),
                        validators=[ChosenFrom(_l("Pilih keadaan."))], validate_choice=False)
    planned_day = StringField(_l("Tanggal kunjungan"), validators=[Length(max=20)],
                              render_kw={"type": "date", "class": "input-short"})
    planned_time = StringField(_l("Jam kunjungan"), validators=[Length(max=8)],
                               render_kw={"type": "time", "class": "input-short"})
    response = TextAreaField(_l("Catatan untuk pemohon (dibacakan lewat telepon)"),
                             validators=[Length(max=1200)])


class ReportHandleForm(PostForm):
    checked_by_domain = ("response",)
    status = RadioField(_l("Keadaan"), choices=choices(tuple(REPORT_STATE_LABELS),
                                                      tuple(REPORT_STATE_LABELS.values())),
                        validators=[ChosenFrom(_l("Pilih keadaan."))], validate_choice=False)
    response = TextAreaField(_l("Jawaban untuk pelapor (dibaca di halaman laporan dengan PIN)"),
                             validators=[Length(max=2400)])


# --- service status -----------------------------------------------------------------------

SERVICE_STATE_LABELS = {"normal": _l("Normal"), "limited": _l("Terbatas"),
                        "stopped": _l("Berhenti")}
PLAIN_TEXT_MESSAGE = _l("Hapus tanda atau huruf yang tidak bisa dibaca dari isian ini.")
STATUS_MESSAGES = {
    "length": _l("Tulis paling banyak 280 huruf: satu kalimat yang dibaca sekilas."),
    "markup": _l("Tulis kalimat biasa, tanpa tanda < atau >."),
}


def _service_field(label):
    return RadioField(label, choices=choices(tuple(SERVICE_STATE_LABELS),
                                             tuple(SERVICE_STATE_LABELS.values())),
                      validators=[ChosenFrom(_l("Pilih normal, terbatas, atau berhenti."))],
                      validate_choice=False)


class ServiceStatusForm(PostForm):
    checked_by_domain = ("message",)
    recording = _service_field(_l("Perekaman hari ini"))
    printing = _service_field(_l("Pencetakan kartu"))
    message = StringField(_l("Alasan, dengan kata-kata biasa"), validators=[Length(max=400)])


# --- audit and outbox -----------------------------------------------------------------------


class AuditFilterForm(Form):
    """A GET form: the filter is in the URL, so a filtered view can be bookmarked or exported."""

    actor = StringField(_l("Siapa (nama pengguna, atau misalnya user:3, cli)"),
                        validators=[Length(max=60)])
    action = SelectField(_l("Apa"), choices=[], validate_choice=False,
                         validators=[Length(max=60)])
    first = StringField(_l("Dari tanggal"), validators=[Length(max=20)],
                        render_kw={"type": "date", "class": "input-short"})
    last = StringField(_l("Sampai tanggal"), validators=[Length(max=20)],
                       render_kw={"type": "date", "class": "input-short"})
    booking = StringField(_l("Kode booking"), validators=[Length(max=20)],
                          render_kw={"class": "input-short", "autocapitalize": "characters"})


class FiguresForm(Form):
    period = SelectField(_l("Per"), choices=choices(("day", "month"), (_l("hari"), _l("bulan"))),
                         validators=[ChosenFrom(_l("Pilih per hari atau per bulan."))],
                         validate_choice=False)
    group = SelectField(_l("Dirinci menurut"),
                        choices=choices(("channel", "desa"), (_l("cara mendaftar"), _l("desa"))),
                        validators=[ChosenFrom(_l("Pilih cara mendaftar atau desa."))],
                        validate_choice=False)
    first = StringField(_l("Dari tanggal"), validators=[Length(max=20)],
                        render_kw={"type": "date", "class": "input-short"})
    last = StringField(_l("Sampai tanggal"), validators=[Length(max=20)],
                       render_kw={"type": "date", "class": "input-short"})


# --- integrate rooms: the blangko stock on the settings page (issues 13 and 15) ---


class BlangkoForm(PostForm):
    count = StringField(_l("Blangko yang baru datang (kartu)"), render_kw=_NUMBER,
                        validators=[Length(max=12)])

    def cards(self) -> int | None:
        """The count as a whole number from 1 to 10,000, or None (the field's error is set)."""
        text = (self.count.data or "").strip()
        if text.isdigit() and 1 <= int(text) <= 10_000:
            return int(text)
        self.count.errors = [_l("Tulis jumlah kartu yang datang, angka bulat 1 sampai 10000.")]
        return None
