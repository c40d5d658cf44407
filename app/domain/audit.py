"""The append-only audit log: who did what to which thing. Never a NIK or a name in it."""

from datetime import datetime

from sqlmodel import Session

from ..models import AuditEntry, utcnow
from . import rows


def record(session: Session, actor: str, action: str, subject: str = "", detail: str = "",
           at: datetime | None = None) -> None:
    """`at`: the action's own time when the caller has one (a moved clock, issue 15)."""
    # One INSERT now, not an object for the next flush: audited actions are on the hot paths.
    rows.insert(session, AuditEntry(actor=actor[:60], action=action[:60], subject=subject[:120],
                                    detail=detail[:1000], at=at or utcnow()))
