"""The staff room's forms (issue 14). Labels are Indonesian msgids (English catalogue)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ...domain.booking import CONSENTS
from ...domain.services import SERVICES
from ...domain.staff import STATUS_FILTERS
from ...messages import FIELD_MESSAGES, field_messages
from ..citizen.guidance_forms import LocalDateField
from ..forms import ChosenFrom, Form, PostForm, choices

CONSENT_LABELS = {"present": _l("Warga hadir sendiri di kantor desa"),
                  "phone": _l("Warga menyetujui lewat telepon"),
                  "written": _l("Warga menyetujui secara tertulis (surat atau formulir)")}
STATUS_LABELS = {"booked": _l("Terjadwal"), "checked_in": _l("Sudah datang"),
                 "in_capture": _l("Sedang direkam"), "recorded": _l("Sudah direkam"),
                 "card_ready": _l("e-KTP siap diambil"), "collected": _l("e-KTP sudah diambil"),
                 "cancelled": _l("Dibatalkan"), "no_show": _l("Tidak datang"),
                 "moved": _l("Dipindah")}
HOME_VISIT_LABELS = {"new": _l("Baru"), "scheduled": _l("Dijadwalkan"), "done": _l("Selesai"),
                     "declined": _l("Ditolak")}
BAD_DATE = _l("Tulis tanggal sebagai YYYY-MM-DD.")


class BookingFilterForm(Form):
    status = SelectField(_l("Keadaan"), validate_choice=False,
                         choices=[SelectChoice("", _l("Semua"))] +
                         [SelectChoice(s, STATUS_LABELS[s]) for s in STATUS_FILTERS])
    dari = LocalDateField(_l("Dari tanggal"), invalid_message=BAD_DATE, validators=[Optional()])
    sampai = LocalDateField(_l("Sampai tanggal"), invalid_message=BAD_DATE,
                            validators=[Optional()])

    def filters(self) -> dict:
        status = self.status.data if self.status.data in STATUS_FILTERS else None
        return {"status": status, "first": self.dari.data, "last": self.sampai.data}


class ServiceForm(Form):
    layanan = RadioField(_l("Layanan"), validate_choice=False,
                         choices=[SelectChoice(code, s.name) for code, s in SERVICES.items()])


class OnBehalfForm(PostForm):
    checked_by_domain = ("nik", "name", "phone")
    slot = SelectField(_l("Jadwal"), validate_choice=False,
                       validators=[ChosenFrom(FIELD_MESSAGES["slot_id"]["unknown"])])
    nik = StringField(_l("NIK warga (16 angka, dari Kartu Keluarga)"),
                      render_kw={"inputmode": "numeric", "autocomplete": "off",
                                 "spellcheck": "false", "maxlength": "40"})
    name = StringField(_l("Nama lengkap warga"), render_kw={"autocomplete": "off",
                                                             "maxlength": "120"})
    phone = StringField(_l("Nomor HP warga (tidak wajib)"),
                        render_kw={"inputmode": "tel", "autocomplete": "off", "maxlength": "20"})
    consent = RadioField(_l("Persetujuan warga"), validate_choice=False,
                         choices=choices(CONSENTS, [CONSENT_LABELS[c] for c in CONSENTS]),
                         validators=[ChosenFrom(FIELD_MESSAGES["consent"]["required"])])

    FIELDS = {"nik": "nik", "name": "name", "phone": "phone", "consent": "consent",
              "slot_id": "slot", "desa_code": "nik", "service": "slot", "needs": "nik"}

    def refuse(self, error) -> None:
        """Put the domain's refusal on the fields it names."""
        for field, message in field_messages(error).items():
            self[self.FIELDS.get(field, "nik")].errors.append(message)


class ImportForm(PostForm):
    file = FileField(_l("Berkas CSV (kolom: nik,name,phone,consent)"))


class DeliveryForm(PostForm):
    delivered_by = StringField(_l("Diserahkan oleh"),
                               validators=[InputRequired(FIELD_MESSAGES["delivered_by"]
                                                         ["required"]), Length(max=120)])
