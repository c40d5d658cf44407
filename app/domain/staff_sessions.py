"""Staff sign-ins the server can end (OWASP ASVS V3): a row per sign-in, its random id in the
signed cookie, only the id's SHA-256 stored. Logout, a password change and disabling a user
end rows at once; a row also ends after an idle time and an absolute lifetime.

Checked on every staff request, touched at most once a minute so that reads stay reads (the
same rule as API tokens' last use).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from ..models import StaffSession, User, utcnow

TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def of(cls, idle_minutes: int, session_hours: int) -> Lifetimes:
        return cls(timedelta(minutes=idle_minutes), timedelta(hours=session_hours))


@dataclass(frozen=True)
class Live:
    """A session that is still good, with its user."""

    session_id: int
    user: User
    needs_touch: bool


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def start(session: Session, user_id: int, now: datetime | None = None) -> str:
    """A new sign-in; returns the secret for the cookie (never stored)."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=_hash(secret), user_id=user_id, created_at=now,
                             last_seen_at=now))
    session.flush()
    return secret


def live(session: Session, secret: str, lifetimes: Lifetimes,
         now: datetime | None = None) -> Live | None:
    """The sign-in behind a cookie's secret, or None when it ended, idled out, grew too old,
    or its user was disabled."""
    if not isinstance(secret, str) or not secret or len(secret) > 100:
        return None
    now = now or utcnow()
    row = session.exec(
        select(StaffSession, User)
        .join(User, User.id == StaffSession.user_id)
        .where(StaffSession.token_hash == _hash(secret), StaffSession.ended_at.is_(None),
               StaffSession.last_seen_at > now - lifetimes.idle,
               StaffSession.created_at > now - lifetimes.absolute,
               User.active)
    ).first()
    if row is None:
        return None
    staff_session, user = row
    return Live(staff_session.id, user, staff_session.last_seen_at < now - TOUCH_INTERVAL)


def touch(session: Session, session_id: int, now: datetime | None = None) -> None:
    """Note activity (the idle clock restarts), at most once a minute."""
    now = now or utcnow()
    session.exec(
        update(StaffSession)
        .where(StaffSession.id == session_id, StaffSession.ended_at.is_(None),
               StaffSession.last_seen_at < now - TOUCH_INTERVAL)
        .values(last_seen_at=now)
    )


def end(session: Session, secret: str, now: datetime | None = None) -> int | None:
    """End the sign-in behind a secret (logout); its user id, or None when none was live."""
    if not isinstance(secret, str) or not secret:
        return None
    row = session.exec(select(StaffSession).where(StaffSession.token_hash == _hash(secret),
                                                  StaffSession.ended_at.is_(None))).first()
    if row is None:
        return None
    row.ended_at = now or utcnow()
    session.add(row)
    return row.user_id


def end_sessions_for_user(session: Session, user_id: int, keep_session_id: int | None = None,
                          now: datetime | None = None) -> int:
    """End every live sign-in of a user (disabled, password changed, kiosk revoked), except
    the one named in keep_session_id (the person who just changed their own password).
    Returns how many were ended."""
    statement = (update(StaffSession)
                 .where(StaffSession.user_id == user_id, StaffSession.ended_at.is_(None))
                 .values(ended_at=now or utcnow()))
    if keep_session_id is not None:
        statement = statement.where(StaffSession.id != keep_session_id)
    return session.exec(statement).rowcount
