"""Desa staff (issue 14): book on behalf of a resident, and the desa's own lists.

A desa's staff act only for their own desa: every lookup here takes the desa code and finds
nothing of another desa's, so the faces answer 403/404 without a second check to forget.
Booking on behalf goes through the one booking function of every channel (channel
`desa_staff`, with how the resident consented, DESIGN §9); a place on an outreach visit also
gets its invitation row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from ..models import Booking, Desa, HomeVisitRequest, Invitation, Office, OutreachVisit, Slot
from . import audit, booking, capacity, outreach, receipts

LIST_LIMIT = 500
STATUS_FILTERS = ("booked", "checked_in", "recorded", "card_ready", "collected", "cancelled",
                  "no_show")


class NotInDesa(LookupError):
    """The thing asked for is not this desa's (or does not exist): the same answer for both."""


@dataclass(frozen=True)
class DesaBooking:
    booking: Booking
    slot: Slot
    visit_id: int | None  # the outreach visit it is on, if any


def _bounds(office: Office, first: date | None, last: date | None):
    tz = capacity.zone(office)
    lower = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC) if first else None
    upper = (datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
             if last else None)
    return lower, upper


def desa_bookings(session: Session, desa: Desa, *, status: str | None = None,
                  first: date | None = None, last: date | None = None,
                  limit: int = LIST_LIMIT) -> list[DesaBooking]:
    """The desa's current bookings (not their `moved` history), newest slot first."""
    office = session.get(Office, desa.office_code)
    query = (select(Booking, Slot, outreach.OutreachSlot.visit_id)
             .join(Slot, Slot.id == Booking.slot_id)
             .outerjoin(outreach.OutreachSlot, outreach.OutreachSlot.slot_id == Slot.id)
             .where(Booking.desa_code == desa.code, Booking.status != "moved"))
    if status:
        query = query.where(Booking.status == status)
    lower, upper = _bounds(office, first, last)
    if lower:
        query = query.where(Slot.starts_at >= lower)
    if upper:
        query = query.where(Slot.starts_at < upper)
    rows = session.exec(query.order_by(Slot.starts_at.desc(), Booking.name).limit(limit)).all()
    return [DesaBooking(b, s, v) for b, s, v in rows]


def booking_of_desa(session: Session, desa_code: str, code: str | None) -> Booking:
    found = booking.find_current(session, code)
    if found is None or found.desa_code != desa_code:
        raise NotInDesa(code)
    return found


def visit_of_desa(session: Session, desa_code: str | None, visit_id: int) -> OutreachVisit:
    """`desa_code` None: an admin, who may open every visit of the offices they serve."""
    visit = session.get(OutreachVisit, visit_id) if 0 < visit_id < 2**31 else None
    if visit is None or (desa_code is not None and visit.desa_code != desa_code):
        raise NotInDesa(str(visit_id))
    return visit


def home_visits(session: Session, desa_code: str) -> list[HomeVisitRequest]:
    return list(session.exec(select(HomeVisitRequest).where(
        HomeVisitRequest.desa_code == desa_code, HomeVisitRequest.scrubbed_at.is_(None))
        .order_by(HomeVisitRequest.created_at.desc()).limit(LIST_LIMIT)))


def outreach_slots(session: Session, desa_code: str, now: datetime) -> list[tuple]:
    """(visit, slot) of the desa's coming visits with a place left."""
    rows = session.exec(select(OutreachVisit, Slot)
                        .join(outreach.OutreachSlot,
                              outreach.OutreachSlot.visit_id == OutreachVisit.id)
                        .join(Slot, Slot.id == outreach.OutreachSlot.slot_id)
                        .where(OutreachVisit.desa_code == desa_code,
                               Slot.starts_at > now + capacity.ONLINE_CUTOFF,
                               Slot.booked < Slot.capacity)
                        .order_by(Slot.starts_at)).all()
    return list(rows)


def book_on_behalf(session: Session, *, office: Office, slot_id: int, service: str,
                   applicant: booking.Applicant, consent: str, actor: str, data_key: str,
                   now: datetime | None = None) -> Booking:
    """Book for a resident who agreed (present, by phone, in writing). Raises BookingError."""
    made = booking.create_booking(session, office=office, slot_id=slot_id, service=service,
                                  applicant=applicant, channel="desa_staff", actor=actor,
                                  consent=consent, now=now)
    receipts.issue_receipt(session, made, "booking", data_key=data_key, now=now)
    visit = outreach.visit_for_slot(session, slot_id)
    if visit is not None:
        session.add(Invitation(visit_id=visit.id, booking_code=made.code))
    audit.record(session, actor, "staff.book_on_behalf", f"booking:{made.code}",
                 f"consent={consent} desa={applicant.desa_code}"
                 + (f" outreach={visit.id}" if visit else ""))
    return made
