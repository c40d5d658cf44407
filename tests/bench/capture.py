"""Capture benchmarks (issue 16), a module of their own beside the bench runner:

    python -m tests.bench.capture            # both figures, printed
    python -m tests.bench.capture flush      # 1,000 queued records flushed after the link returns
    python -m tests.bench.capture overhead   # agent time per capture beyond the device's own

flush: the portal as `make run` serves it (gunicorn, 2 workers x 4 threads, SQLite unless
TEST_DATABASE_URL), a `rekam-agent` process with its production settings (heartbeat 30 s, a
probe every 5 s while the link is down, backoff up to 60 s) behind a proxy that refuses every
connection; N records are queued and tried at least once, then the link returns: seconds until
the last is acked. Goal ≤ 30 s.

overhead: an agent in this process against the SBI simulator; per capture, the time the agent
spends beyond the device's round trip (verifying the JWS and hash chain, sealing, SQLite).
Goal ≤ 50 ms (median and p95 reported).
"""

from __future__ import annotations

import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

FLUSH_GOAL_S, OVERHEAD_GOAL_MS = 30.0, 50.0


def flush_after_link_returns(records: int = 1000, tmp: Path | None = None) -> dict:
    from app.capture.agent.core import Agent, Settings
    from tests.support.capture_processes import (
        STATION,
        AgentProcess,
        PortalWorld,
        synthetic_sealed,
        wait_until,
    )
    from tests.support.flaky_proxy import FlakyProxy

    tmp = Path(tmp or tempfile.mkdtemp(prefix="rekam-bench-capture-"))
    world = PortalWorld(tmp, f"bench_flush_{secrets.token_hex(3)}", records)
    proxy = FlakyProxy(world.port, 1)
    proxy.healthy.set()
    proxy.start()
    server = f"http://127.0.0.1:{proxy.port}"
    desk = Agent(Settings(station=STATION, server=server, token="-", data=tmp / "agent",
                          ports=()))
    agent = AgentProcess(tmp, server, world.agent_token, heartbeat_s=30.0, max_backoff_s=60.0,
                         probe_s=5.0)
    agent.options.pop("heartbeat_s")
    try:
        world.start()
        agent.start()
        store = agent.store()
        wait_until(lambda: store.setting("key_registered"), 60, "the first heartbeat")
        proxy.down.set()
        for n in range(records):
            desk.enqueue_record(secrets.token_hex(16), world.codes[n], {"n": n},
                                synthetic_sealed())
        wait_until(lambda: store.one("SELECT COUNT(*) FROM outbox WHERE attempts > 0")[0]
                   == records, 300, "every record tried while the link is down")
        proxy.down.clear()
        started = time.monotonic()
        wait_until(lambda: store.one("SELECT COUNT(*) FROM outbox WHERE state = 'acked'")[0]
                   == records, 600, "every record acked", poll=0.1)
        seconds = time.monotonic() - started
        return {"records": records, "seconds": round(seconds, 1), "goal_s": FLUSH_GOAL_S,
                "met": seconds <= FLUSH_GOAL_S,
                "database": "postgresql" if world.url.startswith("postgresql") else "sqlite"}
    finally:
        agent.close()
        world.close()
        proxy.stop()


def agent_overhead(sessions: int = 20, tmp: Path | None = None) -> dict:
    from app.capture.agent.core import STEPS, Agent, Settings
    from app.capture.sim import Simulator
    from tests.support.capture import roster_answer

    tmp = Path(tmp or tempfile.mkdtemp(prefix="rekam-bench-overhead-"))
    sim = Simulator(port=0).start()
    try:
        agent = Agent(Settings(station="351504-1", server="http://127.0.0.1:9", token="-",
                               data=tmp, ports=tuple(sim.ports), options={"freeze_records": 10**6}))
        agent.discover()
        codes = [f"BN{n:06d}" for n in range(sessions)]
        agent.save_roster(roster_answer([(code, "checked_in") for code in codes]))
        overhead, device = [], []
        for code in codes:
            sid = agent.open_session(code, "bench")["id"]
            for step in STEPS:
                started = time.perf_counter()
                agent.capture(sid, step)  # the whole call, answer included ...
                total_ms = (time.perf_counter() - started) * 1000
                device_ms = agent.timings[-1][0]  # ... less the device's round trip
                overhead.append(total_ms - device_ms)
                device.append(device_ms)
            agent.finalize(sid)
        overhead.sort()
        device.sort()
        p95 = overhead[int(len(overhead) * 0.95) - 1]
        return {"captures": len(overhead), "median_ms": round(statistics.median(overhead), 1),
                "p95_ms": round(p95, 1), "device_median_ms": round(statistics.median(device), 1),
                "goal_ms": OVERHEAD_GOAL_MS, "met": p95 <= OVERHEAD_GOAL_MS}
    finally:
        sim.stop()


def main(argv: list[str]) -> int:
    which = argv[1:] or ["flush", "overhead"]
    if "overhead" in which:
        print("agent overhead per capture:", agent_overhead())
    if "flush" in which:
        print("1,000 queued records flushed after the link returns:", flush_after_link_returns())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
