"""The officer's day and a booking's steps in a real browser (issue 13): zero axe violations on
every officer page in its main states, the steps by keyboard alone, and every form with
JavaScript off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, assert_accessible, settle
from tests.support.receipt_bookings import make_booking, random_nik, today_at


def live_bookings(server_env, specs: dict[str, dict]) -> dict[str, tuple[str, str, str | None]]:
    """Bookings in the live server's database, by name: {name: (code, nik, receipt token)}.
    A spec may set `status`, `service`, `pool`, `needs`, `priority`, `recorded` (issue the
    recording receipt) and `blangko` (the office's stock)."""
    import json

    from app import create_app
    from app.db import database
    from app.domain import receipts
    from app.domain.nik import nik_hash
    from app.models import Office, Slot

    app = create_app({"INSTANCE_PATH": server_env["INSTANCE_PATH"],
                      "DATABASE_URL": server_env["DATABASE_URL"]})
    made = {}
    with app.app_context(), database().session(write=True) as session:
        for name, spec in specs.items():
            if "blangko" in spec:
                session.get(Office, "351504").blangko_stock = spec["blangko"]
                continue
            if spec.get("lobby"):  # a kiosk's open help call and a station's capture alarm
                _lobby_and_alarm(session)
                continue
            nik = random_nik()
            hour = 8 if spec.get("pool", "station") == "station" else 7
            booking = make_booking(session, starts_at=today_at(hour), nik=nik, name=name,
                                   status=spec.get("status", "booked"),
                                   service=spec.get("service", "pemula"))
            if spec.get("pool") == "counter":
                slot = session.get(Slot, booking.slot_id)
                slot.pool = "counter"
            # make_booking hashes with the tests' key; the live server has its own.
            booking.nik_hash = nik_hash(nik, app.config["DATA_KEY"].encode())
            booking.needs = json.dumps(spec.get("needs", []))
            booking.priority = spec.get("priority", False)
            token = None
            if spec.get("recorded"):
                from app.models import utcnow
                booking.recorded_at = utcnow() - timedelta(minutes=5)
                token = receipts.issue_receipt(session, booking, "recording",
                                               data_key=app.config["DATA_KEY"]).token
            session.add(booking)
            made[name] = (booking.code, nik, token)
        session.commit()
    app.extensions["rekam_db"].dispose()
    return made


def _lobby_and_alarm(session) -> None:
    from sqlmodel import select

    from app.domain import capture, lobby
    from app.models import Station

    kiosk, _code = lobby.create_pairing(session, "351504", "Anjungan pintu depan", "test")
    lobby.call_help(session, kiosk)
    station = session.exec(select(Station).where(Station.office_code == "351504",
                                                 Station.pool == "station")).first()
    capture.heartbeat(session, station, agent_version="t", outbox_queued=0, station_key=None,
                      devices=[{"kind": "iris", "status": "not_ready"}])


@pytest.fixture(scope="module")
def day(server_env, live_server):
    return live_bookings(server_env, {
        "stock": {"blangko": 0},
        "lobby": {"lobby": True},
        "Ani Dipesan": {"needs": ["wheelchair", "sign_language"], "priority": True},
        "Budi Hadir": {"status": "checked_in"},
        "Citra Direkam": {"status": "recorded", "recorded": True},
        "Dewi Siap": {"status": "card_ready", "recorded": True},
        "Eko Loket": {"status": "checked_in", "service": "hilang", "pool": "counter"},
        "Fajar Tanpa JS": {},
        "Gita Papan Ketik": {},
    })


@pytest.mark.parametrize("width", PHONE)
def test_every_officer_page_has_no_axe_violations_in_its_main_states(new_page, staff_login,
                                                                     day, width):
    page = new_page(width=width)
    staff_login(page, "officer")
    page.goto("/officer/")
    expect(page.locator("#blangko-empty")).to_be_visible()
    expect(page.locator("table.day-list")).to_contain_text("Kursi roda")
    expect(page.locator("#help-calls")).to_contain_text("Anjungan pintu depan")
    expect(page.locator("#station-alarms")).to_be_visible()
    assert_accessible(page)
    page.goto("/officer/?q=tidak-ada-nama-ini")
    expect(page.locator("#no-rows")).to_be_visible()
    assert_accessible(page)
    for name in ("Ani Dipesan", "Budi Hadir", "Citra Direkam", "Dewi Siap", "Eko Loket"):
        page.goto(f"/officer/booking/{day[name][0]}")
        expect(page.locator("h1")).to_contain_text(day[name][0][:4])
        assert_accessible(page)
    # A failed form (422, error summary) and a refused step (409, what is allowed now).
    page.goto(f"/officer/booking/{day['Ani Dipesan'][0]}")
    page.click("#step-check_in-title ~ form button[type=submit]")
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/officer/booking/{day['Citra Direkam'][0]}")
    page.click("#step-card_ready-title ~ form button[type=submit]")
    expect(page.locator("#refusal")).to_contain_text("Suket")
    assert_accessible(page)


def test_an_officer_checks_in_and_records_by_keyboard_alone(new_page, staff_login, day):
    page = new_page()
    staff_login(page, "officer")
    code, nik, _token = day["Gita Papan Ketik"]
    page.goto("/officer/")
    page.keyboard.press("Tab")
    for _ in range(60):  # tab to the search field, type the code, submit with Enter
        if page.evaluate("document.activeElement.id") == "q":
            break
        page.keyboard.press("Tab")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    settle(page)
    link = page.locator(f"a[href='/officer/booking/{code}']")
    expect(link).to_be_visible()
    link.focus()
    page.keyboard.press("Enter")
    settle(page)
    for _ in range(60):
        if page.evaluate("document.activeElement.id") == "check_in-nik":
            break
        page.keyboard.press("Tab")
    page.keyboard.type(nik)
    page.keyboard.press("Enter")
    expect(page.locator("#step-done")).to_contain_text("Kedatangan dicatat")
    for _ in range(60):
        if page.evaluate("document.activeElement.textContent.trim()") == "Selesai direkam":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#step-done")).to_contain_text("Tanda terima perekaman")


def test_every_officer_form_works_without_javascript(new_page, staff_login, day):
    page = new_page(javascript=False)
    staff_login(page, "officer")
    code, nik, _token = day["Fajar Tanpa JS"]
    page.goto("/officer/")
    page.select_option("#status", "booked")
    page.fill("#q", "Fajar")
    page.click(".day-filter button[type=submit]")
    page.click(f"a[href='/officer/booking/{code}']")
    page.fill("#check_in-nik", nik)
    page.click("#step-check_in-title ~ form button[type=submit]")
    expect(page.locator("#step-done")).to_be_visible()
    for step in ("in_capture", "recorded"):
        page.click(f"#step-{step}-title ~ form button[type=submit]")
        expect(page.locator("#step-done")).to_be_visible()
    page.fill("#suket-on", "2026-12-01")
    page.click("#step-suket-title ~ form button[type=submit]")
    expect(page.locator("#booking-status")).to_have_text("Sudah direkam")
    # The office is out of blank cards: printing is refused and says what to do.
    page.click("#step-card_ready-title ~ form button[type=submit]")
    expect(page.locator("#refusal")).to_be_visible()
    eko = day["Eko Loket"][0]
    page.goto(f"/officer/booking/{eko}")
    page.click("#step-served-title ~ form button[type=submit]")
    expect(page.locator("#step-done")).to_contain_text("Tanda terima layanan")
    page.check("#central_rejected-reason-0")
    page.click("#step-central_rejected-title ~ form button[type=submit]")
    expect(page.locator("#booking-status")).to_have_text("Ditolak sistem pusat")
    dewi_code, dewi_nik, _dewi_token = day["Dewi Siap"]
    page.goto(f"/officer/booking/{dewi_code}")
    page.fill("#collected-nik", dewi_nik)
    page.fill("#collected-lost_reason", "Tanda terima hilang")
    page.click("#step-collected-title ~ form button[type=submit]")
    expect(page.locator("#booking-status")).to_have_text("Kartu sudah diambil")
