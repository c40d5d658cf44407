"""Offices and their desa, as the public sees them."""

from __future__ import annotations

from sqlmodel import Session, select

from ..models import Desa, Office


def list_offices(session: Session) -> list[Office]:
    return list(session.exec(select(Office).order_by(Office.code)))


def desa_by_office(session: Session) -> dict[str, list]:
    """Desa rows (.code, .office_code, .name) per office; plain rows, as lists are read-only."""
    grouped: dict[str, list] = {}
    rows = session.exec(select(Desa.code, Desa.office_code, Desa.name)
                        .order_by(Desa.office_code, Desa.name))
    for desa in rows:
        grouped.setdefault(desa.office_code, []).append(desa)
    return grouped


def get_office(session: Session, code: str) -> Office | None:
    return session.get(Office, code) if code.isascii() and code.isdigit() else None
