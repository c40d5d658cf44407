"""Outreach and coverage over the API (DESIGN §6, issue 14): plan, import residents as CSV,
the invitations PDF with a QR that decodes to a genuine verify page, coverage per desa."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.domain import capacity
from app.models import Office, utcnow
from tests.support.booking import nik
from tests.test_verify import pdf_text, qr_texts

pytestmark = pytest.mark.db

DESA = "3515041003"  # conftest's desa_staff desa (Porong)
PORONG_TABLE = (Path(__file__).parent / "data" / "porong-2021-coverage.csv").read_text()


def open_day(session, after_days=3):
    """A day the Porong office is open, a few days ahead (no holiday)."""
    office = session.get(Office, "351504")
    day = capacity.local_today(office, utcnow()) + timedelta(days=after_days)
    while capacity.closed_days(session, office, day, day):
        day += timedelta(days=1)
    return day


def plan_json(session, **extra):
    return {"desa_code": DESA, "place": "Balai Desa Porong", "date": open_day(session).isoformat(),
            "start": "08:00", "end": "10:00", "stations": 2, **extra}


def planned(client, session, api_token) -> int:
    answer = client.post("/api/v1/offices/351504/outreach", json=plan_json(session),
                         headers=api_token("admin"))
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def residents_csv(rows):
    return "nik,name,phone,consent\n" + "".join(",".join(r) + "\n" for r in rows)


def test_an_admin_plans_a_visit_and_gets_its_slots(client, session, api_token):
    answer = client.post("/api/v1/offices/351504/outreach", json=plan_json(session),
                         headers=api_token("admin"))
    assert answer.status_code == 201
    slots = answer.json["slots"]
    assert len(slots) == 4 and {s["capacity"] for s in slots} == {6}
    assert slots[0]["start"].endswith("T08:00:00+07:00")
    again = client.post("/api/v1/offices/351504/outreach", json=plan_json(session),
                        headers=api_token("admin"))
    assert again.status_code == 422 and "start" in again.json["errors"]
    other = client.post("/api/v1/offices/351504/outreach", json=plan_json(session),
                        headers=api_token("admin", office="737109"))
    assert other.status_code == 403


def test_desa_staff_import_residents_and_are_refused_for_another_desas_visit(
        client, session, api_token):
    visit = planned(client, session, api_token)
    body = residents_csv([(nik(9101), "Sri", "081234567890", "present"),
                          (nik(9102), "Budi", "", "written"), ("123", "Salah", "", "present")])
    url = f"/api/v1/outreach/{visit}/residents"
    headers = {**api_token("desa_staff", desa=DESA), "Content-Type": "text/csv"}
    answer = client.post(url, data=body, headers=headers)
    assert answer.status_code == 200, answer.json
    assert answer.json["booked"] == 2 and answer.json["already"] == 0
    assert [r["row"] for r in answer.json["refused"]] == [3]
    assert "NIK" in answer.json["refused"][0]["errors"]["nik"]
    twice = client.post(url, data=body, headers=headers)
    assert (twice.json["booked"], twice.json["already"]) == (0, 2)
    foreign = client.post(url, data=body, headers={
        **api_token("desa_staff", desa="3515041004"), "Content-Type": "text/csv"})
    assert foreign.status_code == 403
    header_wrong = client.post(url, data="nik,nama\n", headers=headers)
    assert header_wrong.status_code == 422 and "file" in header_wrong.json["errors"]


def test_the_invitation_pdf_holds_the_visit_and_a_qr_that_verifies_as_genuine(
        client, session, api_token, tmp_path):
    visit = planned(client, session, api_token)
    client.post(f"/api/v1/outreach/{visit}/residents",
                data=residents_csv([(nik(9201), "Siti Aminah", "", "present")]),
                headers={**api_token("desa_staff", desa=DESA), "Content-Type": "text/csv"})
    answer = client.get(f"/api/v1/outreach/{visit}/invitations.pdf",
                        headers=api_token("desa_staff", desa=DESA))
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = pdf_text(answer.data, tmp_path)
    for words in ("Undangan perekaman e-KTP", "Balai Desa Porong", "Siti Aminah",
                  "08.00–08.30 WIB", "Kartu Keluarga", "GRATIS", "••••••••••••9201"):
        assert words in text, words
    assert open_day(session).strftime("%Y") in text
    (url,) = qr_texts(answer.data, tmp_path)
    verdict = client.get(urlsplit(url).path)
    assert verdict.status_code == 200 and "ASLI" in verdict.get_data(as_text=True)
    token = urlsplit(url).path.rsplit("/", 1)[1]
    assert client.get(f"/api/v1/verify/{token}").json["genuine"] is True


def test_coverage_for_the_admin_and_one_row_for_desa_staff(client, session, api_token, runner):
    path = Path(client.application.instance_path) / "porong.csv"
    path.write_text(PORONG_TABLE)
    result = runner.invoke(args=["coverage-import", str(path), "--office", "351504",
                                 "--year", "2021"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "imported 19 rows for 351504 2021: 9 rows with problems, 10 problems"
    assert lines[0].startswith("row 2: Porong: inconsistent")
    assert "row 10: Juwet Kenongo: name_variant" in result.output
    admin = client.get("/api/v1/offices/351504/coverage", headers=api_token("admin"))
    assert admin.status_code == 200
    assert len(admin.json["rows"]) == 15 and len(admin.json["problems"]) == 10
    assert admin.json["rows"][0]["desa"] == "Kedungsolo"
    own = client.get("/api/v1/offices/351504/coverage",
                     headers=api_token("desa_staff", desa="3515042001"))
    assert [r["desa"] for r in own.json["rows"]] == ["Kebonagung"] and own.json["problems"] == []
    elsewhere = client.get("/api/v1/offices/737109/coverage",
                           headers=api_token("desa_staff", desa="3515042001"))
    assert elsewhere.status_code == 403


def test_a_booking_through_the_booking_api_on_a_visits_slot_is_invited_too(
        client, session, api_token):
    from app.domain import outreach
    from app.models import OutreachVisit

    visit_id = planned(client, session, api_token)
    slot = outreach.visit_slots(session, visit_id)[1]
    made = client.post("/api/v1/bookings", json={
        "nik": nik(9301), "name": "Lewat API", "service": "pemula", "slot_id": slot.id,
        "desa_code": DESA, "consent": "phone"}, headers=api_token("desa_staff", desa=DESA))
    assert made.status_code == 201, made.json
    assert made.json["slot"]["pool"] == "mobile"
    visit = session.get(OutreachVisit, visit_id)
    assert [p.booking.name for p in outreach.invited(session, visit)] == ["Lewat API"]
    counter = client.post("/api/v1/bookings", json={
        "nik": nik(9302), "name": "Loket", "service": "rusak", "slot_id": slot.id,
        "desa_code": DESA, "consent": "phone"}, headers=api_token("desa_staff", desa=DESA))
    assert counter.status_code == 422  # a document service is not done on an outreach visit


def test_a_file_that_is_not_utf8_is_refused_whole(client, session, api_token):
    visit = planned(client, session, api_token)
    latin1 = residents_csv([(nik(9401), "Siti Ñ", "", "present")]).encode("latin-1")
    answer = client.post(f"/api/v1/outreach/{visit}/residents", data=latin1, headers={
        **api_token("desa_staff", desa=DESA), "Content-Type": "text/csv"})
    assert answer.status_code == 422 and "UTF-8" in answer.json["errors"]["file"]
