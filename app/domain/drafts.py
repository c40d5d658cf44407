"""Server-side drafts of multi-step forms: a random id in a cookie, the answers in the database.

They expire after 30 minutes (DESIGN §3), so an abandoned form on a shared kiosk or phone does
not linger. Callers keep a NIK's derived values here, never the NIK itself.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from ..models import Draft, utcnow

LIFETIME = timedelta(minutes=30)
BOOKING = "booking"


@dataclass
class BookingDraft:
    """The booking steps' answers so far (DESIGN §3). Of the NIK only what the rules decided
    (keyed hash, last 4, age band, may record): never its digits, birth date or sex (§9)."""

    service: str | None = None
    office: str | None = None
    day: str | None = None  # ISO date in the office's zone
    slot: int | None = None
    nik_hash: str | None = None
    nik_last4: str | None = None
    age_band: str | None = None
    may_record: bool | None = None
    name: str | None = None
    phone: str | None = None
    desa: str | None = None  # a desa code or booking.OUTSIDE
    needs: list[str] = field(default_factory=list)  # also set by the help page (/bantuan)
    confirmed: str | None = None  # after the confirm: the booking code and receipt token only
    token: str | None = None

    NIK_FACTS = ("nik_hash", "nik_last4", "age_band", "may_record")

    @property
    def has_nik(self) -> bool:
        return all(getattr(self, key) is not None for key in self.NIK_FACTS)

    def forget_nik(self) -> None:
        for key in self.NIK_FACTS:
            setattr(self, key, None)

    @property
    def empty(self) -> bool:
        return self == BookingDraft()

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v not in (None, [])})

    @classmethod
    def from_json(cls, text: str | None) -> BookingDraft:
        data = json.loads(text or "{}")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def _text(payload) -> str:
    return payload.to_json() if isinstance(payload, BookingDraft) else json.dumps(payload or {})


def start(session: Session, kind: str, payload: dict | BookingDraft | None = None,
          now: datetime | None = None) -> Draft:
    now = now or utcnow()
    draft = Draft(id=secrets.token_urlsafe(32), kind=kind, payload=_text(payload),
                  created_at=now, expires_at=now + LIFETIME)
    session.add(draft)
    session.flush()
    return draft


def load(session: Session, draft_id: str | None, kind: str,
         now: datetime | None = None) -> tuple[Draft, dict] | None:
    """The live draft of this kind with its payload, or None (unknown, other kind, expired)."""
    if not draft_id or len(draft_id) > 43:
        return None
    draft = session.get(Draft, draft_id)
    if draft is None or draft.kind != kind or draft.expires_at <= (now or utcnow()):
        return None
    return draft, json.loads(draft.payload)


def save(session: Session, draft: Draft, payload: dict | BookingDraft,
         now: datetime | None = None) -> None:
    """Store the answers so far; every step keeps the draft alive for another 30 minutes."""
    draft.payload = _text(payload)
    draft.expires_at = (now or utcnow()) + LIFETIME
    session.add(draft)
    session.flush()


def load_booking(session: Session, draft_id: str | None,
                 now: datetime | None = None) -> tuple[Draft | None, BookingDraft]:
    """The live booking draft and its answers, or (None, an empty one)."""
    found = load(session, draft_id, BOOKING, now)
    if found is None:
        return None, BookingDraft()
    return found[0], BookingDraft.from_json(found[0].payload)


def purge_expired(session: Session, now: datetime | None = None) -> int:
    result = session.exec(delete(Draft).where(Draft.expires_at <= (now or utcnow())))
    return result.rowcount or 0
