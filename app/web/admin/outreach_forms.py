"""Forms of the admin's outreach and coverage pages (issue 14)."""

from __future__ import annotations

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired

from ...messages import FIELD_MESSAGES
from ...models import ABSENCE_REASONS, OUTREACH_PLACES
from ..citizen.guidance_forms import LocalDateField
from ..forms import ChosenFrom, PostForm, choices

PLACE_LABELS = [_l("Balai desa"), _l("Sekolah"), _l("Dusun"), _l("Tempat lain")]
ABSENCE_LABELS = {"sick": _l("Sakit"), "working": _l("Bekerja"),
                  "away": _l("Sedang di luar daerah"), "not_invited": _l("Undangan tidak sampai"),
                  "moved": _l("Sudah pindah"), "other": _l("Alasan lain"),
                  "unknown": _l("Belum diketahui")}


class PlanForm(PostForm):
    desa_code = SelectField(_l("Desa"), validate_choice=False,
                            validators=[ChosenFrom(FIELD_MESSAGES["desa_code"]["unknown"])])
    place = StringField(_l("Tempat"), validators=[InputRequired(FIELD_MESSAGES["place"]
                                                                ["required"])],
                        render_kw={"maxlength": "200"})
    place_kind = RadioField(_l("Jenis tempat"), default="balai_desa", validate_choice=False,
                            choices=choices(OUTREACH_PLACES, PLACE_LABELS),
                            validators=[ChosenFrom(FIELD_MESSAGES["place_kind"]["unknown"])])
    day = LocalDateField(_l("Tanggal"), invalid_message=FIELD_MESSAGES["date"]["required"],
                         validators=[InputRequired(FIELD_MESSAGES["date"]["required"])])
    # Plain text, read by `times()`: WTForms' own "not a valid time" words are English only.
    start = StringField(_l("Jam mulai (HH:MM)"), render_kw={"inputmode": "numeric",
                                                             "maxlength": "5"})
    end = StringField(_l("Jam selesai (HH:MM)"), render_kw={"inputmode": "numeric",
                                                             "maxlength": "5"})
    stations = StringField(_l("Alat perekaman keliling"), default="1",
                           render_kw={"inputmode": "numeric", "maxlength": "2"})

    def values(self) -> dict:
        """What the domain reads; a value that is not a time or a number is None (its check
        then names the field)."""
        return {"desa_code": self.desa_code.data, "place": self.place.data,
                "place_kind": self.place_kind.data, "day": self.day.data,
                "starts": _time(self.start.data), "ends": _time(self.end.data),
                "stations": int(self.stations.data) if (self.stations.data or "").isdigit()
                else None}

    FIELDS = {"desa_code": "desa_code", "place": "place", "place_kind": "place_kind",
              "date": "day", "start": "start", "end": "end", "stations": "stations"}

    def refuse(self, messages: dict) -> None:
        for field, message in messages.items():
            self[self.FIELDS.get(field, "place")].errors.append(message)


class AbsenceForm(PostForm):
    absence_reason = SelectField(_l("Alasan tidak hadir"), validate_choice=False,
                                 choices=[SelectChoice(r, ABSENCE_LABELS[r]) for r in ABSENCE_REASONS],
                                 validators=[ChosenFrom(FIELD_MESSAGES["absence_reason"]
                                                        ["unknown"])])


class MoveForm(PostForm):
    """Moves the visit's no-shows to the desa's next visit (the only target offered)."""


class CoverageForm(PostForm):
    file = FileField(_l("Tabel cakupan (CSV: desa, wajib, sudah, belum)"))
    year = StringField(_l("Tahun tabel"), render_kw={"inputmode": "numeric", "maxlength": "4"})

    def year_value(self) -> int | None:
        return int(self.year.data) if (self.year.data or "").isdigit() else None


def _time(text: str | None) -> time | None:
    """08:00, 8:00 or 08.00 (as Indonesian writes it)."""
    found = re.fullmatch(r"(\d{1,2})[:.](\d{2})", (text or "").strip())
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        return None
    return time(int(found[1]), int(found[2]))
