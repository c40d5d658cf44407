"""The lobby in Debian's chromium against the real server: every kiosk door and state, the
ticket page and the board with zero axe violations; check-in by keyboard; the 80 mm print; the
idle reset; refusals of unpaired and revoked kiosks; the board's live call and its
"menyambungkan ulang" when the server stops."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible, settle
from tests.support.live_server import cli, reserve_port, serving
from tests.support.niks import fresh_nik
from tests.support.receipt_bookings import make_booking, make_slot, today_at


@contextlib.contextmanager
def live_db(server_env):
    """A session on the live server's own database, with its DATA_KEY."""
    from app import create_app
    from app.db import database

    app = create_app({"INSTANCE_PATH": server_env["INSTANCE_PATH"],
                      "DATABASE_URL": server_env["DATABASE_URL"]})
    with app.app_context(), database().session(write=True) as session:
        yield app, session
        session.commit()
    app.extensions["rekam_db"].dispose()


def booked_today(server_env) -> tuple[str, str]:
    """(booking code, NIK) of a booking for today in the live database."""
    nik = fresh_nik()
    with live_db(server_env) as (app, session):
        booking = make_booking(session, starts_at=today_at(8), nik=nik, name="Rahasia Sekali",
                               data_key=app.config["DATA_KEY"])
        code = booking.code
    return code, nik


@pytest.fixture(scope="module")
def walk_in_place(server_env, live_server):
    """A slot under way now, so walk-ins have a place today."""
    with live_db(server_env) as (_app, session):
        make_slot(session, datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3))


def pair(new_page, server_env, width=1280, **options):
    """A browser page paired as a kiosk through the pair-kiosk link; (page, kiosk id)."""
    output = cli(server_env, "pair-kiosk", "--office", "351504", "--name", "Anjungan uji")
    kiosk_id = re.search(r"^kiosk (\d+)", output, re.M).group(1)
    page = new_page(width=width, **options)
    page.goto(output.strip().splitlines()[-1])
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Selamat datang. Pilih salah satu:")
    return page, kiosk_id


def test_an_unpaired_browser_and_a_revoked_kiosk_are_refused(new_page, server_env):
    stranger = new_page()
    stranger.goto("/kiosk/")
    expect(stranger.locator("h1")).to_have_text("Perangkat ini bukan anjungan")
    assert_accessible(stranger)
    page, kiosk_id = pair(new_page, server_env)
    cli(server_env, "revoke-kiosk", kiosk_id)
    page.reload()
    expect(page.locator("h1")).to_have_text("Perangkat ini bukan anjungan")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_kiosk_door_and_state_has_no_axe_violations(new_page, server_env, walk_in_place,
                                                         lang):
    page, _kiosk = pair(new_page, server_env)
    page.goto(f"/kiosk/?lang={lang}")
    assert_accessible(page)
    code, nik = booked_today(server_env)
    page.goto("/kiosk/sudah-daftar")
    assert_accessible(page)
    page.click("form.kiosk-form button[type=submit]")  # nothing typed: the error state
    settle(page)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.fill("#code", code)
    page.click("form.kiosk-form button[type=submit]")
    expect(page.locator(".number-pad")).to_be_visible()
    assert_accessible(page)
    page.fill("#nik", "3515040101700001")  # not the holder's
    page.click("form.kiosk-form button[type=submit]")
    settle(page)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.goto("/kiosk/belum-daftar")
    assert_accessible(page)
    page.click("form.kiosk-form button[type=submit]")
    settle(page)
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.goto("/kiosk/")
    page.click("form.kiosk-door-form button")
    expect(page.locator("h1")).to_have_text(re.compile("Petugas segera datang|An officer"))
    assert_accessible(page)


def test_a_booked_person_checks_in_by_keyboard_and_gets_an_80mm_ticket(new_page, server_env):
    page, _kiosk = pair(new_page, server_env)
    code, nik = booked_today(server_env)
    page.keyboard.press("Tab")  # skip link
    focused = ""
    for _ in range(8):  # to the first door, by keyboard only
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        if "Saya sudah daftar" in focused:
            break
    assert "Saya sudah daftar" in focused
    page.keyboard.press("Enter")
    page.wait_for_url("**/kiosk/sudah-daftar")
    expect(page.locator("#code")).to_be_focused()
    page.keyboard.type(code)  # the field has focus, as a USB scanner needs
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Ketik NIK Anda")
    expect(page.locator("#nik")).to_be_focused()
    page.keyboard.type(nik)
    page.keyboard.press("Enter")
    page.wait_for_url("**/kiosk/tiket/*")
    number = page.locator(".ticket-number").inner_text()
    assert re.search(r"[PA]-\d{3}", number)
    assert "Rahasia" not in page.content() and nik not in page.content()
    assert_accessible(page)
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden() and page.locator("h1").is_hidden()
    slip = page.locator(".ticket-slip").bounding_box()
    assert slip["width"] <= 80 / 25.4 * 96  # fits 80 mm paper
    expect(page.locator(".ticket-qr img")).to_be_visible()
    page.emulate_media(media="screen")
    page.click("button:has-text('Beri penilaian')")  # the survey slip, shown once
    expect(page.locator(".survey-slip-code")).to_be_visible()
    assert_accessible(page)


def test_the_idle_reset_clears_the_page_and_the_session(new_page, server_env):
    page, _kiosk = pair(new_page, server_env)
    page.clock.install()
    page.goto("/kiosk/sudah-daftar")
    page.fill("#code", "ABCD")
    page.clock.fast_forward(61_000)
    dialog = page.locator("#kiosk-idle")
    expect(dialog).to_be_visible()
    expect(page.locator("#kiosk-idle-count")).to_have_text(re.compile(r"1[0-5]"))
    assert_accessible(page)
    page.click("#kiosk-idle-continue")  # "Lanjutkan" keeps what was typed
    expect(dialog).to_be_hidden()
    assert page.input_value("#code") == "ABCD"
    # What a walk-in whose day was full leaves: its draft's id in the signed session.
    with live_db(server_env) as (app, _session):
        signed = app.session_interface.get_signing_serializer(app).dumps(
            {"kiosk_draft": "a-draft-id"})
    host = re.match(r"https?://([^:/]+)", page.url).group(1)
    page.context.add_cookies([{"name": "rekam_session", "value": signed, "domain": host,
                               "path": "/", "httpOnly": True}])
    page.clock.fast_forward(61_000)
    expect(dialog).to_be_visible()
    page.clock.fast_forward(16_000)
    page.wait_for_url(re.compile(r"/kiosk/$"))
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert "rekam_kiosk" in cookies  # the device stays paired
    with live_db(server_env) as (app, _session):  # the start screen's fresh session: no draft
        serializer = app.session_interface.get_signing_serializer(app)
        fresh = serializer.loads(cookies["rekam_session"]) if "rekam_session" in cookies else {}
    assert "kiosk_draft" not in fresh
    page.go_back()
    assert "ABCD" not in page.content()


def test_a_walk_in_gets_a_ticket_and_its_status_page_on_the_phone(new_page, server_env,
                                                                  walk_in_place, live_server):
    page, _kiosk = pair(new_page, server_env)
    page.goto("/kiosk/belum-daftar")
    page.check("#service-0")
    page.fill("#nik", fresh_nik())
    page.fill("#name", "Wati")
    page.select_option("#desa", "3515041003")
    page.click("form.kiosk-form button[type=submit]")
    page.wait_for_url("**/kiosk/tiket/*")
    assert_accessible(page)
    status_url = page.locator(".ticket-url").inner_text()
    phone = new_page(width=PHONE[0])
    phone.goto(status_url)
    expect(phone.locator("h1")).to_contain_text("Nomor antrean")
    assert_accessible(phone)
    offline = new_page(width=PHONE[0], javascript=False)
    offline.goto(status_url)
    expect(offline.locator("#ticket-status")).to_contain_text(re.compile("menit|berikutnya"))


def _call_next(server_env, counter="351504-2") -> str:
    from app.domain import queue
    from app.models import Office

    with live_db(server_env) as (_app, session):
        ticket = queue.call_next(session, session.get(Office, "351504"), counter, "test")
        return queue.display_number(ticket.lane, ticket.number)


def test_the_board_shows_a_call_within_five_seconds(new_page, server_env):
    page = new_page()
    page.goto("/display/351504")
    assert_accessible(page)
    code, nik = booked_today(server_env)
    from app.domain.booking import find_current
    from app.domain.checkin import check_in
    with live_db(server_env) as (app, session):
        check_in(session, find_current(session, code), "test", nik,
                 data_key=app.config["DATA_KEY"])
    number = _call_next(server_env)
    expect(page.locator(".board-call-latest .board-number")).to_have_text(number, timeout=5000)
    assert "Rahasia" not in page.content()
    assert_accessible(page)


def test_the_board_says_reconnecting_when_the_server_stops(new_page, server_env):
    listener = reserve_port()
    port = listener.getsockname()[1]
    log = Path(server_env["INSTANCE_PATH"]) / "board-server.log"
    page = new_page()
    with serving(listener, {**server_env, "BASE_URL": f"http://127.0.0.1:{port}"}, log,
                 workers=1, threads=2) as base:
        page.goto(f"{base}/display/351504")
        expect(page.locator("#board-offline")).to_be_hidden()
        shown = page.locator("#board").inner_text()
    expect(page.locator("#board-offline")).to_be_visible(timeout=10_000)
    expect(page.locator("#board-offline")).to_contain_text("Menyambungkan ulang")
    assert page.locator("#board").inner_text() == shown  # the last state stays
