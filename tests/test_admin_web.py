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
    assert page(client, "/admin/").links().count("/admin/737109/") == 0
    shown = page(client, "/admin/351504/")
    assert [a.get_text(strip=True) for a in shown.select(".admin-nav a")][:2] == \
        ["Ringkasan", "Layanan hari ini"]
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
    data = {**_fields(shown, "/stations/351504-1"), "station-351504-1-state": "down"}
    done = page(client, "/admin/351504/stations/351504-1", method="post", data=data)
    assert "Kapasitas sekarang 3 orang per slot" in done.text
    assert "masih berlangsung" in done.text
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "station.state")).one()
    assert entry.subject == "station:351504-1" and entry.detail == "active->down"
    assert client.post("/admin/737109/stations/737109-1", data=data).status_code == 403


def test_an_admin_creates_an_officer_resets_the_password_and_disabling_ends_their_sessions(
        app, client, session, login_as, page):
    from app.domain import accounts
    from app.models import StaffSession, User

    login_as("admin")
    shown = page(client, "/admin/351504/people")
    data = {**_fields(shown, "/people/users"), "user-username": "budi.petugas",
            "user-password": "kata-sandi-panjang", "user-role": "officer", "user-desa_code": ""}
    assert client.post("/admin/351504/people/users", data=data).status_code == 303
    budi = session.exec(select(User).where(User.username == "budi.petugas")).one()
    assert (budi.role, budi.office_code) == ("officer", "351504")
    other = app.test_client()
    assert other.post("/login", data={"username": "budi.petugas",
                                      "password": "kata-sandi-panjang"}).status_code == 303
    assert other.get("/officer/").status_code == 200

    user_page = page(client, f"/admin/351504/people/users/{budi.id}")
    short = {**_fields(user_page, "/password"), "password-password": "pendek"}
    refused = page(client, f"/admin/351504/people/users/{budi.id}/password", method="post",
                   data=short, status=422)
    assert "paling sedikit 10 huruf" in refused.select_one(".error-summary").get_text()

    confirm = page(client, f"/admin/351504/people/users/{budi.id}/disable")
    assert client.post(f"/admin/351504/people/users/{budi.id}/disable",
                       data=_fields(confirm, "/disable")).status_code == 303
    assert other.get("/officer/").status_code == 302  # signed out at once
    assert session.exec(select(StaffSession).where(StaffSession.user_id == budi.id,
                                                   StaffSession.ended_at.is_(None))).all() == []
    assert accounts.authenticate(session, "budi.petugas", "kata-sandi-panjang") is None


def test_a_token_is_shown_once_listed_without_its_secret_and_revoked(client, session,
                                                                    login_as, page):
    from app.domain import accounts

    login_as("admin")
    shown = page(client, "/admin/351504/people")
    data = {**_fields(shown, "/people/tokens"), "token-role": "kiosk", "token-label": "lobi",
            "token-desa_code": ""}
    minted = page(client, "/admin/351504/people/tokens", method="post", data=data)
    secret = minted.select_one(".secret-once code").get_text()
    assert minted.response.headers["Cache-Control"] == "no-store"
    token = accounts.token_for(session, secret)
    assert (token.role, token.office_code, token.label) == ("kiosk", "351504", "lobi")
    listed = page(client, "/admin/351504/people")
    assert secret not in listed.html and "lobi" in listed.text
    confirm = page(client, f"/admin/351504/people/tokens/{token.id}/revoke")
    assert client.post(f"/admin/351504/people/tokens/{token.id}/revoke",
                       data=_fields(confirm, "/revoke")).status_code == 303
    assert accounts.token_for(session, secret) is None
    assert client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 401


def test_an_office_admin_cannot_touch_another_offices_people(client, session, login_as, make_user):
    from app.domain import accounts

    login_as("admin")
    stranger = make_user("officer", office_code="737109")
    _token, _secret = accounts.mint_token(session, "kiosk", "737109")
    session.commit()
    assert client.get(f"/admin/351504/people/users/{stranger.id}").status_code == 404
    assert client.get(f"/admin/737109/people/users/{stranger.id}").status_code == 403
    assert client.post(f"/admin/351504/people/tokens/{_token.id}/revoke",
                       data={}).status_code == 404
