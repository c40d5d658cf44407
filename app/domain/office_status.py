"""Today's service status of an office (DESIGN §6 /offices/{code}/status, /status/{office}):
whether recording and card printing run normally, limited or not at all, and why in one line.

The status stands until an admin changes it — a blangko shortage lasts weeks, and a status
that quietly reset at midnight would tell people "normal" on a day the office cannot print.
The page shows when it was last set, so a stale one can be seen as such.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from ..adapters import notify
from ..formatting import display_code
from ..models import SERVICE_STATES, Booking, Office, OfficeStatus, Slot, utcnow
from . import audit
from .names import text_problem

MESSAGE_MAX = 280  # a line a person reads on a phone, or a lobby screen, at a glance
FIELDS = ("recording", "printing", "message")


@dataclass(frozen=True)
class ServiceStatus:
    recording: str
    printing: str
    message: str
    updated_at: datetime | None  # None: never set (both normal)

    @property
    def all_normal(self) -> bool:
        return self.recording == "normal" and self.printing == "normal"


NORMAL = ServiceStatus("normal", "normal", "", None)


class StatusInvalid(ValueError):
    """`errors`: field → code (`required`, `unknown`, `type`, `length`, `control`, `bidi`,
    `combining`, `markup`)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors


def current(session: Session, office_code: str) -> ServiceStatus:
    row = session.get(OfficeStatus, office_code)
    if row is None:
        return NORMAL
    return ServiceStatus(row.recording, row.printing, row.message, row.updated_at)


def clean_message(raw: object) -> str:
    """One line of plain text: NFC, single spaces, no control or direction-override characters
    (the rules of a name, app/domain/names.py), no markup. Raises StatusInvalid."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise StatusInvalid({"message": "type"})
    message = unicodedata.normalize("NFC", raw)
    problem = text_problem(message)
    if problem:
        raise StatusInvalid({"message": problem})
    message = " ".join(message.split())
    if len(message) > MESSAGE_MAX:
        raise StatusInvalid({"message": "length"})
    # Shown escaped everywhere, but it is also read by kiosks and other offices' systems: a
    # tag here is a mistake or an attempt, never a status.
    if "<" in message or ">" in message:
        raise StatusInvalid({"message": "markup"})
    return message


def validate(recording: object, printing: object, message: object) -> tuple[str, str, str]:
    """The status as given, checked field by field; StatusInvalid with every field's code."""
    errors: dict[str, str] = {}
    for name, value in (("recording", recording), ("printing", printing)):
        if value is None:
            errors[name] = "required"
        elif value not in SERVICE_STATES:
            errors[name] = "unknown"
    try:
        cleaned = clean_message(message)
    except StatusInvalid as error:
        errors.update(error.errors)
        cleaned = ""
    if errors:
        raise StatusInvalid(errors)
    return str(recording), str(printing), cleaned


def set_status(session: Session, office_code: str, *, recording: object, printing: object,
               message: object, actor: str, now: datetime | None = None) -> ServiceStatus:
    """Validate and store an office's status, and audit who set it. The caller commits."""
    recording, printing, message = validate(recording, printing, message)
    now = now or utcnow()
    row = session.get(OfficeStatus, office_code)
    was_stopped = row is not None and row.recording == "stopped"
    if row is None:
        row = OfficeStatus(office_code=office_code)
    row.recording, row.printing, row.message = recording, printing, message
    row.updated_at, row.updated_by = now, actor[:60]
    session.add(row)
    # The message is free text written by staff: the audit keeps the states, not the words.
    audit.record(session, actor, "office.status", f"office:{office_code}",
                 f"recording={recording} printing={printing}")
    session.flush()
    if recording == "stopped" and not was_stopped:
        tell_booked_today(session, office_code, message, now)
    return ServiceStatus(recording, printing, message, now)


# --- issue 15 (F): people booked for today hear when recording stops ---


def tell_booked_today(session: Session, office_code: str, reason: str, now: datetime) -> int:
    """Queue a message to everyone still to come today (booked, slot not yet over) when
    recording stops, with the office's reason; returns how many were queued."""
    office = session.get(Office, office_code)
    tz = ZoneInfo(office.timezone)
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0), tz)
    end = datetime.combine(today + timedelta(days=1), time(0), tz)
    rows = session.exec(select(Booking).join(Slot, Slot.id == Booking.slot_id).where(
        Booking.office_code == office_code, Booking.status == "booked",
        Slot.starts_at >= start, Slot.starts_at < end, Slot.ends_at > now)).all()
    why = f" ({reason})" if reason else ""
    for booking in rows:
        notify.queue(session, booking, "recording_stopped",
                     f"Rekam: perekaman e-KTP di {office.name} hari ini berhenti{why}. Jadwal "
                     f"Anda (kode {display_code(booking.code)}) tetap tercatat; ubah jadwal "
                     f"dengan kode dan NIK Anda, atau tanyakan ke kantor. Gratis, jangan bayar "
                     f"siapa pun.", now=now)
    return len(rows)
