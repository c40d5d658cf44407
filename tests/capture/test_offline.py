"""Offline end to end (CAPTURE.md §3): the roster is pulled while the link is up; then the link
goes down; the person arrives, is checked in at the desk against the roster, recorded, and
handed a provisional tanda terima that /v/ verifies as "provisional — record not yet received";
when the link returns the record arrives, the booking (still `booked` at the portal) becomes
`recorded`, and the portal's recording receipt supersedes the provisional one."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import select

from app.capture.agent.core import STEPS, Agent, AgentError, Settings
from app.capture.sim import Simulator
from app.models import Booking, Receipt
from tests.support.capture_processes import STATION, PortalWorld, wait_until
from tests.support.flaky_proxy import FlakyProxy

pytestmark = [pytest.mark.db, pytest.mark.slow]


def test_the_desk_records_while_the_link_is_down(tmp_path):
    world = PortalWorld(tmp_path, "offline", 1, status="booked")
    proxy = FlakyProxy(world.port, 1)
    proxy.healthy.set()
    proxy.start()
    sim = Simulator(port=0).start()
    agent = Agent(Settings(station=STATION, server=f"http://127.0.0.1:{proxy.port}",
                           token=world.agent_token, data=tmp_path / "agent",
                           ports=tuple(sim.ports), options={"heartbeat_s": 0.3, "probe_s": 0.3}))
    code = world.codes[0]
    try:
        world.start(workers=1)
        agent.start()
        wait_until(lambda: agent.roster(), 60, "the roster pulled while the link is up")
        proxy.healthy.clear()
        proxy.down.set()
        wait_until(lambda: not agent.health()["server_reachable"], 30, "the link seen down")
        with pytest.raises(AgentError, match="not_checked_in"):
            agent.open_session(code, "Ani")
        agent.desk_check_in(code, "3515045203700000")  # the roster's last four: 0000
        sid = agent.open_session(code, "Ani")["id"]
        for step in STEPS:
            assert agent.capture(sid, step)["passed"]
        receipt = agent.finalize(sid)
        assert agent.health()["outbox"]["queued"] == 1
        page = httpx.get(f"{world.base}/v/{receipt['provisional_token']}", timeout=60).text
        assert "rekaman belum diterima portal" in page
        with world.session() as session:
            assert session.exec(select(Booking).where(Booking.code == code)).one().status == \
                "booked"

        proxy.down.clear()
        proxy.healthy.set()
        wait_until(lambda: agent.outbox()[0]["state"] == "acked", 60, "the record acked")
        with world.session() as session:
            booking = session.exec(select(Booking).where(Booking.code == code)).one()
            assert booking.status == "recorded"
            recording = session.exec(select(Receipt).where(Receipt.booking_id == booking.id,
                                                           Receipt.kind == "recording")).one()
        page = httpx.get(f"{world.base}/v/{receipt['provisional_token']}", timeout=60).text
        assert "Sudah diganti" in page
        verified = httpx.get(f"{world.base}/api/v1/verify/{recording.token}", timeout=60).json()
        assert (verified["genuine"], verified["status"]) == (True, "valid")
    finally:
        agent.stop()
        sim.stop()
        world.close()
        proxy.stop()
