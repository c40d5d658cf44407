"""With REDIS_URL set, the job queue is that Redis (DESIGN §2): a job one process enqueues
through app.jobs waits in Redis and another process (the consumer's part) runs it.

Needs a real redis-server: TEST_REDIS_URL (`.ci/run` starts one and always sets it).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import create_engine
from sqlmodel import Session, select

from app.models import Draft, utcnow
from tests.support.live_server import ROOT, cli
from tests.support.redis_server import needs_redis, redis_url

pytestmark = [pytest.mark.xdist_group("live-limits"), needs_redis]

ENQUEUE = """
from huey import RedisHuey
from app.jobs import drafts, huey
assert isinstance(huey, RedisHuey), type(huey)
drafts()
print(huey.pending_count())
"""
CONSUME = """
from app.jobs import huey
task = huey.dequeue()
huey.execute(task)
print(task.name, huey.pending_count())
"""


def _python(env: dict, code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.split()


def test_a_job_enqueued_with_redis_url_waits_in_redis_and_runs(tmp_path):
    import redis

    url = redis_url(2)
    store = redis.Redis.from_url(url)
    store.flushdb()
    database = f"sqlite:///{tmp_path / 'rekam.sqlite3'}"
    env = {**os.environ, "REDIS_URL": url, "DATABASE_URL": database,
           "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "s", "DATA_KEY": "d"}
    cli(env, "db-upgrade")
    engine = create_engine(database)
    with Session(engine) as session:
        session.add(Draft(id="stale-draft", kind="booking",
                          expires_at=utcnow() - timedelta(minutes=1)))
        session.commit()

    assert _python(env, ENQUEUE) == ["1"]
    assert store.llen("huey.redis.rekam") == 1  # the job waits in Redis, not in a local file
    assert not (tmp_path / "jobs.sqlite3").exists()

    assert _python(env, CONSUME) == ["drafts", "0"]
    with Session(engine) as session:
        assert session.exec(select(Draft).where(Draft.id == "stale-draft")).first() is None
    engine.dispose()
