"""Whether the database takes a write, for /healthz: a "SELECT 1" answers while a full disk or
a read-only file refuses every booking."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from ..models import HealthProbe

PROBE_ID = 1
# Below this much free space a SQLite database is reported unwritable: a booking with its
# receipt PDF needs a few hundred kB, and SQLite refuses writes (SQLITE_FULL) at zero.
MIN_FREE_BYTES = 8 * 1024 * 1024
MIN_FREE_PAGES = 64


class NotWritable(Exception):
    """The database answers but would refuse the next write."""


def probe(session: Session, now: datetime) -> None:
    """Write the probe row and commit (one row, milliseconds of the write lock); raises a
    SQLAlchemyError when the database cannot be reached or written, NotWritable when it is
    about to refuse writes for want of space."""
    updated = session.execute(sa.update(HealthProbe).where(HealthProbe.id == PROBE_ID)
                              .values(checked_at=now)).rowcount
    if not updated:
        session.add(HealthProbe(id=PROBE_ID, checked_at=now))
    session.flush()
    if session.get_bind().dialect.name == "sqlite":
        _sqlite_has_room(session)
    session.commit()


def _sqlite_has_room(session: Session) -> None:
    # Updating a row in place reuses its page, so the write above can succeed on a full disk
    # or at `max_page_count` while every insert fails: ask for room as well.
    pages = session.execute(sa.text("PRAGMA page_count")).scalar_one()
    limit = session.execute(sa.text("PRAGMA max_page_count")).scalar_one()
    free_pages = session.execute(sa.text("PRAGMA freelist_count")).scalar_one()
    if limit - pages + free_pages < MIN_FREE_PAGES:
        raise NotWritable("max_page_count reached")
    path = session.get_bind().engine.url.database
    if path and path != ":memory:" and not path.startswith("file:"):
        stats = os.statvfs(Path(path).resolve().parent)
        if stats.f_bavail * stats.f_frsize < MIN_FREE_BYTES:
            raise NotWritable("disk full")
