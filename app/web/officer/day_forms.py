"""Forms of the officer's day and a booking's steps (issue 13), and the words for their states
and refusals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ...domain.card import REJECT_REASONS
from ...domain.officer_day import SEARCH_LENGTH, STATUS_FILTERS
from ..forms import Form, PostForm, choices

STATUS_LABELS = {
    "booked": _l("Terjadwal"), "checked_in": _l("Sudah datang"),
    "in_capture": _l("Sedang direkam"), "recorded": _l("Sudah direkam"),
    "served": _l("Dilayani di loket"), "card_ready": _l("Kartu siap diambil"),
    "collected": _l("Kartu sudah diambil"), "no_show": _l("Tidak datang"),
    "cancelled": _l("Dibatalkan"), "central_rejected": _l("Ditolak sistem pusat"),
    "moved": _l("Dipindah"),
}
# Short words for the officer, so help is arranged before the person arrives.
NEED_LABELS = {
    "wheelchair": _l("Kursi roda"), "sign_language": _l("Juru bahasa isyarat"),
    "low_vision": _l("Sulit melihat"), "companion": _l("Dengan pendamping"),
    "pregnant": _l("Hamil"), "infant": _l("Membawa bayi"),
    "cannot_leave_home": _l("Kunjungan rumah"),
}
STEP_LABELS = {
    "check_in": _l("Catat hadir"), "no_show": _l("Tandai tidak datang"),
    "undo_no_show": _l("Batalkan tanda tidak datang"),
    "in_capture": _l("Mulai perekaman"), "recorded": _l("Selesai direkam"),
    "served": _l("Selesai dilayani di loket"), "to_recording": _l("Jadikan perekaman"),
    "card_ready": _l("Kartu sudah dicetak dan siap"), "suket": _l("Catat Suket"),
    "collected": _l("Serahkan kartu"), "central_rejected": _l("Catat penolakan sistem pusat"),
}
DONE_LABELS = {
    "check_in": _l("Kedatangan dicatat."), "no_show": _l("Ditandai tidak datang."),
    "undo_no_show": _l("Tanda tidak datang dibatalkan: catat kedatangannya sekarang."),
    "in_capture": _l("Perekaman dimulai."),
    "recorded": _l("Perekaman selesai. Tanda terima perekaman sudah dibuat."),
    "served": _l("Layanan loket selesai. Tanda terima layanan sudah dibuat."),
    "to_recording": _l("Kunjungan ini kini perekaman: arahkan ke stasiun perekaman."),
    "card_ready": _l("Kartu siap. Pesan ke warga sudah diantrekan."),
    "suket": _l("Suket dicatat."), "collected": _l("Kartu sudah diserahkan."),
    "central_rejected": _l("Penolakan dicatat. Pesan ke warga sudah diantrekan."),
}
REFUSALS = {
    "wrong_state": _l("Langkah ini tidak bisa dilakukan pada status booking sekarang."),
    "not_today": _l("Jadwal booking ini bukan hari ini."),
    "already_checked_in": _l("Orang ini sudah dicatat hadir."),
    "not_started": _l("Jamnya belum mulai: tandai tidak datang setelah jadwalnya mulai."),
    "booked_again": _l("Orang ini sudah membuat booking baru: pakai booking yang baru."),
    "no_blangko": _l("Blangko habis. Terbitkan Suket sampai blangko datang lagi."),
    "nik_mismatch": _l("NIK ini tidak cocok dengan pemilik booking. Periksa lagi NIK di KK."),
    "receipt_invalid": _l("Tanda terima ini tidak asli atau bukan milik booking ini."),
    "receipt_not_valid": _l("Tanda terima ini asli, tetapi tidak berlaku lagi (dibatalkan, "
                            "diganti, atau sudah dipakai)."),
    "receipt_missing": _l("Pindai tanda terima, atau tulis alasan bila tanda terima hilang."),
}
REJECT_LABELS = {
    "duplicate": _l("Data ganda: orang ini sudah terekam di pusat"),
    "data_mismatch": _l("Data tidak cocok dengan data kependudukan pusat"),
    "other": _l("Alasan lain dari sistem pusat"),
}
NIK_FIELD = dict(
    validators=[InputRequired(_l("Ketik atau pindai 16 angka NIK dari Kartu Keluarga.")),
                Length(max=40, message=_l("Ketik 16 angka NIK dari KK, tanpa spasi."))],
    # Never remembered by the browser: the NIK is compared, not kept (DESIGN §9).
    render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"})


class DayFilterForm(Form):
    status = SelectField(_l("Status"), choices=choices(
        ("", *STATUS_FILTERS), [_l("Semua"), *(STATUS_LABELS[s] for s in STATUS_FILTERS)]),
        validators=[Optional()])
    q = StringField(_l("Cari kode atau nama"),
                    validators=[Optional(), Length(max=SEARCH_LENGTH)],
                    render_kw={"autocomplete": "off", "spellcheck": "false"})


class StepForm(PostForm):
    """A step with nothing to type (start recording, no-show, card ready, …)."""


class NikStepForm(PostForm):
    nik = StringField(_l("NIK dari Kartu Keluarga"), **NIK_FIELD)


class SuketForm(PostForm):
    on = DateField(_l("Tanggal Suket"), validators=[InputRequired(_l(
        "Tulis tanggal Suket, misalnya 2026-12-01."))])


class CollectForm(PostForm):
    nik = StringField(_l("NIK dari Kartu Keluarga"), **NIK_FIELD)
    receipt = StringField(_l("Pindai QR tanda terima"), validators=[Optional(), Length(
        max=3000, message=_l("Isian ini terlalu panjang."))],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    lost_reason = TextAreaField(_l("Bila tanda terima hilang: alasannya"), validators=[
        Optional(), Length(max=200, message=_l("Tulis paling banyak 200 huruf."))])


class RejectForm(PostForm):
    reason = RadioField(_l("Alasan penolakan"), choices=choices(
        REJECT_REASONS, [REJECT_LABELS[r] for r in REJECT_REASONS]),
        validators=[InputRequired(_l("Pilih alasan penolakan."))])


FORMS = {"check_in": NikStepForm, "suket": SuketForm, "collected": CollectForm,
         "central_rejected": RejectForm}


def form_for(step: str, **kwargs):
    return FORMS.get(step, StepForm)(prefix=step, **kwargs)
