"""Reading the audit log and the outbox for the admin (issue 15 §7): filters (who, what, when,
which booking), CSV export, and a retry for messages the gateway refused.

The audit log holds no personal data (app/domain/audit.py), so its CSV is safe to hand to the
kabupaten; an office's admin sees the entries about its office: its own office, stations,
bookings, staff and tokens.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, literal, or_, update
from sqlmodel import Session, select

from ..adapters.notify import SECRET_KINDS
from ..models import OUTBOX_STATUSES, ApiToken, AuditEntry, Booking, Office, OutboxMessage, User
from . import audit
from .codes import normalise_code

PAGE_ROWS = 200
CSV_MAX_ROWS = 100_000
CSV_COLUMNS = ("at", "actor", "action", "subject", "detail")


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  # "user:3", "cli", or a username
    action: str = ""
    first: date | None = None  # local days in the office's zone, inclusive
    last: date | None = None
    booking: str = ""  # a booking code as typed


def _about_office(office_code: str):
    """Entries about one office: its subjects and the acts of its staff."""
    def prefixed(prefix: str, column):
        return literal(prefix, String) + cast(column, String)  # "||" on SQLite and PostgreSQL

    bookings = select(prefixed("booking:", Booking.code)).where(Booking.office_code == office_code)
    users = select(prefixed("user:", User.id)).where(User.office_code == office_code)
    tokens = select(prefixed("token:", ApiToken.id)).where(ApiToken.office_code == office_code)
    return or_(AuditEntry.subject == f"office:{office_code}",
               AuditEntry.subject.startswith(f"station:{office_code}-"),
               AuditEntry.subject.in_(bookings), AuditEntry.subject.in_(users),
               AuditEntry.subject.in_(tokens), AuditEntry.actor.in_(users),
               AuditEntry.actor.in_(tokens))


def _query(session: Session, office: Office, wanted: AuditFilter):
    query = select(AuditEntry).where(_about_office(office.code))
    actor = wanted.actor.strip()
    if actor:
        user = session.exec(select(User).where(User.username == actor.lower())).first()
        query = query.where(AuditEntry.actor == (f"user:{user.id}" if user else actor))
    if wanted.action:
        query = query.where(AuditEntry.action == wanted.action)
    tz = ZoneInfo(office.timezone)
    if wanted.first:
        query = query.where(AuditEntry.at >= datetime.combine(wanted.first, time(0), tz))
    if wanted.last:
        query = query.where(AuditEntry.at < datetime.combine(wanted.last + timedelta(days=1),
                                                             time(0), tz))
    if wanted.booking:
        code = normalise_code(wanted.booking) or wanted.booking.strip().upper()
        query = query.where(AuditEntry.subject == f"booking:{code}")
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def entries(session: Session, office: Office, wanted: AuditFilter,
            limit: int = PAGE_ROWS) -> list[AuditEntry]:
    return list(session.exec(_query(session, office, wanted).limit(limit)))


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def _cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(rows: Iterable[Iterable[object]], header: Iterable[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def entries_csv(session: Session, office: Office, wanted: AuditFilter) -> str:
    rows = entries(session, office, wanted, limit=CSV_MAX_ROWS)
    return csv_rows(((e.at.isoformat(), e.actor, e.action, e.subject, e.detail) for e in rows),
                    CSV_COLUMNS)


# --- the outbox -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutboxRow:
    message: OutboxMessage
    booking_code: str | None
    body_shown: str | None  # None: a secret (a one-time code) is never shown to staff


def outbox(session: Session, office_code: str, status: str = "",
           limit: int = PAGE_ROWS) -> list[OutboxRow]:
    query = (select(OutboxMessage, Booking.code).join(Booking, Booking.id == OutboxMessage.booking_id)
             .where(Booking.office_code == office_code))
    if status in OUTBOX_STATUSES:
        query = query.where(OutboxMessage.status == status)
    rows = session.exec(query.order_by(OutboxMessage.id.desc()).limit(limit)).all()
    return [OutboxRow(m, code, None if m.kind in SECRET_KINDS else m.body) for m, code in rows]


def retry(session: Session, office_code: str, message_id: int, actor: str) -> bool:
    """A failed message goes back to the queue with its attempts reset (the worker sends it)."""
    in_office = select(Booking.id).where(Booking.office_code == office_code)
    changed = session.exec(update(OutboxMessage).where(
        OutboxMessage.id == message_id, OutboxMessage.status == "failed",
        OutboxMessage.booking_id.in_(in_office))
        .values(status="pending", attempts=0)).rowcount
    if changed:
        audit.record(session, actor, "outbox.retry", f"outbox:{message_id}")
    return bool(changed)
