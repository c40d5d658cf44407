"""Coverage per desa: the office's yearly table (wajib, sudah, belum rekam) and what is left.

The table is kept by hand and is imperfect (Porong 2021: five rows whose `belum` is not
`wajib − sudah`; names spelt differently from the region list, villages dissolved after the
Sidoarjo mudflow). The import keeps every row as written and reports each problem row by row —
it never silently fixes or drops one. A name that matches a desa only once spaces and case are
ignored is matched *and* reported; a name that matches none is kept without a desa and reported.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from ..models import (
    Booking,
    CoverageImport,
    CoverageProblem,
    CoverageRow,
    Desa,
    Office,
    utcnow,
)
from . import audit
from .errors import ValidationError

# Column names as offices write them; the first of each list is the canonical one.
COLUMNS = {"desa": ("desa", "nama_desa", "kelurahan"),
           "wajib": ("wajib", "wajib_ktp", "wajib_rekam"),
           "sudah": ("sudah", "sudah_rekam"),
           "belum": ("belum", "belum_rekam")}
PROBLEMS = ("inconsistent", "name_variant", "unknown_desa", "not_a_number", "duplicate")
MAX_ROWS = 1000
RECORDED_STATUSES = ("recorded", "card_ready", "collected")


@dataclass(frozen=True)
class Problem:
    row: int
    desa: str
    problem: str  # PROBLEMS
    detail: str = ""


@dataclass(frozen=True)
class ImportResult:
    coverage_import: CoverageImport
    rows: int
    problems: list[Problem]


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _header_map(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found = {}
    for column, spellings in COLUMNS.items():
        for index, name in enumerate(names):
            if name in spellings:
                found[column] = index
                break
    missing = [c for c in COLUMNS if c not in found]
    if missing:
        raise ValidationError({"file": "header"}, {"file": {"missing": ", ".join(missing)}})
    return found


def _number(text: str) -> int | None:
    cleaned = text.strip().replace(".", "").replace(",", "")
    return int(cleaned) if cleaned.isdigit() else None


def _match(desas: list[Desa], name: str) -> tuple[Desa | None, bool]:
    """(desa, exact): the desa of this name, exactly or once spaces and case are ignored."""
    for desa in desas:
        if desa.name == name.strip():
            return desa, True
    for desa in desas:
        if _key(desa.name) == _key(name):
            return desa, False
    return None, False


def _row_problems(number: int, name: str, values: dict, desa: Desa | None, exact: bool,
                  seen: set) -> list[Problem]:
    problems = []
    for column in ("wajib", "sudah", "belum"):
        if values[column] is None:
            problems.append(Problem(number, name, "not_a_number", column))
    wajib, sudah, belum = values["wajib"], values["sudah"], values["belum"]
    if None not in (wajib, sudah, belum) and belum != wajib - sudah:
        problems.append(Problem(number, name, "inconsistent",
                                f"belum {belum} ≠ wajib − sudah = {wajib - sudah}"))
    if desa is None:
        problems.append(Problem(number, name, "unknown_desa", ""))
    elif not exact:
        problems.append(Problem(number, name, "name_variant", f"{desa.name} ({desa.code})"))
    if desa is not None and desa.code in seen:
        problems.append(Problem(number, name, "duplicate", desa.code))
    return problems


def import_table(session: Session, office: Office, year: int, text: str, *, actor: str,
                 filename: str = "", now: datetime | None = None) -> ImportResult:
    """Read the whole table and keep it as a new import (the latest import is the one shown).
    Raises ValidationError when the file is not such a table at all."""
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "range"})
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None:
        raise ValidationError({"file": "header"}, {"file": {"missing": "desa, wajib, ..."}})
    columns = _header_map(header)
    desas = list(session.exec(select(Desa).where(Desa.office_code == office.code)))
    made = CoverageImport(office_code=office.code, year=year, filename=filename[:200],
                          imported_at=now or utcnow(), imported_by=actor)
    session.add(made)
    session.flush()
    problems: list[Problem] = []
    seen: set[str] = set()
    count = 0
    for number, fields in enumerate(reader, start=1):
        if not any(f.strip() for f in fields):
            continue
        if number > MAX_ROWS:
            raise ValidationError({"file": "too_many"})
        cell = {c: (fields[i] if i < len(fields) else "") for c, i in columns.items()}
        name = cell["desa"].strip()[:120]
        values = {c: _number(cell[c]) for c in ("wajib", "sudah", "belum")}
        desa, exact = _match(desas, name)
        found = _row_problems(number, name, values, desa, exact, seen)
        problems.extend(found)
        if desa is not None:
            seen.add(desa.code)
        session.add(CoverageRow(import_id=made.id, row=number, desa_name=name,
                                desa_code=desa.code if desa else None, **values))
        count += 1
    for problem in problems:
        session.add(CoverageProblem(import_id=made.id, row=problem.row, desa_name=problem.desa,
                                    problem=problem.problem, detail=problem.detail[:300]))
    session.flush()
    audit.record(session, actor, "coverage.import", f"office:{office.code}",
                 f"year={year} rows={count} problems={len(problems)}")
    return ImportResult(made, count, problems)


def latest_import(session: Session, office_code: str) -> CoverageImport | None:
    return session.exec(select(CoverageImport).where(CoverageImport.office_code == office_code)
                        .order_by(CoverageImport.imported_at.desc(), CoverageImport.id.desc())
                        ).first()


@dataclass(frozen=True)
class CoverageLine:
    row: int
    desa_code: str | None
    desa: str  # as written in the table
    year: int
    wajib: int | None
    sudah: int | None
    belum: int | None
    booked_since: int
    recorded_since: int
    inconsistent: bool

    @property
    def left(self) -> int:
        """Still to record: the table's `belum` (as written) less what was recorded since."""
        return max(0, (self.belum or 0) - self.recorded_since)


def _since(session: Session, office_code: str, since: datetime) -> dict[str, tuple[int, int]]:
    booked = dict(session.exec(select(Booking.desa_code, func.count()).where(
        Booking.office_code == office_code, Booking.created_at >= since,
        Booking.status != "moved").group_by(Booking.desa_code)).all())
    recorded = dict(session.exec(select(Booking.desa_code, func.count()).where(
        Booking.office_code == office_code, Booking.recorded_at >= since,
        Booking.status.in_(RECORDED_STATUSES)).group_by(Booking.desa_code)).all())
    return {code: (booked.get(code, 0), recorded.get(code, 0))
            for code in set(booked) | set(recorded)}


def dashboard(session: Session, office_code: str,
              desa_code: str | None = None) -> tuple[CoverageImport | None, list[CoverageLine],
                                                     list[CoverageProblem]]:
    """The latest import's rows matched to a desa, ranked by what is left (largest gap first:
    where the next outreach visit should go), and its problems. `desa_code`: only that row."""
    made = latest_import(session, office_code)
    if made is None:
        return None, [], []
    counts = _since(session, office_code, made.imported_at)
    query = select(CoverageRow).where(CoverageRow.import_id == made.id,
                                      CoverageRow.desa_code.is_not(None))
    if desa_code:
        query = query.where(CoverageRow.desa_code == desa_code)
    inconsistent = {p.row for p in session.exec(select(CoverageProblem).where(
        CoverageProblem.import_id == made.id, CoverageProblem.problem == "inconsistent"))}
    lines = [CoverageLine(row=r.row, desa_code=r.desa_code, desa=r.desa_name, year=made.year,
                          wajib=r.wajib, sudah=r.sudah, belum=r.belum,
                          booked_since=counts.get(r.desa_code, (0, 0))[0],
                          recorded_since=counts.get(r.desa_code, (0, 0))[1],
                          inconsistent=r.row in inconsistent)
             for r in session.exec(query)]
    lines.sort(key=lambda line: (-line.left, line.desa))
    problems = [] if desa_code else list(session.exec(
        select(CoverageProblem).where(CoverageProblem.import_id == made.id)
        .order_by(CoverageProblem.row, CoverageProblem.id)))
    return made, lines, problems


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int


def chart_bars(lines: list[CoverageLine], *, width: int = 400, row_height: int = 24) -> list[Bar]:
    """Bars for the server-rendered SVG: one per desa, length proportional to what is left."""
    biggest = max((line.left for line in lines), default=0) or 1
    return [Bar(line.desa, line.left, index * row_height, round(width * line.left / biggest))
            for index, line in enumerate(lines)]
