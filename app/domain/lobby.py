"""The lobby's devices and doors (issue 12): kiosk pairing and revocation, walk-ins, help calls.

A kiosk is paired once with a one-time code (`pair-kiosk`, or the admin's page) and then holds a
long-lived device secret in a cookie; only hashes of both are kept, and revoking the kiosk stops
it at its next request. A staff sign-in never makes a browser a kiosk: the two are separate.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from ..models import Booking, HelpCall, Kiosk, Office, Slot, Ticket, utcnow
from . import audit, booking, capacity, checkin

PAIRING_HOURS = 24  # a pairing link not used within a day is void
NAME_MAX = 60
NEXT_SLOTS = 5


class LobbyError(Exception):
    """`code`: unknown_office, bad_name, not_pairable, unknown_kiosk, unknown_call."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- kiosk devices -----------------------------------------------------------------------------


def create_pairing(session: Session, office_code: str, name: str | None, actor: str,
                   now: datetime | None = None) -> tuple[Kiosk, str]:
    """A new kiosk and its one-time pairing code (shown once: only its hash is kept)."""
    now = now or utcnow()
    if session.get(Office, office_code) is None:
        raise LobbyError("unknown_office")
    clean = " ".join((name or "").split())[:NAME_MAX]
    count = len(list_kiosks(session, office_code))
    code = secrets.token_urlsafe(18)
    kiosk = Kiosk(office_code=office_code, name=clean or f"Anjungan {count + 1}",
                  pairing_hash=_hash(code), pairing_expires_at=now + timedelta(hours=PAIRING_HOURS),
                  created_by=actor, created_at=now)
    session.add(kiosk)
    session.flush()
    audit.record(session, actor, "kiosk.pairing", f"kiosk:{kiosk.id}", f"office={office_code}")
    return kiosk, code


def pairing_kiosk(session: Session, code: str, now: datetime | None = None) -> Kiosk | None:
    """The kiosk a pairing code would pair, while it still may."""
    now = now or utcnow()
    if not code or len(code) > 64:
        return None
    kiosk = session.exec(select(Kiosk).where(Kiosk.pairing_hash == _hash(code))).first()
    if (kiosk is None or kiosk.revoked_at is not None or kiosk.pairing_expires_at is None
            or kiosk.pairing_expires_at <= now):
        return None
    return kiosk


def pair(session: Session, code: str, now: datetime | None = None) -> tuple[Kiosk, str]:
    """Use the one-time code: the device gets its secret; the code is spent (one conditional
    UPDATE, so two browsers opening one link pair one device)."""
    now = now or utcnow()
    kiosk = pairing_kiosk(session, code, now)
    if kiosk is None:
        raise LobbyError("not_pairable")
    secret = secrets.token_urlsafe(32)
    result = session.execute(update(Kiosk).where(
        Kiosk.id == kiosk.id, Kiosk.pairing_hash == _hash(code), Kiosk.revoked_at.is_(None))
        .values(pairing_hash=None, pairing_expires_at=None, secret_hash=_hash(secret),
                paired_at=now, last_seen_at=now).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise LobbyError("not_pairable")
    session.refresh(kiosk)
    audit.record(session, f"kiosk:{kiosk.id}", "kiosk.paired", f"kiosk:{kiosk.id}")
    return kiosk, secret


def kiosk_for(session: Session, secret: str | None) -> Kiosk | None:
    """The paired, unrevoked kiosk holding this device secret, or None."""
    if not secret or len(secret) > 100:
        return None
    kiosk = session.exec(select(Kiosk).where(Kiosk.secret_hash == _hash(secret))).first()
    return kiosk if kiosk is not None and kiosk.revoked_at is None else None


def revoke(session: Session, kiosk_id: int, actor: str, now: datetime | None = None) -> Kiosk:
    """A lost or retired device stops working at once; its pairing link too."""
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise LobbyError("unknown_kiosk")
    session.execute(update(Kiosk).where(Kiosk.id == kiosk_id, Kiosk.revoked_at.is_(None))
                    .values(revoked_at=now or utcnow(), pairing_hash=None)
                    .execution_options(synchronize_session=False))
    session.refresh(kiosk)
    audit.record(session, actor, "kiosk.revoke", f"kiosk:{kiosk_id}")
    return kiosk


def list_kiosks(session: Session, office_code: str | None = None) -> list[Kiosk]:
    """For the admin's list: every kiosk, or an office's."""
    query = select(Kiosk).order_by(Kiosk.office_code, Kiosk.id)
    if office_code is not None:
        query = query.where(Kiosk.office_code == office_code)
    return list(session.exec(query))


# --- walk-ins ----------------------------------------------------------------------------------


class NoWalkInCapacity(Exception):
    """Today's held-back share is used up; `next_slots` are the next places bookable here."""

    code = "no_walk_in_capacity"

    def __init__(self, next_slots: list) -> None:
        super().__init__(self.code)
        self.next_slots = next_slots


@dataclass(frozen=True)
class WalkIn:
    booking: Booking
    ticket: Ticket


def next_bookable(session: Session, office: Office, service: str, now: datetime,
                  count: int = NEXT_SLOTS) -> list:
    """The next slots anyone may book (capacity.SlotView), for a walk-in who found none today."""
    first, last = capacity.horizon(office, now)
    views = capacity.list_slots(session, office, capacity.pool_for(service), first, last, now)
    return [v for v in views if v.availability.remaining > 0][:count]


def walk_in(session: Session, *, office: Office, service: str,
            applicant: booking.Applicant, channel: str, actor: str,
            now: datetime | None = None) -> WalkIn:
    """A place from today's held-back share — the slot under way, else the next one today —
    taken and checked in at once, with a ticket. One function for the kiosk's door, the
    officer's counter form and the API. Raises NoWalkInCapacity with the next bookable slots,
    or booking.BookingError / NotEligible like any booking."""
    now = now or utcnow()
    pool = capacity.pool_for(service)
    start, end = checkin.local_day_bounds(office, now)
    slots = session.exec(select(Slot.id).where(
        Slot.office_code == office.code, Slot.pool == pool, Slot.starts_at >= start,
        Slot.starts_at < end, Slot.ends_at > now, Slot.booked < Slot.capacity)
        .order_by(Slot.starts_at)).all()
    for slot_id in slots:
        try:
            made = booking.create_booking(session, office=office, slot_id=slot_id,
                                          service=service, applicant=applicant, channel=channel,
                                          actor=actor, now=now)
        except booking.BookingError as error:
            if error.code in ("slot_full", "slot_unavailable"):
                continue  # another walk-in took the last place of this one: try the next
            raise
        ticket = checkin.admit(session, made, actor, walk_in=True, now=now)
        return WalkIn(made, ticket)
    raise NoWalkInCapacity(next_bookable(session, office, service, now))


# --- help calls ----------------------------------------------------------------------------


def call_help(session: Session, kiosk: Kiosk, now: datetime | None = None) -> HelpCall:
    """"Saya perlu bantuan": one open call per kiosk (pressing again does not add more)."""
    now = now or utcnow()
    office = session.get(Office, kiosk.office_code)
    start, _end = checkin.local_day_bounds(office, now)
    open_call = session.exec(select(HelpCall).where(
        HelpCall.kiosk_id == kiosk.id, HelpCall.answered_at.is_(None),
        HelpCall.created_at >= start)).first()
    if open_call is not None:
        return open_call
    call = HelpCall(office_code=kiosk.office_code, kiosk_id=kiosk.id, created_at=now)
    session.add(call)
    session.flush()
    audit.record(session, f"kiosk:{kiosk.id}", "help.call", f"help:{call.id}")
    return call


@dataclass(frozen=True)
class OpenCall:
    id: int
    kiosk_name: str
    created_at: datetime


def open_help_calls(session: Session, office: Office,
                    now: datetime | None = None) -> list[OpenCall]:
    """Today's unanswered calls of the office, oldest first, with the kiosk's name."""
    start, _end = checkin.local_day_bounds(office, now or utcnow())
    rows = session.execute(select(HelpCall.id, Kiosk.name, HelpCall.created_at)
                           .join(Kiosk, Kiosk.id == HelpCall.kiosk_id)
                           .where(HelpCall.office_code == office.code,
                                  HelpCall.answered_at.is_(None), HelpCall.created_at >= start)
                           .order_by(HelpCall.created_at))
    return [OpenCall(*row) for row in rows]


def answer_help_call(session: Session, call_id: int, office_code: str, actor: str,
                     now: datetime | None = None) -> None:
    result = session.execute(update(HelpCall).where(
        HelpCall.id == call_id, HelpCall.office_code == office_code,
        HelpCall.answered_at.is_(None)).values(answered_at=now or utcnow(), answered_by=actor)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise LobbyError("unknown_call")
    audit.record(session, actor, "help.answer", f"help:{call_id}")
