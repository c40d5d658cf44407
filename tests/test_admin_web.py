"""The admin room's pages (issue 15): each office's admin acts on its own office only; forms
validate through the domain and answer 422 with the error summary; changes are audited."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app.models import AuditEntry, Office
from tests.support.booking import book, nik, slot_at

pytestmark = pytest.mark.db


def _settings_form(page, client, office="351504", **changes):
    shown = page(client, f"/admin/{office}/settings")
    data = shown.form_fields("form[action$='/settings']")
    data.update({"card_print_place": "kecamatan", **changes})
    return data


def test_an_office_admin_goes_straight_to_its_office_and_not_to_another(client, login_as, page):
    login_as("admin")
    assert client.get("/admin/").headers["Location"].endswith("/admin/351504/")
    shown = page(client, "/admin/351504/")
    assert [a.get_text(strip=True) for a in shown.select(".admin-nav a")][:2] == \
        ["Ringkasan", "Pengaturan"]
    for path in ("/admin/737109/", "/admin/737109/settings"):
        assert client.get(path).status_code == 403
    assert client.post("/admin/737109/settings", data={}).status_code == 403


def test_the_all_offices_admin_picks_any_office(client, login_as, page):
    login_as("admin", office_code=None)
    shown = page(client, "/admin/")
    assert "/admin/737109/" in shown.links() and "/admin/351504/" in shown.links()
    assert page(client, "/admin/737109/settings").status == 200


def test_a_settings_change_is_saved_and_audited(client, session, login_as, page):
    user = login_as("admin")
    data = _settings_form(page, client, held_back_percent="40", card_days="21")
    shown = page(client, "/admin/351504/settings", method="post", data=data)
    assert "2 pengaturan diubah" in shown.text
    office = session.get(Office, "351504")
    session.refresh(office)
    assert (office.held_back_percent, office.card_days) == (40, 21)
    details = session.exec(select(AuditEntry.detail).where(
        AuditEntry.action == "office.setting", AuditEntry.actor == f"user:{user.id}")).all()
    assert set(details) == {"held_back_percent=30->40", "card_days=14->21"}


def test_a_wrong_setting_answers_422_with_the_summary_and_changes_nothing(client, session,
                                                                        login_as, page):
    login_as("admin")
    data = _settings_form(page, client, slot_minutes="tiga puluh", counter_minutes="0")
    shown = page(client, "/admin/351504/settings", method="post", data=data, status=422)
    assert shown.soup.title.get_text().startswith("Kesalahan")
    summary = [a["href"] for a in shown.select(".error-summary a")]
    assert summary == ["#slot_minutes", "#counter_minutes"]
    assert "Tulis angka bulat dari 5 sampai 240." in shown.text
    assert session.get(Office, "351504").slot_minutes == 30


def _fields(shown, action_end):
    return shown.form_fields(f"form[action$='{action_end}']")


def test_closing_a_day_from_the_page_moves_the_booked_and_a_second_close_is_refused(
        client, session, login_as, page):
    login_as("admin")
    now = datetime.now(UTC)
    day = (now + timedelta(days=3)).astimezone(ZoneInfo("Asia/Jakarta"))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    slot = slot_at(session, "351504", day.date(), time(9), now=now)
    booked = book(session, slot, nik(77), now=now)
    session.commit()
    shown = page(client, "/admin/351504/hours")
    data = {**_fields(shown, "/hours/closures"), "closure-day": day.date().isoformat(),
            "closure-reason": "Pelatihan petugas"}
    done = page(client, "/admin/351504/hours/closures", method="post", data=data)
    assert "1 orang dipindah" in done.text
    code = done.select_one("table.data-table td").get_text()
    assert code == f"{booked.code[:4]}-{booked.code[4:]}"
    again = page(client, "/admin/351504/hours/closures", method="post", data=data, status=422)
    assert "Hari ini sudah ditutup." in again.select_one(".error-summary").get_text()


def test_weekly_hours_that_cannot_be_read_answer_422_on_that_day(client, login_as, page):
    login_as("admin")
    shown = page(client, "/admin/351504/hours")
    data = {**_fields(shown, "/hours/weekly"), "weekly-day2": "jam delapan"}
    refused = page(client, "/admin/351504/hours/weekly", method="post", data=data, status=422)
    assert [a["href"] for a in refused.select(".error-summary a")] == ["#weekly-day2"]
    assert "Tulis jam seperti 08.00" in refused.text


def test_a_station_set_down_from_the_page_is_the_same_change_as_the_cli_and_shows_its_outage(
        client, session, login_as, page):
    login_as("admin")
    shown = page(client, "/admin/351504/stations")
    data = {**_fields(shown, "/stations/351504-1"), "351504-1-state": "down"}
    done = page(client, "/admin/351504/stations/351504-1", method="post", data=data)
    assert "Kapasitas sekarang 3 orang per slot" in done.text
    assert "masih berlangsung" in done.text
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "station.state")).one()
    assert entry.subject == "station:351504-1" and entry.detail == "active->down"
    assert client.post("/admin/737109/stations/737109-1", data=data).status_code == 403
