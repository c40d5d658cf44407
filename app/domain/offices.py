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


def public_directory(session: Session) -> list[dict]:
    """Every office with its desa, as the public API lists them, in one statement (an outer
    join, plain columns): the list every kiosk fetches."""
    rows = session.execute(
        select(Office.code, Office.name, Office.timezone, Office.address, Desa.code, Desa.name)
        .outerjoin(Desa, Desa.office_code == Office.code)
        .order_by(Office.code, Desa.name))
    offices: dict[str, dict] = {}
    for code, name, timezone, address, desa_code, desa_name in rows:
        office = offices.setdefault(code, {"code": code, "name": name, "timezone": timezone,
                                           "address": address, "desa": []})
        if desa_code is not None:
            office["desa"].append({"code": desa_code, "name": desa_name})
    return list(offices.values())
