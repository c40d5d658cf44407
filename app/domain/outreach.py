"""Outreach visits (pelayanan keliling, jemput bola): planned by the admin, filled by desa staff.

A visit is recording at a desa on one day with the mobile recording sets the team brings: its
slots are rows of their own (pool "mobile", linked by `OutreachSlot`), so taking a place there is
the same conditional UPDATE as at the office, through the one booking function of every channel
(`booking.create_booking`, channel `desa_staff`). Residents come one by one or from a CSV file
(`nik,name,phone,consent`), checked row by row: each row is booked whole or not at all, and a
NIK already booked on this visit is counted as `already`, so importing a file twice books nobody
twice. The import runs in the request: a NIK never sits in a job payload, and nothing here logs.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert
from sqlmodel import Session, select

from ..models import (
    ABSENCE_REASONS,
    OUTREACH_PLACES,
    Booking,
    Desa,
    Invitation,
    Office,
    OutreachSlot,
    OutreachVisit,
    Slot,
    utcnow,
)
from . import audit, booking, capacity, receipts
from .errors import ValidationError

CSV_HEADER = ("nik", "name", "phone", "consent")
# Words a desa's spreadsheet may use for how the resident agreed (DESIGN §9).
CONSENT_WORDS = {"present": "present", "hadir": "present", "phone": "phone",
                 "telepon": "phone", "telp": "phone", "written": "written",
                 "tertulis": "written", "surat": "written"}
MAX_ROWS = 10_000
MAX_STATIONS = 20
# Came to the visit: checked in, or anything after it.
CAME_STATUSES = ("checked_in", "in_capture", "recorded", "card_ready", "collected")
RECORDED_STATUSES = ("recorded", "card_ready", "collected")
OUTREACH_SERVICE = "pemula"


# --- planning -------------------------------------------------------------------------------


def _local(office: Office, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=capacity.zone(office)).astimezone(UTC)


def _plan_problems(session: Session, office: Office, desa_code: str | None, place: str,
                   place_kind: str, day: date | None, starts: time | None, ends: time | None,
                   stations: int | None, now: datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    desa = session.get(Desa, desa_code) if desa_code else None
    if desa is None or desa.office_code != office.code:
        errors["desa_code"] = "unknown"
    if not place or len(place) > 200:
        errors["place"] = "required"
    if place_kind not in OUTREACH_PLACES:
        errors["place_kind"] = "unknown"
    first, last = capacity.horizon(office, now)
    if day is None:
        errors["date"] = "required"
    elif not first <= day <= last:
        errors["date"] = "horizon"
    elif capacity.closed_days(session, office, day, day):
        errors["date"] = "closed"  # a holiday or closure: nobody could book its slots
    if starts is None or ends is None or starts >= ends:
        errors["end"] = "order"
    elif day is not None and _local(office, day, starts) - now < capacity.ONLINE_CUTOFF:
        errors["start"] = "past"
    if stations is None or not 1 <= stations <= MAX_STATIONS:
        errors["stations"] = "range"
    return errors


def _overlaps(session: Session, office: Office, start: datetime, end: datetime) -> bool:
    """One team per office at a time: the mobile pool's slots are keyed by office and start."""
    return session.exec(select(Slot.id).where(
        Slot.office_code == office.code, Slot.pool == capacity.MOBILE_POOL,
        Slot.starts_at < end, Slot.ends_at > start)).first() is not None


def plan_visit(session: Session, *, office: Office, desa_code: str | None, place: str,
               place_kind: str = "balai_desa", day: date | None, starts: time | None,
               ends: time | None, stations: int | None, actor: str,
               now: datetime | None = None) -> OutreachVisit:
    """The visit and its slots: capacity per slot = floor(stations × slot minutes ÷ minutes per
    recording), none held back (the invitations decide who comes). Raises ValidationError."""
    now = now or utcnow()
    place = (place or "").strip()
    errors = _plan_problems(session, office, desa_code, place, place_kind, day, starts, ends,
                            stations, now)
    if not errors and _overlaps(session, office, _local(office, day, starts),
                                _local(office, day, ends)):
        errors["start"] = "overlap"
    if errors:
        raise ValidationError(errors)
    visit = OutreachVisit(office_code=office.code, desa_code=desa_code, place=place,
                          place_kind=place_kind, day=day, starts=starts, ends=ends,
                          stations=stations, created_by=actor, created_at=now)
    session.add(visit)
    session.flush()
    places, _held = capacity.slot_capacity(office, "station", stations)
    step = timedelta(minutes=office.slot_minutes)
    start, end = _local(office, day, starts), _local(office, day, ends)
    while start + step <= end:
        slot = Slot(office_code=office.code, pool=capacity.MOBILE_POOL, starts_at=start,
                    ends_at=start + step, capacity=places, held_back=0)
        session.add(slot)
        session.flush()
        session.add(OutreachSlot(slot_id=slot.id, visit_id=visit.id))
        start += step
    session.flush()
    audit.record(session, actor, "outreach.plan", f"outreach:{visit.id}",
                 f"desa={desa_code} day={day.isoformat()} stations={stations}")
    return visit


def visit_slots(session: Session, visit_id: int) -> list[Slot]:
    return list(session.exec(select(Slot).join(OutreachSlot, OutreachSlot.slot_id == Slot.id)
                             .where(OutreachSlot.visit_id == visit_id)
                             .order_by(Slot.starts_at)
                             .execution_options(populate_existing=True)))


def visit_for_slot(session: Session, slot_id: int) -> OutreachVisit | None:
    return session.exec(select(OutreachVisit).join(
        OutreachSlot, OutreachSlot.visit_id == OutreachVisit.id)
        .where(OutreachSlot.slot_id == slot_id)).first()


def list_visits(session: Session, *, office_code: str | None = None,
                desa_code: str | None = None) -> list[OutreachVisit]:
    query = select(OutreachVisit).order_by(OutreachVisit.day.desc(), OutreachVisit.starts)
    if office_code:
        query = query.where(OutreachVisit.office_code == office_code)
    if desa_code:
        query = query.where(OutreachVisit.desa_code == desa_code)
    return list(session.exec(query))


def next_visit(session: Session, visit: OutreachVisit) -> OutreachVisit | None:
    """The same desa's next visit after this one, where its no-shows may be moved."""
    return session.exec(select(OutreachVisit).where(
        OutreachVisit.desa_code == visit.desa_code, OutreachVisit.day > visit.day)
        .order_by(OutreachVisit.day, OutreachVisit.starts)).first()


# --- filling: one resident, or a CSV file ---------------------------------------------------


@dataclass
class ImportReport:
    booked: list[str] = field(default_factory=list)  # booking codes, in file order
    already: int = 0
    refused: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row, {f: code})


def _booked_here(session: Session, hashed: str, visit_id: int) -> bool:
    return session.exec(select(Booking.id).join(OutreachSlot, OutreachSlot.slot_id ==
                                                Booking.slot_id)
                        .where(Booking.nik_hash == hashed, OutreachSlot.visit_id == visit_id,
                               Booking.status.in_(booking.ACTIVE_STATUSES))).first() is not None


class _Filler:
    """Books residents into a visit's slots, earliest slot with a place first."""

    def __init__(self, session: Session, visit: OutreachVisit, *, key: bytes, data_key: str,
                 actor: str, now: datetime):
        self.session, self.visit, self.key, self.data_key = session, visit, key, data_key
        self.actor, self.now = actor, now
        self.office = session.get(Office, visit.office_code)
        # Held here: the session's identity map only keeps weak references, and the booking
        # check reads the desa for every row.
        self.desa = session.get(Desa, visit.desa_code)
        self.slots = [s for s in visit_slots(session, visit.id) if s.booked < s.capacity]
        self.pending: list[str] = []  # codes booked whose invitation rows are not written yet

    def book(self, nik: str, name: str, phone: str | None, consent: str | None) -> Booking:
        """Raises ValidationError or BookingError; writes nothing then."""
        try:
            applicant = booking.validate_applicant(
                self.session, office=self.office, service=OUTREACH_SERVICE, nik=nik, name=name,
                key=self.key, desa=self.visit.desa_code, phone=phone or None,
                channel="desa_staff", consent=consent, now=self.now)
        except booking.BookingError as error:
            if error.code == "already_booked" and self._already_here(nik):
                raise AlreadyHere from None
            raise
        return self._place(applicant, consent)

    def book_applicant(self, applicant: booking.Applicant, consent: str | None) -> Booking:
        """A person already known (a no-show moved on): what the rules decided is kept."""
        if booking.has_active_booking(self.session, applicant.nik_hash):
            raise booking.BookingError("already_booked")
        return self._place(applicant, consent)

    def _place(self, applicant: booking.Applicant, consent: str | None) -> Booking:
        """The earliest slot with a place. The booking function's own SAVEPOINT makes a
        refusal leave nothing; its audit entry records the booking (the consent is on the row).
        The invitation rows are written together by `flush_invitations`, and the receipt is
        signed when the invitations are printed (`ensure_receipts`): an import of thousands of
        rows stays a few statements a row."""
        while self.slots:
            slot = self.slots[0]
            try:
                made = booking.create_booking(
                    self.session, office=self.office, slot_id=slot.id,
                    service=OUTREACH_SERVICE, applicant=applicant, channel="desa_staff",
                    actor=self.actor, consent=consent, now=self.now)
            except booking.BookingError as error:
                if error.code != "slot_full":
                    raise
                self.slots.pop(0)
                continue
            self.pending.append(made.code)
            return made
        raise booking.BookingError("slot_full")

    def flush_invitations(self) -> None:
        if self.pending:
            self.session.execute(insert(Invitation), [
                {"visit_id": self.visit.id, "booking_code": code, "created_at": self.now}
                for code in self.pending])
            self.pending = []

    def _already_here(self, nik: str) -> bool:
        from .nik import nik_hash

        return _booked_here(self.session, nik_hash(nik, self.key), self.visit.id)


class AlreadyHere(Exception):
    """The NIK is already booked on this visit: nothing to do (idempotent import)."""


def book_resident(session: Session, visit: OutreachVisit, *, nik: str, name: str,
                  phone: str | None, consent: str | None, key: bytes, data_key: str,
                  actor: str, now: datetime | None = None) -> Booking:
    """One resident into the visit. Raises ValidationError, BookingError or AlreadyHere."""
    filler = _Filler(session, visit, key=key, data_key=data_key, actor=actor,
                     now=now or utcnow())
    made = filler.book(nik, name, phone, consent)
    filler.flush_invitations()
    return made


def decoded(raw: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without the BOM a spreadsheet writes), never guessed —
    a name read in the wrong encoding would be booked wrong."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": "encoding"}) from None


def _rows(text: str):
    """(row number, fields) of the file's data rows; raises ValidationError for the file."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != CSV_HEADER:
        raise ValidationError({"file": "header"})
    for number, fields in enumerate(reader, start=1):
        if number > MAX_ROWS:
            raise ValidationError({"file": "too_many"})
        if any(f.strip() for f in fields):
            yield number, fields


def _row_errors(error: Exception) -> dict[str, str]:
    if isinstance(error, ValidationError):
        return dict(error.errors)
    if isinstance(error, booking.NotEligible):
        return {"nik": "too_young"}
    code = getattr(error, "code", "invalid")
    return {"nik": "already_booked"} if code == "already_booked" else {"visit": "full"} \
        if code == "slot_full" else {"visit": "closed"}


CHECKPOINT_ROWS = 200


def import_residents(session: Session, visit: OutreachVisit, text: str, *, key: bytes,
                     data_key: str, actor: str, now: datetime | None = None,
                     checkpoint=None) -> ImportReport:
    """Book every good row of a `nik,name,phone,consent` file; report the rest by row number.

    Each row is booked whole or not at all; a file whose header is wrong books nobody. The
    report holds row numbers and codes, never the NIK. `checkpoint()`, when given, is called
    every CHECKPOINT_ROWS rows (the faces commit there): on SQLite a long file then does not
    hold the one write lock for its whole length, and a file cut short by a crash is simply
    imported again — its booked rows count as `already`."""
    now = now or utcnow()
    filler = _Filler(session, visit, key=key, data_key=data_key, actor=actor, now=now)
    report = ImportReport()
    rows = list(_rows(text))  # a file that is not such a file at all books nobody
    for number, fields in rows:
        if checkpoint is not None and number % CHECKPOINT_ROWS == 0:
            filler.flush_invitations()
            checkpoint()
        if len(fields) != len(CSV_HEADER):
            report.refused.append((number, {"row": "columns"}))
            continue
        nik, name, phone, consent_word = (f.strip() for f in fields)
        consent = CONSENT_WORDS.get(consent_word.lower())
        try:
            made = filler.book(nik, name, phone, consent)
        except AlreadyHere:
            report.already += 1
        except (ValidationError, booking.BookingError) as error:
            report.refused.append((number, _row_errors(error)))
        else:
            report.booked.append(made.code)
    filler.flush_invitations()
    audit.record(session, actor, "outreach.import", f"outreach:{visit.id}",
                 f"booked={len(report.booked)} already={report.already} "
                 f"refused={len(report.refused)}")
    return report


# --- invitations, delivery, the visit report ------------------------------------------------


@dataclass(frozen=True)
class Invited:
    booking: Booking
    slot: Slot
    invitation: Invitation


def invited(session: Session, visit: OutreachVisit) -> list[Invited]:
    """Everyone booked on the visit's slots (by any channel: import, the staff's booking page,
    the API), by slot then name, with their invitation's delivery (a blank one until noted).
    A booking rescheduled away has left the visit; its `moved` history row is not listed."""
    rows = session.exec(select(Booking, Slot, Invitation)
                        .join(Slot, Slot.id == Booking.slot_id)
                        .join(OutreachSlot, OutreachSlot.slot_id == Slot.id)
                        .outerjoin(Invitation, (Invitation.booking_code == Booking.code)
                                   & (Invitation.visit_id == visit.id))
                        .where(OutreachSlot.visit_id == visit.id, Booking.status != "moved")
                        .order_by(Slot.starts_at, Booking.name)).all()
    return [Invited(b, s, i or Invitation(visit_id=visit.id, booking_code=b.code))
            for b, s, i in rows]


def _invitation(session: Session, visit: OutreachVisit, code: str) -> Invitation:
    """The invitation of a booking on this visit, made on first use; ValidationError when the
    code is not booked on the visit."""
    found = session.exec(select(Invitation).where(Invitation.visit_id == visit.id,
                                                  Invitation.booking_code == code)).first()
    if found is not None:
        return found
    on_visit = session.exec(select(Booking.id).join(OutreachSlot, OutreachSlot.slot_id ==
                                                    Booking.slot_id)
                            .where(OutreachSlot.visit_id == visit.id, Booking.code == code,
                                   Booking.status != "moved")).first()
    if on_visit is None:
        raise ValidationError({"code": "unknown"})
    made = Invitation(visit_id=visit.id, booking_code=code)
    session.add(made)
    return made


def record_delivery(session: Session, visit: OutreachVisit, code: str, *, delivered_by: str,
                    actor: str, now: datetime | None = None) -> Invitation:
    """Who handed the undangan to the resident, and when."""
    delivered_by = (delivered_by or "").strip()
    if not delivered_by or len(delivered_by) > 120:
        raise ValidationError({"delivered_by": "required"})
    invitation = _invitation(session, visit, code)
    invitation.delivered_at, invitation.delivered_by = now or utcnow(), delivered_by
    invitation.recorded_by = actor
    session.add(invitation)
    audit.record(session, actor, "outreach.delivered", f"booking:{code}",
                 f"outreach={visit.id}")
    return invitation


def record_absence(session: Session, visit: OutreachVisit, code: str, reason: str, *,
                   actor: str) -> Invitation:
    if reason not in ABSENCE_REASONS:
        raise ValidationError({"absence_reason": "unknown"})
    invitation = _invitation(session, visit, code)
    invitation.absence_reason = reason
    session.add(invitation)
    audit.record(session, actor, "outreach.absence", f"booking:{code}", f"reason={reason}")
    return invitation


@dataclass(frozen=True)
class VisitReport:
    invited: int
    delivered: int
    came: int
    recorded: int
    absent: int
    reasons: dict[str, int]  # absence reason (or "unknown") → count


def visit_report(session: Session, visit: OutreachVisit) -> VisitReport:
    """"Laporan Kegiatan Perekaman Keliling": invited, came, recorded, absent with a reason."""
    people = [p for p in invited(session, visit) if p.booking.status != "cancelled"]
    came = [p for p in people if p.booking.status in CAME_STATUSES]
    absent = [p for p in people if p.booking.status == "no_show"]
    reasons: dict[str, int] = {}
    for person in absent:
        reason = person.invitation.absence_reason or "unknown"
        reasons[reason] = reasons.get(reason, 0) + 1
    return VisitReport(invited=len(people),
                       delivered=sum(1 for p in people if p.invitation.delivered_at),
                       came=len(came),
                       recorded=sum(1 for p in came if p.booking.status in RECORDED_STATUSES),
                       absent=len(absent), reasons=reasons)


@dataclass
class MoveReport:
    moved: list[str] = field(default_factory=list)  # the new booking codes
    not_moved: list[str] = field(default_factory=list)  # old codes: full, or booked elsewhere


def move_no_shows(session: Session, visit: OutreachVisit, target: OutreachVisit, *,
                  data_key: str, actor: str, now: datetime | None = None) -> MoveReport:
    """Book the visit's no-shows into the target visit (the desa's next one) through the one
    booking function. The no-show stays as history; the person gets a new booking, receipt and
    invitation. No NIK is needed: the booking kept its hash and what the rules decided."""
    now = now or utcnow()
    if target.id == visit.id or target.desa_code != visit.desa_code or target.day <= visit.day:
        raise ValidationError({"target": "unknown"})
    booking.mark_no_shows(session, now)
    session.expire_all()
    filler = _Filler(session, target, key=b"", data_key=data_key, actor=actor, now=now)
    report = MoveReport()
    for person in invited(session, visit):
        if person.booking.status != "no_show":
            continue
        old = person.booking
        applicant = booking.Applicant(
            nik_hash=old.nik_hash, nik_last4=old.nik_last4, age_band=old.age_band or "21-59",
            name=old.name, phone=old.phone, desa_code=old.desa_code,
            needs=tuple(booking.needs_of(old)))
        try:
            made = filler.book_applicant(applicant, old.consent)
        except booking.BookingError:
            report.not_moved.append(old.code)
            continue
        audit.record(session, actor, "outreach.move_no_show", f"booking:{old.code}",
                     f"to=booking:{made.code} outreach={target.id}")
        report.moved.append(made.code)
    filler.flush_invitations()
    return report


def ensure_receipts(session: Session, visit: OutreachVisit, *, data_key: str,
                    now: datetime | None = None) -> int:
    """Sign the booking receipt of every booked invitee who has none yet (imported rows get
    theirs here, when the invitations that carry its QR are printed). Returns how many."""
    from ..models import Receipt

    missing = session.exec(select(Booking).join(OutreachSlot, OutreachSlot.slot_id ==
                                                 Booking.slot_id)
                           .where(OutreachSlot.visit_id == visit.id, Booking.status == "booked",
                                  ~select(Receipt.id).where(Receipt.booking_id == Booking.id,
                                                            Receipt.kind == "booking")
                                  .exists())).all()
    office = session.get(Office, visit.office_code)
    slots = {s.id: s for s in visit_slots(session, visit.id)}
    for made in missing:
        receipts.issue_receipt(session, made, "booking", data_key=data_key, now=now,
                               slot=slots.get(made.slot_id), office=office)
    return len(missing)


def open_places(session: Session, visit: OutreachVisit) -> int:
    return int(session.exec(select(func.coalesce(func.sum(Slot.capacity - Slot.booked), 0))
                            .join(OutreachSlot, OutreachSlot.slot_id == Slot.id)
                            .where(OutreachSlot.visit_id == visit.id)).one())
