"""Retention (DESIGN §9, /privasi): personal data goes a set number of days after it stopped
being needed; the rows stay, emptied, so counts for dashboards survive.

The rule, per office (`office.retention_days`, default 90):
- A booking *ends* when it is collected, cancelled, moved (its history row) or a no-show. A
  `recorded` or `card_ready` booking — the card still on its way — ends when it is collected or
  when its recording receipt expires. `retention_days` after its end its name, phone, needs and
  NIK hash and last 4 digits are emptied; status, office, slot, service, desa, channel, priority,
  consent kind and timestamps stay, with `scrubbed_at` set.
- Its receipts then lose the token text and the PDF bytes (both carry the name and last 4);
  the token's SHA-256 and the PDF's SHA-256 stay, so /v/{token} still says whether the document
  was genuine, and what its status is, without the personal details.
- Its notifications lose recipient and body; messages that belong to no booking go
  `retention_days` (the default) after they were queued.
- Form drafts go when they expire (30 minutes; they are deleted, not emptied).
- Home-visit requests that are done or declined, and misconduct reports that are closed, lose
  their name, phone and details / contact `retention_days` after they were made. Open ones keep
  them: someone still has to act on them.
- Invitations (undangan) are rendered on request and stored nowhere, so there is nothing to
  purge; a stored invitation would get a purge in PURGES.

Every purge works in bounded batches of conditional UPDATEs (`... AND scrubbed_at IS NULL`), so
re-running it, or two workers running it at once, empties nothing twice and counts nothing
twice. The audit log says what happened with counts and booking codes only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from ..models import (
    Booking,
    Draft,
    HomeVisitRequest,
    MisconductReport,
    Office,
    OutboxMessage,
    Receipt,
    utcnow,
)
from . import audit, idempotency

DEFAULT_DAYS = 90
BATCH_SIZE = 100  # booking codes of one batch fit in one audit entry (1,000 characters)
RECORDING_UNTIL_COLLECTED = ("recorded", "card_ready")
HOME_VISIT_CLOSED = ("done", "declined")
REPORT_CLOSED = ("closed",)

# What an emptied row holds in its personal fields (NOT NULL text columns get "").
BOOKING_EMPTIED = {"name": "", "phone": None, "needs": "[]", "nik_hash": "", "nik_last4": ""}
# issue 9 (D) stores the 80 mm print in the receipt row too: its column belongs here as None.
RECEIPT_EMPTIED = {"token": None, "pdf": None, "pdf_80mm": None}
OUTBOX_EMPTIED = {"recipient": None, "body": ""}
HOME_VISIT_EMPTIED = {"name": "", "phone": "", "details": ""}
REPORT_EMPTIED = {"contact": ""}

# A purge: (session, now, limit) -> how many rows it emptied or deleted (at most `limit`), or
# the booking codes it emptied, which the audit entry then names.
Purge = Callable[[Session, datetime, int], "int | list[str]"]


def _cutoffs(session: Session, now: datetime) -> list[tuple[str, datetime]]:
    """(office code, moment before which an end is due) for every office."""
    return [(code, now - timedelta(days=days))
            for code, days in session.exec(select(Office.code, Office.retention_days)
                                           .order_by(Office.code))]


def booking_ended_before(cutoff: datetime):
    """SQL condition: the booking ended (see the module's rule) at or before `cutoff`."""
    recording_expiry = (sa.select(sa.func.max(Receipt.expires_at))
                        .where(Receipt.booking_id == Booking.id, Receipt.kind == "recording")
                        .scalar_subquery())
    return sa.or_(
        sa.and_(Booking.status == "collected", Booking.collected_at <= cutoff),
        sa.and_(Booking.status == "cancelled", Booking.cancelled_at <= cutoff),
        sa.and_(Booking.status == "moved", Booking.moved_at <= cutoff),
        sa.and_(Booking.status == "no_show", Booking.no_show_at <= cutoff),
        sa.and_(Booking.status.in_(RECORDING_UNTIL_COLLECTED), recording_expiry <= cutoff),
    )


def _purge_bookings(session: Session, now: datetime, limit: int) -> list[str]:
    emptied: list[str] = []
    for office_code, cutoff in _cutoffs(session, now):
        if len(emptied) >= limit:
            break
        due = sa.and_(Booking.office_code == office_code, Booking.scrubbed_at.is_(None),
                      booking_ended_before(cutoff))
        ids = list(session.exec(select(Booking.id).where(due).order_by(Booking.id)
                                .limit(limit - len(emptied))))
        if not ids:
            continue
        # The condition again in the UPDATE: a row another worker emptied, or that changed
        # state since it was read, is left alone.
        codes = session.execute(
            sa.update(Booking).where(Booking.id.in_(ids), due)
            .values(**BOOKING_EMPTIED, scrubbed_at=now).returning(Booking.code)
            .execution_options(synchronize_session=False)).scalars().all()
        emptied.extend(codes)
    return emptied


def _empty_where(session: Session, model, due, values: dict, now: datetime, limit: int) -> int:
    """Empty up to `limit` rows of `model` matching `due` (a condition on `model`)."""
    condition = sa.and_(model.scrubbed_at.is_(None), due)
    ids = list(session.exec(select(model.id).where(condition).order_by(model.id).limit(limit)))
    if not ids:
        return 0
    result = session.execute(sa.update(model).where(model.id.in_(ids), condition)
                             .values(**values, scrubbed_at=now)
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def _booking_emptied(booking_id_column):
    return booking_id_column.in_(select(Booking.id).where(Booking.scrubbed_at.is_not(None)))


def _purge_receipts(session: Session, now: datetime, limit: int) -> int:
    return _empty_where(session, Receipt, _booking_emptied(Receipt.booking_id),
                        RECEIPT_EMPTIED, now, limit)


def _purge_outbox(session: Session, now: datetime, limit: int) -> int:
    due = sa.or_(_booking_emptied(OutboxMessage.booking_id),
                 sa.and_(OutboxMessage.booking_id.is_(None),
                         OutboxMessage.created_at <= now - timedelta(days=DEFAULT_DAYS)))
    return _empty_where(session, OutboxMessage, due, OUTBOX_EMPTIED, now, limit)


def _purge_drafts(session: Session, now: datetime, limit: int) -> int:
    expired = select(Draft.id).where(Draft.expires_at <= now).limit(limit)
    result = session.execute(sa.delete(Draft).where(Draft.id.in_(expired))
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


def _per_office(model, closed: tuple[str, ...], values: dict) -> Purge:
    def purge(session: Session, now: datetime, limit: int) -> int:
        count = 0
        for office_code, cutoff in _cutoffs(session, now):
            due = sa.and_(model.office_code == office_code, model.status.in_(closed),
                          model.created_at <= cutoff)
            count += _empty_where(session, model, due, values, now, limit - count)
            if count >= limit:
                break
        return count

    return purge


# In order: receipts and messages follow their booking in the same round.
PURGES: list[tuple[str, Purge]] = [
    ("bookings", _purge_bookings),
    ("receipts", _purge_receipts),
    ("outbox", _purge_outbox),
    ("drafts", _purge_drafts),
    ("home_visits", _per_office(HomeVisitRequest, HOME_VISIT_CLOSED, HOME_VISIT_EMPTIED)),
    ("reports", _per_office(MisconductReport, REPORT_CLOSED, REPORT_EMPTIED)),
    # Replay records of API POSTs hold only hashes, but go once their replay window passed.
    ("idempotency_records", lambda session, now, limit: idempotency.purge_expired(
        session, now, limit)),
    # Invitations, once stored, get a purge here too.
]


def purge_due(session: Session, now: datetime | None = None, *, actor: str = "system",
              batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Empty or delete everything the rule says is due at `now`; {kind: rows} removed.

    Runs round after round of at most `batch_size` rows per kind, committing after each, so a
    long backlog never holds the write lock for long. Safe to run twice or concurrently.
    """
    now = now or utcnow()
    totals = {name: 0 for name, _purge in PURGES}
    while True:
        full = False
        for name, purge in PURGES:
            result = purge(session, now, batch_size)
            codes = sorted(result) if isinstance(result, list) else None
            count = len(codes) if codes is not None else result
            totals[name] += count
            full = full or count >= batch_size
            if count:
                detail = f"count={count}" + (f" codes={','.join(codes)}" if codes else "")
                audit.record(session, actor, "retention.purge", name, detail)
        session.commit()
        if not full:
            session.expire_all()  # rows loaded before were emptied behind the ORM's back
            return totals
