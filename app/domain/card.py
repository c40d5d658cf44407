"""The card's life after the desk (issue 13, DESIGN §3): a counter visit served, the card
printed and ready at the pickup place (one blank card — blangko — taken from the office's
stock), a Suket while blank cards are out, the hand-over against the recording receipt, and a
record the central system refused.

Field studies: people wait weeks or months and nobody tells them when the card is ready; the
card is handed over against the tanda terima. So `card_ready` queues a message, and `collected`
needs the holder's full NIK and the genuine, valid receipt — or the NIK and a recorded reason
when the receipt is lost.
"""

from __future__ import annotations

import hmac
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session

from ..adapters import notify
from ..formatting import display_code
from ..models import Booking, Office, OpeningHours, Receipt, utcnow
from . import audit, receipts
from .lifecycle import (
    CARD_READY,
    CENTRAL_REJECTED,
    COLLECTED,
    SERVED,
    SUKET,
    StepError,
    advance,
    next_steps,
)
from .nik import NikError, nik_hash
from .office_settings import card_pickup

# Why the central system refused a record, and what the person must do (DESIGN §3: "data
# ganda" — the same person recorded twice — is the one the field studies met).
REJECT_REASONS = ("duplicate", "data_mismatch", "other")
NOTE_LENGTH = 200


def _require(session: Session, booking: Booking, step: str) -> None:
    session.refresh(booking)
    if step not in next_steps(booking):
        raise StepError("wrong_state", next_steps(booking))


def receipt_kind_for(booking: Booking) -> str:
    """The document shown at pickup: the recording receipt, or a counter visit's own."""
    return "recording" if booking.recorded_at is not None else "service"


# --- counter visits ----------------------------------------------------------------------------


def serve_at_counter(session: Session, booking: Booking, actor: str, *, data_key: str,
                     now: datetime | None = None) -> Receipt:
    """`checked_in` → `served`: documents accepted, reprint requested; issues the visit's own
    tanda terima (document kind `service`), presented when the card is collected."""
    now = now or utcnow()
    _require(session, booking, SERVED)
    advance(session, booking, SERVED, ("checked_in",), now, status="served", served_at=now)
    audit.record(session, actor, "booking.served", f"booking:{booking.code}")
    return receipts.issue_receipt(session, booking, "service", data_key=data_key, now=now)


# --- blank cards -------------------------------------------------------------------------------


def blangko_stock(session: Session, office_code: str) -> int:
    return session.execute(sa.select(Office.blangko_stock)
                           .where(Office.code == office_code)).scalar_one()


def top_up_blangko(session: Session, office_code: str, count: int, actor: str) -> int:
    """The admin adds blank cards received (one UPDATE, no read-then-write); the new stock."""
    if count <= 0:
        raise ValueError("top up by a positive number of cards")
    session.execute(sa.update(Office).where(Office.code == office_code)
                    .values(blangko_stock=Office.blangko_stock + count)
                    .execution_options(synchronize_session=False))
    audit.record(session, actor, "office.blangko_top_up", f"office:{office_code}",
                 f"count={count}")
    return blangko_stock(session, office_code)


def _take_blangko(session: Session, office: Office) -> None:
    """One blank card for printing, when this office prints; StepError("no_blangko") when none
    is left — the officer then issues a Suket. A Disdukcapil that prints keeps its own stock."""
    if office.card_print_place != "kecamatan":
        return
    taken = session.execute(sa.update(Office)
                            .where(Office.code == office.code, Office.blangko_stock > 0)
                            .values(blangko_stock=Office.blangko_stock - 1)
                            .execution_options(synchronize_session=False))
    if taken.rowcount != 1:
        raise StepError("no_blangko", (SUKET,))


# --- card ready, Suket -------------------------------------------------------------------------


def card_ready_text(booking: Booking, office: Office, hours: str) -> str:
    """The Indonesian SMS/WhatsApp: where, when, what to bring. No NIK, no name."""
    pickup = card_pickup(office)
    where = pickup.place_name + (f", {pickup.address}" if pickup.address else "")
    document = ("tanda terima perekaman" if receipt_kind_for(booking) == "recording"
                else "tanda terima layanan")
    return (f"Rekam: e-KTP Anda (kode {display_code(booking.code)}) sudah dicetak. Ambil di "
            f"{where}" + (f", jam layanan {hours}" if hours else "") + f". Bawa {document} dan KK. "
            "Gratis, jangan bayar siapa pun.")


DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def hours_text(session: Session, office_code: str) -> str:
    """The office's weekly hours in short Indonesian: "Senin–Jumat 08.00–16.00, Sabtu
    08.00–12.00" (consecutive days with the same periods are joined)."""
    rows = session.execute(sa.select(OpeningHours.weekday, OpeningHours.opens,
                                     OpeningHours.closes)
                           .where(OpeningHours.office_code == office_code)
                           .order_by(OpeningHours.weekday, OpeningHours.opens)).all()
    periods: dict[int, str] = {}
    for weekday, opens, closes in rows:
        text = f"{opens:%H.%M}–{closes:%H.%M}"
        periods[weekday] = f"{periods[weekday]}, {text}" if weekday in periods else text
    runs: list[list] = []
    for weekday in sorted(periods):
        if runs and runs[-1][1] == weekday - 1 and runs[-1][2] == periods[weekday]:
            runs[-1][1] = weekday
        else:
            runs.append([weekday, weekday, periods[weekday]])
    return ", ".join((DAY_NAMES[a] if a == b else f"{DAY_NAMES[a]}–{DAY_NAMES[b]}") + f" {p}"
                     for a, b, p in runs)


def mark_card_ready(session: Session, booking: Booking, actor: str, *,
                    now: datetime | None = None) -> Booking:
    """`recorded`/`served` → `card_ready`: printed and waiting at the pickup place. Takes a
    blank card and tells the person (outbox) where and when to fetch it."""
    now = now or utcnow()
    _require(session, booking, CARD_READY)
    office = session.get(Office, booking.office_code)
    _take_blangko(session, office)
    advance(session, booking, CARD_READY, ("recorded", "served"), now,
            status="card_ready", card_ready_at=now)
    audit.record(session, actor, "booking.card_ready", f"booking:{booking.code}")
    notify.queue(session, booking, "card_ready",
                 card_ready_text(booking, office, hours_text(session, office.code)), now=now)
    return booking


def record_suket(session: Session, booking: Booking, actor: str, on: date,
                 now: datetime | None = None) -> Booking:
    """A temporary letter (Surat Keterangan) while the card cannot be printed; its date is kept
    on the booking. The card still follows later."""
    now = now or utcnow()
    _require(session, booking, SUKET)
    advance(session, booking, SUKET, ("recorded", "served"), now, suket_on=on)
    audit.record(session, actor, "booking.suket", f"booking:{booking.code}", f"on={on}")
    return booking


# --- hand-over ---------------------------------------------------------------------------------


def _nik_matches(booking: Booking, nik: str, data_key: str) -> bool:
    try:
        return hmac.compare_digest(nik_hash(nik, data_key.encode()), booking.nik_hash)
    except NikError:
        return False


def hand_over(session: Session, booking: Booking, actor: str, *, nik: str, data_key: str,
              recording_token: str | None = None, lost_reason: str | None = None,
              now: datetime | None = None) -> Booking:
    """`card_ready` → `collected`. Needs the full NIK (compared by keyed hash) and either the
    genuine, valid receipt of this booking (the token from its QR) or, when it is lost, a
    reason the officer records. The receipt then reads `used`.

    Refusals (StepError code): wrong_state, nik_mismatch, receipt_invalid (forged, another
    booking's, or not the receipt for pickup), receipt_not_valid (cancelled, superseded, …),
    receipt_missing (neither a receipt nor a reason)."""
    now = now or utcnow()
    _require(session, booking, COLLECTED)
    if not _nik_matches(booking, nik, data_key):
        raise StepError("nik_mismatch", (COLLECTED,))
    note = " ".join((lost_reason or "").split())[:NOTE_LENGTH] or None
    if recording_token:
        checked = receipts.verify_token(session, recording_token, now)
        if (not checked.genuine or checked.booking.id != booking.id
                or checked.receipt.kind != receipt_kind_for(booking)):
            raise StepError("receipt_invalid", (COLLECTED,))
        if checked.status != "valid":
            raise StepError("receipt_not_valid", (COLLECTED,))
        note = None
    elif note is None:
        raise StepError("receipt_missing", (COLLECTED,))
    advance(session, booking, COLLECTED, ("card_ready",), now, status="collected",
            collected_at=now, collect_note=note)
    # The reason may name circumstances, never the NIK: the audit keeps only that there was one.
    audit.record(session, actor, "booking.collected", f"booking:{booking.code}",
                 "receipt" if note is None else "receipt lost, reason recorded")
    return booking


# --- central rejection -------------------------------------------------------------------------


def reject_central(session: Session, booking: Booking, actor: str, reason: str,
                   now: datetime | None = None) -> Booking:
    """The central system refused the record (e.g. "data ganda"): the booking ends as
    `central_rejected` with the reason; the person is told what to do and where."""
    now = now or utcnow()
    if reason not in REJECT_REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    _require(session, booking, CENTRAL_REJECTED)
    advance(session, booking, CENTRAL_REJECTED, ("recorded", "served"), now,
            status="central_rejected", rejected_at=now, rejected_reason=reason)
    audit.record(session, actor, "booking.central_rejected", f"booking:{booking.code}",
                 f"reason={reason}")
    office = session.get(Office, booking.office_code)
    notify.queue(session, booking, "central_rejected", rejected_text(booking, office), now=now)
    return booking


def rejected_text(booking: Booking, office: Office) -> str:
    what = {"duplicate": "data Anda tercatat ganda di pusat",
            "data_mismatch": "data Anda tidak cocok dengan data kependudukan pusat",
            "other": "data Anda ditolak sistem pusat"}[booking.rejected_reason or "other"]
    return (f"Rekam: {what} (kode {display_code(booking.code)}). Datang ke {office.name}, "
            f"{office.address}, dengan KK dan tanda terima untuk diperbaiki petugas. "
            "Gratis, jangan bayar siapa pun.")
