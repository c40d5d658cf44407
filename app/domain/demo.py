"""Demo data (DESIGN §8): Porong (WIB) and Panakkukang (WITA). Running it twice changes nothing."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import time

from sqlmodel import Session, select

from ..config import ROOT
from ..models import Desa, Office, OpeningHours, Station

DESA_CSV = ROOT / "app" / "data" / "desa-demo-kecamatan.csv"


@dataclass(frozen=True)
class DemoOffice:
    code: str
    name: str
    timezone: str
    address: str
    stations: int
    counters: int
    hours: tuple[tuple[int, time, time], ...]


WEEKDAYS_AND_SATURDAY = tuple((d, time(8), time(16)) for d in range(5)) + ((5, time(8), time(12)),)
WEEKDAYS = tuple((d, time(8), time(16)) for d in range(5))

DEMO_OFFICES = (
    DemoOffice("351504", "Kecamatan Porong", "Asia/Jakarta",
               "Jl. Bhayangkari No. 1, Porong, Kabupaten Sidoarjo, Jawa Timur",
               stations=2, counters=2, hours=WEEKDAYS_AND_SATURDAY),
    DemoOffice("737109", "Kecamatan Panakkukang", "Asia/Makassar",
               "Jl. Urip Sumoharjo, Panakkukang, Kota Makassar, Sulawesi Selatan",
               stations=1, counters=1, hours=WEEKDAYS),
)


def _demo_desa(office_code: str) -> list[tuple[str, str]]:
    dotted = f"{office_code[:2]}.{office_code[2:4]}.{office_code[4:]}"
    with DESA_CSV.open(encoding="utf-8-sig", newline="") as f:
        return [(row["code"].replace(".", ""), row["name"])
                for row in csv.DictReader(f) if row["kecamatan_code"] == dotted]


def seed_demo(session: Session) -> dict[str, int]:
    """Create what is missing of the demo offices; returns how many rows were added per kind."""
    added = {"office": 0, "desa": 0, "station": 0, "opening_hours": 0}
    for spec in DEMO_OFFICES:
        if session.get(Office, spec.code) is None:
            session.add(Office(code=spec.code, name=spec.name, timezone=spec.timezone,
                               address=spec.address, is_demo=True))
            added["office"] += 1
            session.flush()
        for code, name in _demo_desa(spec.code):
            if session.get(Desa, code) is None:
                session.add(Desa(code=code, office_code=spec.code, name=name))
                added["desa"] += 1
        units = [("station", i, f"Stasiun perekaman {i}", f"{spec.code}-{i}")
                 for i in range(1, spec.stations + 1)]
        units += [("counter", i, f"Loket {i}", f"{spec.code}-L{i}")
                  for i in range(1, spec.counters + 1)]
        for pool, _i, name, code in units:
            if session.exec(select(Station).where(Station.code == code)).first() is None:
                session.add(Station(code=code, office_code=spec.code, name=name, pool=pool))
                added["station"] += 1
        has_hours = session.exec(
            select(OpeningHours).where(OpeningHours.office_code == spec.code)).first()
        if has_hours is None:
            for weekday, opens, closes in spec.hours:
                session.add(OpeningHours(office_code=spec.code, weekday=weekday, opens=opens,
                                         closes=closes))
                added["opening_hours"] += 1
    session.flush()
    return added
