"""Staff sessions end on the server (issue 9 §5): a copied cookie is worthless after logout,
a password change or disabling; sessions idle out and have an absolute lifetime."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.domain import accounts, staff_sessions
from app.models import StaffSession, utcnow
from tests.conftest import TEST_PASSWORD
from tests.support.databases import fresh_database
from tests.support.live_server import PASSWORD, live_server

pytestmark = pytest.mark.db
COOKIE = "rekam_session"
LIFETIMES = staff_sessions.Lifetimes.of(30, 12)


def _sign_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 303
    return client


def _copy(app, client):
    """Another browser holding the same cookie (a copied or stolen one)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def _refused(client) -> bool:
    response = client.get("/officer/")
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def _rows(session, user) -> list[StaffSession]:
    session.expire_all()
    return list(session.exec(select(StaffSession).where(StaffSession.user_id == user.id)))


def test_a_cookie_copied_before_logout_gets_the_login_page_after_it(app, make_user):
    officer = make_user("officer")
    client = _sign_in(app, officer)
    copied = _copy(app, client)
    assert copied.get("/officer/").status_code == 200
    assert client.post("/logout").status_code == 303
    assert _refused(copied)
    assert _refused(client)


def test_the_cookie_holds_a_random_id_and_the_server_only_its_hash(app, make_user, session):
    officer = make_user("officer")
    client = _sign_in(app, officer)
    data = _cookie_data(app, client)
    assert set(data) >= {"sid"} and "uid" not in data
    (row,) = _rows(session, officer)
    assert row.token_hash == hashlib.sha256(data["sid"].encode()).hexdigest()
    assert data["sid"] not in row.token_hash


def _cookie_data(app, client) -> dict:
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(client.get_cookie(COOKIE).value)


def test_a_session_idles_out_after_thirty_minutes(app, make_user, session):
    officer = make_user("officer")
    client = _sign_in(app, officer)
    (row,) = _rows(session, officer)
    row.last_seen_at = utcnow() - timedelta(minutes=29)  # the clock moves on 29 minutes
    session.add(row)
    session.commit()
    assert client.get("/officer/").status_code == 200  # activity restarts the idle clock
    (row,) = _rows(session, officer)
    assert row.last_seen_at > utcnow() - timedelta(minutes=1)
    row.last_seen_at = utcnow() - timedelta(minutes=31)
    session.add(row)
    session.commit()
    assert _refused(client)


@pytest.mark.app_config(STAFF_IDLE_MINUTES=5)
def test_the_idle_time_is_a_setting(app, make_user, session):
    officer = make_user("officer")
    client = _sign_in(app, officer)
    (row,) = _rows(session, officer)
    row.last_seen_at = utcnow() - timedelta(minutes=6)
    session.add(row)
    session.commit()
    assert _refused(client)


def test_a_busy_session_still_ends_at_its_absolute_lifetime(app, make_user, session):
    officer = make_user("officer")
    client = _sign_in(app, officer)
    (row,) = _rows(session, officer)
    row.created_at = utcnow() - timedelta(hours=12, minutes=1)  # in use all day, up to now
    session.add(row)
    session.commit()
    assert _refused(client)


def test_the_rules_with_a_moved_clock(session, make_user):
    officer = make_user("officer")
    start = utcnow()
    secret = staff_sessions.start(session, officer.id, now=start)
    assert staff_sessions.live(session, secret, LIFETIMES, now=start + timedelta(minutes=29))
    assert staff_sessions.live(session, secret, LIFETIMES,
                               now=start + timedelta(minutes=31)) is None
    moment = start
    for _ in range(24):  # active every 29 minutes for 11.6 hours: still in
        moment += timedelta(minutes=29)
        found = staff_sessions.live(session, secret, LIFETIMES, now=moment)
        assert found is not None and found.needs_touch
        staff_sessions.touch(session, found.session_id, now=moment)
    moment += timedelta(minutes=29)  # 12 h 5 min after sign-in
    assert staff_sessions.live(session, secret, LIFETIMES, now=moment) is None


def test_a_touch_is_written_at_most_once_a_minute(session, make_user):
    officer = make_user("officer")
    start = utcnow()
    secret = staff_sessions.start(session, officer.id, now=start)
    found = staff_sessions.live(session, secret, LIFETIMES, now=start + timedelta(seconds=30))
    assert not found.needs_touch
    staff_sessions.touch(session, found.session_id, now=start + timedelta(seconds=30))
    session.expire_all()
    assert session.get(StaffSession, found.session_id).last_seen_at == start


def test_disabling_a_user_ends_their_sessions_at_once(app, make_user, runner, session):
    officer = make_user("officer")
    client = _sign_in(app, officer)
    result = runner.invoke(args=["users", "disable", officer.username])
    assert result.exit_code == 0, result.output
    assert "disabled" in result.output
    assert _refused(client)
    assert all(row.ended_at is not None for row in _rows(session, officer))
    again = app.test_client().post("/login", data={"username": officer.username,
                                                   "password": TEST_PASSWORD})
    assert again.status_code == 422


def test_revoking_a_kiosk_account_ends_its_session(app, make_user, session):
    kiosk = make_user("kiosk")
    _sign_in(app, kiosk)
    _sign_in(app, kiosk)
    assert staff_sessions.end_sessions_for_user(session, kiosk.id) == 2
    session.commit()
    assert all(row.ended_at is not None for row in _rows(session, kiosk))


def test_a_new_password_ends_every_session_of_the_user(app, make_user, runner, session):
    officer = make_user("officer")
    desk, phone = _sign_in(app, officer), _sign_in(app, officer)
    result = runner.invoke(args=["users", "set-password", officer.username, "--password-stdin"],
                           input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert _refused(desk) and _refused(phone)
    fresh = app.test_client().post("/login", data={"username": officer.username,
                                                   "password": "a brand new passphrase"})
    assert fresh.status_code == 303


def test_changing_ones_own_password_ends_the_other_sessions_only(app, make_user, session):
    officer = make_user("officer")
    desk, phone = _sign_in(app, officer), _sign_in(app, officer)
    desk.get("/officer/")
    keep = staff_sessions.live(session, _cookie_data(app, desk)["sid"], LIFETIMES).session_id
    accounts.set_password(session, officer.username, "another long passphrase",
                          actor=f"user:{officer.id}", keep_session_id=keep)
    session.commit()
    assert desk.get("/officer/").status_code == 200
    assert _refused(phone)


@pytest.mark.parametrize("args, complaint", [
    (["users", "disable", "nobody"], "no user"),
    (["users", "set-password", "nobody", "--password-stdin"], "no user"),
])
def test_the_user_commands_refuse_unknown_names(runner, args, complaint):
    result = runner.invoke(args=args, input=TEST_PASSWORD + "\n")
    assert result.exit_code == 2
    assert complaint in result.output


def test_set_password_refuses_a_short_one(runner, make_user):
    officer = make_user("officer")
    result = runner.invoke(args=["users", "set-password", officer.username, "--password-stdin"],
                           input="short\n")
    assert result.exit_code == 2
    assert "at least 10" in result.output


def test_logout_ends_the_session_on_the_real_server(tmp_path, worker_name):
    url = fresh_database(f"{worker_name}_sessions", tmp_path)
    with live_server(tmp_path, url, workers=3,
                     users=[("petugas.satu", "officer")], RATE_LIMITS="off") as server:
        with server.client() as browser:
            assert server.login(browser, "petugas.satu", PASSWORD).status_code == 303
            copied = dict(browser.cookies)
            assert browser.get("/officer/").status_code == 200
            page = BeautifulSoup(browser.get("/officer/").text, "html.parser")
            csrf = page.select_one('form[action="/logout"] input[name="csrf_token"]')["value"]
            assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 303
        with server.client() as thief:
            thief.cookies.update(copied)
            answer = thief.get("/officer/")
            assert answer.status_code == 302
            assert answer.headers["Location"].startswith("/login")
