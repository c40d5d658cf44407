"""Offices and their desa, as the public sees them."""

from __future__ import annotations

from sqlmodel import Session, select

from ..models import Desa, Office


def list_offices(session: Session) -> list[Office]:
    return list(session.exec(select(Office).order_by(Office.code)))


def desa_by_office(session: Session) -> dict[str, list[Desa]]:
    grouped: dict[str, list[Desa]] = {}
    for desa in session.exec(select(Desa).order_by(Desa.office_code, Desa.name)):
        grouped.setdefault(desa.office_code, []).append(desa)
    return grouped


def get_office(session: Session, code: str) -> Office | None:
    return session.get(Office, code) if code.isascii() and code.isdigit() else None
