"""Server-side drafts of multi-step forms: a random id in a cookie, the answers in the database.

They expire after 30 minutes (DESIGN §3), so an abandoned form on a shared kiosk or phone does
not linger. Callers keep a NIK's derived values here, never the NIK itself.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from ..models import Draft, utcnow

LIFETIME = timedelta(minutes=30)


def start(session: Session, kind: str, payload: dict | None = None,
          now: datetime | None = None) -> Draft:
    now = now or utcnow()
    draft = Draft(id=secrets.token_urlsafe(32), kind=kind, payload=json.dumps(payload or {}),
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


def save(session: Session, draft: Draft, payload: dict, now: datetime | None = None) -> None:
    """Store the answers so far; every step keeps the draft alive for another 30 minutes."""
    draft.payload = json.dumps(payload)
    draft.expires_at = (now or utcnow()) + LIFETIME
    session.add(draft)
    session.flush()


def discard(session: Session, draft: Draft) -> None:
    session.delete(draft)
    session.flush()


def purge_expired(session: Session, now: datetime | None = None) -> int:
    result = session.exec(delete(Draft).where(Draft.expires_at <= (now or utcnow())))
    return result.rowcount or 0
