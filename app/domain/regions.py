"""Kemendagri region names (Kepmendagri 300.2.2-2138/2025) for the first six digits of a NIK.

Codes change when regions split or merge, so a code missing from this list is never a reason to
reject a NIK; it only means we cannot show a name for it.
"""

import csv
from functools import cache
from pathlib import Path

_CSV = Path(__file__).resolve().parent.parent / "data" / "wilayah-2025-kecamatan.csv"


@cache
def _names() -> dict[str, str]:
    """Name by dotless code: 2 digits = province, 4 = kabupaten/kota, 6 = kecamatan."""
    with _CSV.open(encoding="utf-8-sig", newline="") as f:
        return {row["code"].replace(".", ""): row["name"].strip() for row in csv.DictReader(f)}


def _lookup(code: str, length: int) -> str | None:
    if len(code) != length or not code.isascii() or not code.isdigit():
        return None
    return _names().get(code)


def province_name(code2: str) -> str | None:
    return _lookup(code2, 2)


def kabupaten_name(code4: str) -> str | None:
    return _lookup(code4, 4)


def kecamatan_name(code6: str) -> str | None:
    return _lookup(code6, 6)


def region_label(nik_prefix6: str) -> str | None:
    """The most specific name we know: kecamatan, else kabupaten/kota, else province."""
    if len(nik_prefix6) != 6 or not nik_prefix6.isascii() or not nik_prefix6.isdigit():
        return None
    return (
        kecamatan_name(nik_prefix6)
        or kabupaten_name(nik_prefix6[:4])
        or province_name(nik_prefix6[:2])
    )
