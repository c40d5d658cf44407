"""Taking, moving and giving back places (DESIGN §3 Booking).

A place is taken by one conditional UPDATE of the slot's counters and the booking row is inserted
in the same SAVEPOINT, so a refused request leaves nothing half-written. One active booking per
NIK is the schema's partial unique index, not a query. State changes are conditional UPDATEs too:
two cancels of one booking free one place.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import case, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..adapters import notify
from ..formatting import display_code, local_date, slot_range
from ..models import (
    ACTIVE_STATUSES,
    Booking,
    Closure,
    Desa,
    Office,
    Receipt,
    SigningKey,
    Slot,
    utcnow,
)
from . import audit, capacity, codes, receipts, rows, services
from .eligibility import RECORDING_AGE, age_band, band_is_elderly, check_eligibility
from .errors import ValidationError
from .names import NameError, clean_name
from .nik import NikError, NikInfo, nik_hash, normalise_nik, parse_nik
from .phones import normalise_phone
from .services import SERVICES

NEEDS = ("wheelchair", "sign_language", "low_vision", "companion", "pregnant", "infant",
         "cannot_leave_home")
# A companion helps the person but does not make them a priority visitor (DESIGN §3).
NON_PRIORITY_NEEDS = ("companion",)
# Places count every booking that used or is using the slot; cancelled and moved ones gave it back.
RELEASED_STATUSES = ("cancelled", "moved")
CODE_ATTEMPTS = 5
# The desa answer "from outside this kecamatan" (the API's null `desa_code`).
OUTSIDE = "luar"
# Desa staff book for someone else: how that person agreed is recorded (DESIGN §9).
CONSENTS = ("present", "phone", "written")
CONSENT_CHANNELS = ("desa_staff",)


class BookingError(Exception):
    """`code`: slot_full, already_booked, slot_unavailable, not_cancellable, not_eligible."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class NotEligible(BookingError):
    """Too young to record yet (under 17 and never married): says from which day they may."""

    def __init__(self, eligible_from: date | None) -> None:
        super().__init__("not_eligible")
        self.eligible_from = eligible_from


@dataclass(frozen=True)
class Applicant:
    """Who books: what the rules decided from the NIK when it was read, and what the person
    states. Never the NIK, its birth date or its sex: with the region code and the last 4 digits
    they *are* the NIK (DESIGN §9). A later step that needs the age again asks for the NIK again.
    """

    nik_hash: str
    nik_last4: str
    age_band: str  # eligibility.AGE_BANDS, on the day the NIK was read
    name: str
    phone: str | None = None
    desa_code: str | None = None  # None: from outside this kecamatan
    needs: tuple[str, ...] = field(default=())
    # 17 or older, or ever married (UU 24/2013 art. 63); only a first recording needs it.
    may_record: bool = True
    # When not yet: the first day they may (their 17th birthday). Said once, never stored.
    may_record_from: date | None = field(default=None, repr=False)

    @classmethod
    def from_nik(cls, nik: str, info: NikInfo, key: bytes, *, today: date,
                 ever_married: bool = False, min_age: int = RECORDING_AGE,
                 **stated) -> Applicant:
        # min_age: the office's Office.min_recording_age (17, or 16 where it records earlier).
        eligibility = check_eligibility(info.birth_date, today, ever_married, min_age=min_age)
        return cls(nik_hash=nik_hash(nik, key), nik_last4=info.last4,
                   age_band=age_band(eligibility.age), may_record=eligibility.eligible,
                   may_record_from=eligibility.eligible_from, **stated)


def _checked(errors: dict, field: str, check, *args):
    """check(*args), or None with the error's code noted under `field`."""
    try:
        return check(*args)
    except (NikError, NameError) as error:
        errors[field] = error.code
    except ValueError:
        errors[field] = "invalid"
    return None


def _needs_problem(needs) -> str | None:
    if "cannot_leave_home" in needs:  # a home-visit request, not a place at the office
        return "home_visit"
    return None if set(needs) <= set(NEEDS) else "unknown"


def _desa_problem(session: Session, office: Office, desa: str | None,
                  place: Place | None = None) -> str | None:
    if not desa:
        return "required"  # "— pilih —" is not an answer (nor "from outside")
    if desa == OUTSIDE:
        return None
    if place is not None and place.desa == desa:
        return None if place.desa_office == office.code else "unknown"
    found = session.get(Desa, desa)
    return None if found is not None and found.office_code == office.code else "unknown"


def validate_applicant(session: Session, *, office: Office, service: str, nik: str | None,
                       name: str | None, key: bytes, desa: str | None = OUTSIDE,
                       phone: str | None = None, needs=(), ever_married: bool = False,
                       channel: str = "web", consent: str | None = None,
                       now: datetime | None = None, place: Place | None = None) -> Applicant:
    """The one check of who books, for every face (page, API, CLI): all fields at once, so
    the caller sees every mistake in one answer. Raises ValidationError({field: code}), then
    BookingError("already_booked") when the NIK holds an active booking (told at once, not
    after the review). `desa`: a desa code of the office, OUTSIDE, or empty for no answer.
    `place`: what read_place found (the desa's office, whether this NIK holds a booking), so
    neither is asked again."""
    errors: dict[str, str] = {}
    today = capacity.local_today(office, now or utcnow())
    info = _checked(errors, "nik", parse_nik, nik or "", today)
    clean = _checked(errors, "name", clean_name, name)
    normalised = _checked(errors, "phone", normalise_phone, phone)
    needs = tuple(dict.fromkeys(needs or ()))
    problems = {"needs": _needs_problem(needs), "desa_code": _desa_problem(session, office, desa, place),
                "service": None if service in SERVICES else "unknown",
                "consent": "required" if channel in CONSENT_CHANNELS and consent not in CONSENTS
                else None}
    errors.update({field: code for field, code in problems.items() if code})
    applicant = None
    if info is not None:
        applicant = Applicant.from_nik(
            nik, info, key, today=today, ever_married=ever_married,
            min_age=office.min_recording_age, name=clean or "", phone=normalised, desa_code=None if desa == OUTSIDE else desa, needs=needs)
        if service in SERVICES and SERVICES[service].needs_recording and not applicant.may_record:
            errors["nik"] = "too_young"  # UU 24/2013 art. 63: 17 (the office may say 16), or married
    if errors:
        day = applicant.may_record_from if applicant else None
        raise ValidationError(errors, {"nik": {"day": day}} if errors.get("nik") == "too_young"
                              else None)
    if place is not None and place.nik_hash == applicant.nik_hash:
        booked = place.already_booked
    else:
        booked = has_active_booking(session, applicant.nik_hash)
    if booked:
        raise BookingError("already_booked")
    return applicant


def is_priority(band: str, needs) -> bool:
    """Age 60+ or any stated need except a companion (DESIGN §3)."""
    return band_is_elderly(band) or any(n not in NON_PRIORITY_NEEDS for n in needs)


def needs_of(booking: Booking) -> list[str]:
    return json.loads(booking.needs or "[]")


def find_current(session: Session, code: str | None) -> Booking | None:
    """The current row of a booking code (not its `moved` history), or None."""
    if code is None:
        return None
    return session.exec(select(Booking).where(Booking.code == code,
                                              Booking.status != "moved")).first()


def matches_nik(booking: Booking | None, hashed: str) -> bool:
    # An empty hash never matches: retention leaves "" in a booking's nik_hash (issue 9 B).
    return booking is not None and bool(hashed) and booking.nik_hash == hashed


def has_active_booking(session: Session, hashed: str) -> bool:
    return session.exec(select(Booking.id).where(
        Booking.nik_hash == hashed, Booking.status.in_(ACTIVE_STATUSES))).first() is not None


@functools.cache
def _take_statement(open_share_only: bool, check_closure: bool):
    """The conditional UPDATE in its four shapes, each built (and so compiled) once: building it
    per booking cost more than running it (issue 11)."""
    conditions = [Slot.id == sa.bindparam("slot_id"), Slot.booked < Slot.capacity]
    if open_share_only:
        conditions.append(Slot.booked - Slot.booked_priority < Slot.capacity - Slot.held_back)
    if check_closure:
        conditions.append(~sa.exists().where(Closure.office_code == sa.bindparam("office"),
                                             Closure.day == sa.bindparam("day")))
    return (update(Slot).where(*conditions)
            .values(booked=Slot.booked + 1,
                    booked_priority=Slot.booked_priority + sa.bindparam("held", type_=sa.Integer))
            .execution_options(synchronize_session=False))


def _take_place(session: Session, slot: Slot, held_share: bool, open_to_all: bool,
                not_closed_on: tuple[str, date] | None = None) -> bool:
    """One conditional UPDATE; True when a place was taken. Without the held share and before
    its release, only the open share (capacity − held back) counts. `not_closed_on`: (office,
    local day) the admin must not have closed: checked here, in the same statement, so the
    booking transaction reads nothing."""
    params = {"slot_id": slot.id, "held": int(held_share)}
    if not_closed_on is not None:
        params["office"], params["day"] = not_closed_on
    statement = _take_statement(not held_share and not open_to_all, not_closed_on is not None)
    return session.execute(statement, params).rowcount == 1


def _give_back(session: Session, slot_id: int, held_share: bool) -> None:
    session.execute(update(Slot).where(Slot.id == slot_id).values(
        booked=Slot.booked - 1, booked_priority=Slot.booked_priority - int(held_share))
        .execution_options(synchronize_session=False))


def _uses_held_share(office: Office, slot: Slot, priority: bool, channel: str,
                     now: datetime) -> bool:
    return priority or capacity.is_walk_in(office, slot, channel, now)


def _slot_for(session: Session, office: Office, slot_id: int, service: str, channel: str,
              now: datetime) -> Slot:
    slot = session.get(Slot, slot_id)
    if (slot is None or not capacity.serves(slot.pool, service)
            or not capacity.bookable(session, office, slot, channel, now)):
        raise BookingError("slot_unavailable")
    return slot


@dataclass(frozen=True)
class Place:
    """What one read before the write transaction found for a booking: the slot and its office,
    the key that signs the receipt (None before the very first), and, for the applicant's
    check, the named desa's office and whether the NIK (by its hash) holds an active booking.
    Rows as read: the booking uses only their fixed columns, and the UPDATE decides a place."""

    slot: Slot
    office: Office
    key: SigningKey | None
    desa: str | None
    desa_office: str | None
    nik_hash: str | None
    already_booked: bool


@functools.cache
def _place_statement():
    """Built once, at first use — receipts may still be importing this module (receipts →
    office_settings → replan → booking) — and SQLAlchemy then compiles it once: slot ⋈ office ⋈ the signing key, with the
    desa's office and the NIK's active booking as scalar subqueries: one round trip."""
    desa_office = (sa.select(Desa.office_code).where(Desa.code == sa.bindparam("desa"))
                   .scalar_subquery())
    booked = sa.exists().where(Booking.nik_hash == sa.bindparam("nik_hash"),
                               Booking.status.in_(ACTIVE_STATUSES))
    return (sa.select(Slot, Office, SigningKey, desa_office.label("desa_office"),
                      booked.label("booked"))
            .join(Office, Office.code == Slot.office_code)
            .outerjoin(SigningKey, SigningKey.kid == receipts.signing_kid(sa.bindparam("now")))
            .where(Slot.id == sa.bindparam("slot_id")))



def hash_of_typed_nik(nik: str | None, key: bytes) -> str | None:
    """The keyed hash of a typed NIK's 16 digits, or None when it is not 16 digits (the check
    of who books says why)."""
    try:
        digits = normalise_nik(nik or "")
    except (NikError, ValueError):
        return None
    return nik_hash(digits, key) if len(digits) == 16 else None


def read_place(reader: Session, slot_id: int, *, nik_hash: str | None = None,
               desa: str | None = None, now: datetime | None = None) -> Place | None:
    """Everything a booking needs from the database, in one statement, before any write; None
    when there is no such slot."""
    row = reader.execute(_place_statement(), {"slot_id": slot_id, "nik_hash": nik_hash,
                                  "desa": None if desa == OUTSIDE else desa,
                                  "now": now or utcnow()}).first()
    if row is None:
        return None
    slot, office, key, desa_office, booked = row
    return Place(slot, office, key, desa, desa_office, nik_hash, bool(booked))


def _full(office: Office, slot: Slot, held_share: bool, now: datetime) -> bool:
    """What the UPDATE's conditions say, on the slot as read: a slot's places only come back by
    a cancel, so a read that says full may refuse without taking the write lock."""
    if slot.booked >= slot.capacity:
        return True
    if held_share or capacity.released(office, slot, now):
        return False
    return slot.booked - slot.booked_priority >= slot.capacity - slot.held_back


@dataclass(frozen=True)
class Booked:
    booking: Booking
    receipt: Receipt | None
    slot: Slot  # as read before the write: its fixed columns (times, pool) for the answer


def _write(session: Session, fields: dict, office: Office, slot: Slot, now: datetime, *,
           actor: str, channel: str, data_key: str | None, key: SigningKey | None,
           day: date) -> tuple[Booking, Receipt | None]:
    """The write transaction's work, in one SAVEPOINT: the booking, its audit line and its
    receipt are inserted, then the one conditional UPDATE takes the place — last, so on
    PostgreSQL the slot's row lock is held only from there to the commit. Any refusal rolls
    back all of it."""
    for _attempt in range(CODE_ATTEMPTS):
        booking = Booking(code=codes.new_code(), **fields)
        inserted = False  # an IntegrityError after the booking's own INSERT is not a clash
        try:
            with session.begin_nested():
                rows.insert(session, booking)
                inserted = True
                audit.record(session, actor, "booking.create", f"booking:{booking.code}",
                             f"slot={slot.id} channel={channel}")
                receipt = None
                if data_key is not None:
                    receipt = receipts.issue_receipt(session, booking, "booking",
                                                     data_key=data_key, now=now, slot=slot,
                                                     office=office, key=key)
                else:
                    session.flush()
                if not _take_place(session, slot, booking.held_share,
                                   capacity.released(office, slot, now), (office.code, day)):
                    raise BookingError("slot_full")
            return booking, receipt
        except IntegrityError:
            if inserted:
                raise
            if has_active_booking(session, booking.nik_hash):
                raise BookingError("already_booked") from None
            # Otherwise the rare clash of a random code with another booking's: draw again.
    raise BookingError("already_booked")


def book(session: Session, *, office: Office, slot_id: int, service: str,
         applicant: Applicant, channel: str, actor: str, consent: str | None = None,
         now: datetime | None = None, place: Place | None = None,
         data_key: str | None = None) -> Booked:
    """Take a place for the applicant (every face: page, API, CLI) and, with `data_key`, sign
    its receipt in the same transaction.

    `place` is read_place's answer, read before the write transaction (on SQLite in a read
    session, so the write lock is not taken for it); without it, it is read here. Every check
    is made on it before the first write; the transaction is the inserts and the conditional
    UPDATE and nothing else. A closure entered meanwhile is the UPDATE's to refuse."""
    now = now or utcnow()
    # UU 24/2013 art. 63: an e-KTP is recorded from 17, or earlier once married.
    if SERVICES[service].needs_recording and not applicant.may_record:
        raise NotEligible(applicant.may_record_from)
    if place is None or place.slot.id != slot_id:
        place = read_place(session, slot_id, now=now)
    slot = place.slot if place is not None else None
    if slot is None or not capacity.serves(slot.pool, service) \
            or not capacity.bookable(session, office, slot, channel, now, closures={}):
        raise BookingError("slot_unavailable")
    priority = is_priority(applicant.age_band, applicant.needs)
    held_share = _uses_held_share(office, slot, priority, channel, now)
    if _full(office, slot, held_share, now):
        raise BookingError("slot_full")
    try:
        booking, receipt = _write(session, {
            "office_code": office.code, "slot_id": slot.id, "service": service,
            "nik_hash": applicant.nik_hash, "nik_last4": applicant.nik_last4,
            "age_band": applicant.age_band, "name": applicant.name,
            "phone": applicant.phone, "desa_code": applicant.desa_code,
            "needs": json.dumps(list(applicant.needs)), "priority": priority,
            "held_share": held_share, "channel": channel, "consent": consent,
            "created_by": actor, "created_at": now,
        }, office, slot, now, actor=actor, channel=channel, data_key=data_key, key=place.key,
            day=capacity.local(office, slot.starts_at).date())
    except BookingError as error:
        if error.code == "slot_full" and _closed_meanwhile(session, office, slot):
            raise BookingError("slot_unavailable") from None
        raise
    return Booked(booking, receipt, slot)


def _closed_meanwhile(session: Session, office: Office, slot: Slot) -> bool:
    """After a refused UPDATE (rare): was it the admin's closure of the day, not the places?"""
    day = capacity.local(office, slot.starts_at).date()
    return bool(capacity.admin_closures(session, office, day, day))


def create_booking(session: Session, *, office: Office, slot_id: int, service: str,
                   applicant: Applicant, channel: str, actor: str, consent: str | None = None,
                   now: datetime | None = None) -> Booking:
    """book() without a receipt (tests and callers that issue none)."""
    return book(session, office=office, slot_id=slot_id, service=service, applicant=applicant,
                channel=channel, actor=actor, consent=consent, now=now).booking


def _mark(session: Session, booking: Booking, status: str, now: datetime,
          from_statuses=("booked",)) -> bool:
    """Conditional state change: True only for the one request that made it."""
    result = session.execute(
        update(Booking).where(Booking.id == booking.id, Booking.status.in_(from_statuses))
        .values(status=status, **{f"{status}_at": now})
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    session.refresh(booking)
    return True


def cancel_booking(session: Session, booking: Booking, actor: str,
                   now: datetime | None = None) -> Booking:
    now = now or utcnow()
    if not _mark(session, booking, "cancelled", now):
        raise BookingError("not_cancellable")
    _give_back(session, booking.slot_id, booking.held_share)
    audit.record(session, actor, "booking.cancel", f"booking:{booking.code}")
    return booking


def move_booking(session: Session, booking: Booking, new_slot: Slot, actor: str, *,
                 office: Office, now: datetime, any_free_place: bool = False) -> Booking:
    """Take the new place, free the old and keep the old row as `moved` history, in one
    SAVEPOINT; the new row keeps the code. `any_free_place`: moves forced by the office may use
    every free place, the held share too."""
    with session.begin_nested():
        if not _mark(session, booking, "moved", now):
            raise BookingError("not_cancellable")
        held = booking.held_share or any_free_place
        open_to_all = any_free_place or capacity.released(office, new_slot, now)
        if not _take_place(session, new_slot, held, open_to_all):
            raise BookingError("slot_full")
        _give_back(session, booking.slot_id, booking.held_share)
        successor = Booking(**{
            **booking.model_dump(exclude={"id", "status", "moved_at", "replaced_by_id",
                                          "reminded_at"}),
            "slot_id": new_slot.id, "held_share": held, "created_at": now})
        session.add(successor)
        session.flush()
        session.execute(update(Booking).where(Booking.id == booking.id)
                        .values(replaced_by_id=successor.id)
                        .execution_options(synchronize_session=False))
        session.refresh(booking)
    return successor


def reschedule_booking(session: Session, booking: Booking, new_slot_id: int, actor: str, *,
                       office: Office, now: datetime | None = None) -> Booking:
    now = now or utcnow()
    new_slot = _slot_for(session, office, new_slot_id, booking.service, booking.channel, now)
    if new_slot.id == booking.slot_id:
        raise BookingError("slot_unavailable")
    successor = move_booking(session, booking, new_slot, actor, office=office, now=now)
    audit.record(session, actor, "booking.reschedule", f"booking:{booking.code}",
                 f"from_slot={booking.slot_id} to_slot={new_slot.id}")
    return successor


def mark_no_shows(session: Session, now: datetime | None = None) -> int:
    """Bookings not checked in by the slot's end plus the office's grace become `no_show`; the
    person may then book again. The place stays counted: its time has passed."""
    now = now or utcnow()
    rows = session.exec(
        select(Booking.id, Slot.ends_at, Office.no_show_grace_minutes)
        .join(Slot, Slot.id == Booking.slot_id).join(Office, Office.code == Booking.office_code)
        .where(Booking.status == "booked", Slot.ends_at <= now)).all()
    late = [bid for bid, ends_at, grace in rows if ends_at + timedelta(minutes=grace) <= now]
    if not late:
        return 0
    result = session.execute(update(Booking).where(Booking.id.in_(late),
                                                   Booking.status == "booked")
                             .values(status="no_show", no_show_at=now)
                             .execution_options(synchronize_session=False))
    audit.record(session, "system", "booking.no_show", "", f"count={result.rowcount}")
    return result.rowcount


@dataclass(frozen=True)
class Drift:
    slot_id: int
    booked: int
    counted: int
    booked_priority: int
    counted_priority: int


def counter_drift(session: Session) -> list[Drift]:
    """Slots whose counters differ from a recount of their bookings (empty when all is well)."""
    holding = Booking.status.not_in(RELEASED_STATUSES)
    totals = {sid: (int(n or 0), int(p or 0)) for sid, n, p in session.exec(
        select(Booking.slot_id, func.sum(case((holding, 1), else_=0)),
               func.sum(case((holding & Booking.held_share, 1), else_=0)))
        .group_by(Booking.slot_id))}
    drift = []
    for slot in session.exec(select(Slot).order_by(Slot.id)
                             .execution_options(populate_existing=True)):
        counted, counted_priority = totals.get(slot.id, (0, 0))
        if (slot.booked, slot.booked_priority) != (counted, counted_priority):
            drift.append(Drift(slot.id, slot.booked, counted, slot.booked_priority,
                               counted_priority))
    return drift


def _when(office: Office, slot: Slot) -> str:
    """As the receipt says it, in Indonesian: "Selasa, 1 Desember 2026, 08.00–08.30 WIB"."""
    return (f"{local_date(slot.starts_at, 'id', office.timezone, weekday=True)}, "
            f"{slot_range(slot.starts_at, slot.ends_at, 'id', office.timezone)}")


_SHORT_NAMES = {"kk": "KK", "skpwni": "surat pindah (SKPWNI)",
                "police_letter": "surat kehilangan dari polisi", "old_ektp": "e-KTP lama",
                "damaged_ektp": "e-KTP yang rusak", "evidence_of_change": "bukti perubahan data",
                "marriage_certificate": "bukti perkawinan"}


def _short_name(doc) -> str:
    return _SHORT_NAMES.get(doc.code) or doc.name  # the SMS is Indonesian: the source string


def notice_text(kind: str, booking: Booking, slot: Slot, office: Office) -> str:
    """The short Indonesian message (SMS/WhatsApp) for a booking event; no NIK, no name."""
    code = display_code(booking.code)
    if kind == "moved":
        return (f"Rekam: stasiun perekaman di {office.name} rusak. Jadwal Anda (kode {code}) "
                f"dipindah ke {_when(office, slot)}. Tidak bisa datang? Ubah atau batalkan "
                f"dengan kode dan NIK Anda. Gratis, jangan bayar siapa pun.")
    if kind == "reminder":
        # The service's own documents (a lost card needs the police letter, a move the SKPWNI),
        # by their short names to keep the SMS short.
        bring = ", ".join(_short_name(doc) for doc in services.checklist(booking.service))
        return (f"Rekam: besok {_when(office, slot)} jadwal Anda di {office.name} (kode {code}). "
                f"Bawa {bring}. Gratis, jangan bayar siapa pun.")
    raise ValueError(f"unknown notice {kind!r}")


def queue_reminders(session: Session, now: datetime | None = None) -> int:
    """A reminder the day before (in the office's zone) for every booking not yet reminded."""
    now = now or utcnow()
    rows = session.exec(
        select(Booking, Slot, Office).join(Slot, Slot.id == Booking.slot_id)
        .join(Office, Office.code == Booking.office_code)
        .where(Booking.status == "booked", Booking.reminded_at.is_(None),
               Slot.starts_at > now, Slot.starts_at < now + timedelta(hours=48))).all()
    queued = 0
    for booking, slot, office in rows:
        tomorrow = capacity.local_today(office, now) + timedelta(days=1)
        if capacity.local(office, slot.starts_at).date() != tomorrow:
            continue
        claimed = session.execute(update(Booking).where(
            Booking.id == booking.id, Booking.reminded_at.is_(None)).values(reminded_at=now)
            .execution_options(synchronize_session=False))
        if claimed.rowcount == 1:  # a second worker running the same job sends nothing twice
            notify.queue(session, booking, "reminder", notice_text("reminder", booking, slot,
                                                                   office), now=now)
            queued += 1
    return queued
