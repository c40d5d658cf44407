"""The fault test (issue 16): a proxy between agent and portal drops, delays, duplicates and
resets connections, and both processes are killed with SIGKILL and started again at random
points: 1,000 finalized records → exactly 1,000 stored, none twice, none lost; the same records
re-imported from a bundle add nothing.

Kill points are states (so many records acked), never times; the randomness is seeded and the
seed printed, so a failure can be replayed with FAULT_SEED."""

from __future__ import annotations

import io
import os
import random
import secrets

import httpx
import pytest
import sqlalchemy as sa

from app.capture.agent.core import Agent, Settings
from app.models import Booking, CaptureRecord, Receipt
from tests.support.capture_processes import (
    STATION,
    AgentProcess,
    PortalWorld,
    synthetic_sealed,
    wait_until,
)
from tests.support.flaky_proxy import FlakyProxy

pytestmark = [pytest.mark.db, pytest.mark.slow]
RECORDS = int(os.environ.get("FAULT_RECORDS", "1000"))


def test_every_record_arrives_exactly_once_through_faults_and_kills(tmp_path, worker_name):
    seed = int(os.environ.get("FAULT_SEED") or secrets.randbelow(10**6))
    print(f"FAULT_SEED={seed}")
    rng = random.Random(seed)
    world = PortalWorld(tmp_path, f"{worker_name}_fault", RECORDS)
    proxy = FlakyProxy(world.port, seed).start()
    server = f"http://127.0.0.1:{proxy.port}"
    # The finalize step's own write (Agent.enqueue_record) from beside the agent process, on
    # its SQLite file; it also makes the station key the agent process then loads.
    desk = Agent(Settings(station=STATION, server=server, token="-", data=tmp_path / "agent",
                          ports=()))
    agent = AgentProcess(tmp_path, server, world.agent_token)
    try:
        world.start()
        agent.start()
        store = agent.store()

        def acked() -> int:
            return store.one("SELECT COUNT(*) FROM outbox WHERE state = 'acked'")[0]

        kills = sorted([(rng.randint(RECORDS // 20, RECORDS * 9 // 10), who)
                        for who in ("agent", "portal") for _ in range(3)])
        enqueued = 0
        for threshold, who in kills:
            while enqueued < min(RECORDS, threshold + RECORDS // 10):
                desk.enqueue_record(secrets.token_hex(16), world.codes[enqueued],
                                    {"steps": {}, "n": enqueued}, synthetic_sealed())
                enqueued += 1
            wait_until(lambda t=threshold: acked() >= t, 120, f"{threshold} acked")
            target = agent if who == "agent" else world
            target.kill()
            target.start()
        while enqueued < RECORDS:
            desk.enqueue_record(secrets.token_hex(16), world.codes[enqueued], {"n": enqueued},
                                synthetic_sealed())
            enqueued += 1
        wait_until(lambda: acked() == RECORDS, 180, "every record acked")

        assert store.one("SELECT COUNT(*) FROM outbox WHERE state <> 'acked'")[0] == 0
        assert all(proxy.counts[f] > 0 for f in ("drop", "delay", "duplicate",
                                                 "reset_before", "reset_after")), proxy.counts
        with world.session() as session:
            stored = session.scalar(sa.select(sa.func.count()).select_from(CaptureRecord)
                                    .where(CaptureRecord.stored_at.is_not(None)))
            announced = session.scalar(sa.select(sa.func.count()).select_from(CaptureRecord))
            recorded = session.scalar(sa.select(sa.func.count()).select_from(Booking)
                                      .where(Booking.status == "recorded"))
            receipts = session.execute(
                sa.select(Receipt.booking_id, sa.func.count()).where(Receipt.kind == "recording")
                .group_by(Receipt.booking_id)).all()
        assert (stored, announced, recorded) == (RECORDS, RECORDS, RECORDS)
        assert len(receipts) == RECORDS and {n for _, n in receipts} == {1}  # none twice

        # the same records again, on a flashdisk: nothing new
        proxy.healthy.set()
        bundle = desk.export_bundle(tmp_path / "bundles", include_acked=True)
        with open(bundle["path"], "rb") as data:
            answer = httpx.post(f"{world.base}/api/v1/capture/bundles", timeout=120,
                                headers={"Authorization": f"Bearer {world.officer_token}"},
                                files={"bundle": ("bundle.zip", io.BytesIO(data.read()))})
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert (len(report["new"]), len(report["duplicate"]), report["rejected"]) == (
            0, RECORDS, [])
        with world.session() as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(Receipt)
                                  .where(Receipt.kind == "recording")) == RECORDS
    finally:
        agent.close()
        world.close()
        proxy.stop()
