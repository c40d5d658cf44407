"""Coverage per desa (issue 14): the real Porong 2021 table is the test case."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain import coverage
from app.models import Office

pytestmark = pytest.mark.db

PORONG_TABLE = (Path(__file__).parent / "data" / "porong-2021-coverage.csv").read_text()
IMPORTED = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
INCONSISTENT = {2: "Porong", 5: "Renokenongo", 6: "Glagaharum", 7: "Plumbon", 16: "Candipari"}
UNKNOWN = {3: "Mindi", 4: "Jatirejo", 5: "Renokenongo", 8: "Siring"}


def _import(session):
    return coverage.import_table(session, session.get(Office, "351504"), 2021, PORONG_TABLE,
                                 actor="cli", filename="porong-2021-coverage.csv", now=IMPORTED)


def test_the_porong_table_reports_exactly_its_inconsistent_rows_and_unmatched_names(session):
    result = _import(session)
    by_kind = {}
    for problem in result.problems:
        by_kind.setdefault(problem.problem, {})[problem.row] = problem.desa
    assert by_kind["inconsistent"] == INCONSISTENT
    assert by_kind["unknown_desa"] == UNKNOWN
    assert by_kind["name_variant"] == {10: "Juwet Kenongo"}
    assert set(by_kind) == {"inconsistent", "unknown_desa", "name_variant"}
    assert result.rows == 19  # every row kept, none dropped
    porong = next(p for p in result.problems if p.row == 2)
    assert porong.detail == "belum 150 ≠ wajib − sudah = 1084"


def test_the_dashboard_ranks_the_matched_desa_by_what_is_left(session):
    _import(session)
    made, lines, problems = coverage.dashboard(session, "351504")
    assert made.year == 2021
    assert len(lines) == 15  # 19 rows less the four that match no desa
    assert [line.desa for line in lines[:3]] == ["Kedungsolo", "Lajuk", "Kesambi"]
    assert all(a.left >= b.left for a, b in zip(lines, lines[1:], strict=False))
    juwet = next(line for line in lines if line.desa_code == "3515041004")
    assert (juwet.desa, juwet.belum) == ("Juwet Kenongo", 599)
    assert next(line for line in lines if line.desa == "Candipari").inconsistent
    assert len(problems) == 10
    _made, own, _none = coverage.dashboard(session, "351504", desa_code="3515042001")
    assert [(line.desa, line.belum) for line in own] == [("Kebonagung", 274)]


def test_a_file_without_the_columns_is_refused_whole(session):
    from app.domain.errors import ValidationError

    with pytest.raises(ValidationError) as refused:
        coverage.import_table(session, session.get(Office, "351504"), 2021, "a,b\n1,2\n",
                              actor="cli")
    assert refused.value.errors == {"file": "header"}
    assert coverage.latest_import(session, "351504") is None
