"""No biometric value in clear anywhere in the portal (issue 16): after full recordings through
the agent against the SBI simulator, the portal's database, its log and every file it stored
are searched for every bio value the simulator handed out (raw, base64url and hex) and for the
simulator's marker."""

from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa

from app.capture.agent.core import STEPS, Agent, Settings
from app.capture.sbi import b64url_decode
from app.capture.sim import SYNTHETIC_MARKER, Simulator
from tests.support.capture_processes import STATION, PortalWorld, wait_until

pytestmark = [pytest.mark.db, pytest.mark.slow]


def _needles(sim: Simulator) -> list[bytes]:
    needles = [SYNTHETIC_MARKER, base64.b64encode(SYNTHETIC_MARKER)[:24],
               SYNTHETIC_MARKER.hex().encode()]
    for device in sim.devices:
        for value in device.issued:
            raw = b64url_decode(value)
            needles += [value.encode(), raw, base64.b64encode(raw), raw.hex().encode(),
                        raw.hex().upper().encode()]
    return needles


def _database_bytes(world: PortalWorld) -> bytes:
    """Every value of every column of every table, as the database gives them back."""
    chunks = []
    with world.session() as session:
        for table in sa.inspect(session.get_bind()).get_table_names():
            for row in session.execute(sa.text(f'SELECT * FROM "{table}"')):  # noqa: S608
                for value in row:
                    chunks.append(value if isinstance(value, bytes) else
                                  memoryview(value).tobytes() if isinstance(value, memoryview)
                                  else str(value).encode())
    return b"\n".join(chunks)


def test_the_portal_never_holds_a_biometric_value_in_clear(tmp_path):
    world = PortalWorld(tmp_path, "noclear", 3)
    sim = Simulator(port=0).start()
    agent = Agent(Settings(station=STATION, server=world.base, token=world.agent_token,
                           data=tmp_path / "agent", ports=tuple(sim.ports),
                           options={"heartbeat_s": 0.3}))
    try:
        world.start(workers=1)
        agent.start()
        wait_until(lambda: len(agent.roster()) == 3, 60, "the roster")
        for code in world.codes:
            sid = agent.open_session(code, "Ani")["id"]
            agent.add_exception(sid, "Left Thumb", "permanent")
            for step in (*STEPS, "exception_photo"):
                agent.capture(sid, step)
            agent.finalize(sid)
        wait_until(lambda: all(r["state"] == "acked" for r in agent.outbox()), 60,
                   "every record acked")
        # the agent also had a bundle exported and imported: its files too
        bundle = agent.export_bundle(tmp_path / "bundles", include_acked=True)
        import httpx

        with open(bundle["path"], "rb") as data:
            imported = httpx.post(f"{world.base}/api/v1/capture/bundles", files={"bundle": data},
                                  headers={"Authorization": f"Bearer {world.officer_token}"})
        assert imported.status_code == 200 and len(imported.json()["duplicate"]) == 3
        needles = _needles(sim)
        assert len(needles) > 50  # the simulator did hand out values
        haystacks = {"database": _database_bytes(world)}
        for path in world.tmp.rglob("*"):  # the portal's instance: its files and its log
            if path.is_file() and "agent" not in path.parts and "bundles" not in path.parts:
                haystacks[str(path)] = path.read_bytes()
        assert any("portal.log" in name for name in haystacks)
        found = [(name, needle[:20]) for name, hay in haystacks.items() for needle in needles
                 if needle in hay]
        assert not found, found
    finally:
        agent.stop()
        sim.stop()
        world.close()
