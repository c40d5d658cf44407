"""The append-only audit log: who did what to which thing. Never a NIK or a name in it."""

from sqlmodel import Session

from ..models import AuditEntry


def record(session: Session, actor: str, action: str, subject: str = "", detail: str = "") -> None:
    session.add(AuditEntry(actor=actor[:60], action=action[:60], subject=subject[:120],
                           detail=detail[:1000]))
