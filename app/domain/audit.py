"""The append-only audit log: who did what to which thing. Never a NIK or a name in it."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from ..models import AuditEntry, utcnow

_INSERT = sa.insert(AuditEntry.__table__)


def record(session: Session, actor: str, action: str, subject: str = "", detail: str = "",
           at: datetime | None = None) -> None:
    """`at`: the action's own time when the caller has one (a moved clock, issue 15)."""
    # One INSERT now, and no object: nothing reads an audit line back in the same request, and
    # an object for the next flush cost more than the statement on the booking's hot path.
    session.execute(_INSERT, {"actor": actor[:60], "action": action[:60],
                              "subject": subject[:120], "detail": detail[:1000],
                              "at": at or utcnow()})
