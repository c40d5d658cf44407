"""Real processes for the capture fault test and bench: the portal under gunicorn and a
`rekam-agent`, each in a process group of its own so SIGKILL takes all of it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import threading
import urllib.request
from datetime import timedelta
from pathlib import Path

from app import create_app
from app.capture import packet as packets
from app.capture.agent.store import Store
from app.db import database
from app.domain import accounts
from app.domain.demo import seed_demo
from app.migrate import upgrade
from app.models import Booking, Slot, utcnow
from tests.support.capture import DEMO_UPSTREAM_PUBLIC, synthetic_bio
from tests.support.databases import fresh_database
from tests.support.live_server import ROOT, reserve_port

STATION = "351504-1"


def wait_until(predicate, timeout: float, what: str, poll: float = 0.05):
    """Wait for a state (never for a time): `predicate()` true, or fail after `timeout`."""
    pause = threading.Event()
    deadline = _now() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if _now() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        pause.wait(poll)


def _now() -> float:
    import time

    return time.monotonic()


def kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # it died by itself
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


class PortalWorld:
    """A portal database with N checked-in bookings today, a capture_agent and an officer
    token; `start()` serves it under gunicorn on a fixed port (so it can be killed and
    started again on the same one)."""

    def __init__(self, tmp: Path, name: str, bookings: int, status: str = "checked_in"):
        self.tmp = tmp
        self.url = fresh_database(name, tmp)
        upgrade(self.url)
        listener = reserve_port()
        self.port = listener.getsockname()[1]
        listener.close()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
                    "DATABASE_URL": self.url, "INSTANCE_PATH": str(tmp),
                    "BASE_URL": self.base, "SECRET_KEY": "fault-secret",
                    "DATA_KEY": "fault-data-key", "RATE_LIMITS": "off",
                    "PYTHONUNBUFFERED": "1"}
        self.app = create_app({k: self.env[k] for k in ("DATABASE_URL", "INSTANCE_PATH",
                                                        "SECRET_KEY", "DATA_KEY", "BASE_URL")})
        with self.app.app_context(), database().session() as session:
            seed_demo(session)
            _t, self.agent_token = accounts.mint_token(session, "capture_agent", "351504")
            _t, self.officer_token = accounts.mint_token(session, "officer", "351504")
            self.codes = self._bookings(session, bookings, status)
            session.commit()
        self.process: subprocess.Popen | None = None
        self.log = open(tmp / "portal.log", "a")  # noqa: SIM115 (closed in close())

    @staticmethod
    def _bookings(session, count: int, status: str) -> list[str]:
        # now (to the minute): the roster is the office's today
        starts = utcnow().replace(second=0, microsecond=0)
        slot = Slot(office_code="351504", pool="station", starts_at=starts,
                    ends_at=starts + timedelta(minutes=30), capacity=count, booked=count)
        session.add(slot)
        session.flush()
        codes = [f"FT{n:06d}" for n in range(count)]
        for n, code in enumerate(codes):
            session.add(Booking(code=code, office_code="351504", slot_id=slot.id,
                                service="pemula", status=status,
                                nik_hash=hashlib.sha256(f"fault-{n}".encode()).hexdigest(),
                                nik_last4=f"{n % 10000:04d}", name=f"Warga {n}",
                                checked_in_at=utcnow() if status == "checked_in" else None))
        return codes

    def start(self, workers: int = 2, threads: int = 4) -> None:
        command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind",
                   f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads",
                   str(threads), "--worker-class", "gthread", "--timeout", "60"]
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT,  # noqa: S603
                                        stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        wait_until(self._healthy, 60, "the portal to answer /healthz", poll=0.1)

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError((self.tmp / "portal.log").read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(self.base + "/healthz", timeout=2) as answer:  # noqa: S310
                return answer.status == 200
        except OSError:
            return False

    def kill(self) -> None:
        kill_group(self.process)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            kill_group(self.process)
        self.log.close()
        self.app.extensions["rekam_db"].dispose()

    def session(self):
        return self.app.extensions["rekam_db"].session(write=False)


class AgentProcess:
    def __init__(self, tmp: Path, server: str, token: str, **options):
        self.data = tmp / "agent"
        self.server, self.token = server, token
        self.options = {"heartbeat_s": 0.3, "max_backoff_s": 0.3, "senders": 4,
                        "device_poll_s": 600, **options}
        self.process: subprocess.Popen | None = None
        self.log = open(tmp / "agent.log", "a")  # noqa: SIM115 (closed in close())

    def start(self) -> None:
        command = [sys.executable, "-m", "app.capture.agent.cli", "--station", STATION,
                   "--server", self.server, "--token", self.token, "--data", str(self.data),
                   "--port", "0", "--devices", "1-1"]
        for name, value in self.options.items():
            command += [f"--{name.replace('_', '-')}", str(value)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=self.log,  # noqa: S603
                                        stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        kill_group(self.process)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            kill_group(self.process)
        self.log.close()

    def store(self) -> Store:
        return Store(self.data / "agent.sqlite3")


def synthetic_sealed() -> list[str]:
    return [packets.seal(packets.canonical({"step": "face", "entries": [
        {"bioSubType": "", "bioValue": packets.b64url(synthetic_bio())}]}),
        DEMO_UPSTREAM_PUBLIC)]
