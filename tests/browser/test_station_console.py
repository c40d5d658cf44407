"""The station console in a browser (issue 16 acceptance): a full recording against the SBI
simulator — six steps, one low-quality retry, one forced accept, one finger exception, and a
device that goes Not Ready on the way — then the booking is `recorded` at the portal and its
recording receipt verifies at /v/{token}. Every console page: zero axe violations, at 320 px."""

from __future__ import annotations

import threading

import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from app.capture.agent.core import Agent, Settings
from app.capture.agent.web import create_agent_app
from app.capture.sim import Simulator
from app.models import Booking, Receipt
from tests.browser.conftest import CHROMIUM, assert_accessible, settle
from tests.support.capture_processes import STATION, PortalWorld, wait_until


@pytest.fixture
def station(tmp_path):
    world = PortalWorld(tmp_path, "console", 1)
    sim = Simulator(port=0).start()
    agent = Agent(Settings(station=STATION, server=world.base, token=world.agent_token,
                           data=tmp_path / "agent", ports=tuple(sim.ports),
                           options={"heartbeat_s": 0.5, "device_poll_s": 1.0}))
    server = make_server("127.0.0.1", 0, create_agent_app(agent), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        world.start(workers=1)
        agent.start()
        thread.start()
        yield world, sim, agent, f"http://127.0.0.1:{server.server_port}"
    finally:
        agent.stop()
        server.shutdown()
        sim.stop()
        world.close()


def test_a_full_recording_from_the_console(browser, station):
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip("no chromium")
    world, sim, agent, console = station
    code = world.codes[0]
    wait_until(lambda: any(r["code"] == code for r in agent.roster()), 60, "the roster")
    context = browser.new_context(viewport={"width": 320, "height": 900}, base_url=console)
    page = context.new_page()

    def click(name: str):
        page.get_by_role("button", name=name, exact=True).click()
        settle(page)

    page.goto("/")
    assert_accessible(page)
    page.fill(f"#op-{code}", "Petugas Ani")
    page.get_by_role("button", name="Mulai rekam").click()
    settle(page)
    assert_accessible(page)
    # the camera goes Not Ready: the console says so, and the next good attempt resumes
    sim.device("Face").status = "Not Ready"
    click("Ambil Foto wajah")
    assert "Alat tidak siap" in page.locator("#step-face [role=alert]").inner_text()
    sim.device("Face").status = "Ready"
    click("Ambil Foto wajah")
    click("Ambil Tanda tangan")
    # one low-quality retry
    sim.device("Finger").score = 30.0
    click("Ambil Empat jari kiri")
    assert page.locator("#step-slap_left [role=status]").count() == 1
    sim.device("Finger").score = 85.0
    click("Ambil Empat jari kiri")
    # one forced accept after the attempts run out
    sim.device("Finger").score = 30.0
    for _ in range(3):
        click("Ambil Empat jari kanan")
    page.fill("#reason-slap_right", "Jari kering, sudah dibersihkan dan dicoba tiga kali")
    click("Terima hasil terbaik")
    # one finger exception
    page.select_option("#subtype", "Left Thumb")
    click("Catat pengecualian")
    sim.device("Finger").score = 85.0
    click("Ambil Dua ibu jari")
    click("Ambil Iris mata")
    click("Ambil Foto pengecualian")
    assert_accessible(page)
    click("Selesaikan dan simpan rekaman")
    assert page.locator("h1").inner_text() == "Tanda terima sementara"
    assert_accessible(page)

    def recorded():
        with world.session() as session:
            booking = session.exec(select(Booking).where(Booking.code == code)).one()
            if booking.status != "recorded":
                return None
            return session.exec(select(Receipt).where(Receipt.booking_id == booking.id,
                                                      Receipt.kind == "recording")).one()

    receipt = wait_until(recorded, 60, "the booking recorded at the portal")
    page.goto("/kirim")
    assert page.locator("[data-state=acked]").count() == 1
    assert_accessible(page)
    page.goto(f"{world.base}/v/{receipt.token}")
    assert page.locator(".verdict-word").inner_text() == "ASLI"
    assert page.locator(".verdict-reason").get_attribute("data-status") == "valid"
    context.close()
