"""The real redis-server for tests that need one: TEST_REDIS_URL (`.ci/run` starts one and
always sets it). Locally such tests skip with the reason; under CI=true a missing Redis fails."""

from __future__ import annotations

import os

import pytest

SKIP_REASON = ("TEST_REDIS_URL is not set (apt-get install redis-server; redis-server --port "
               "PORT --save ''; TEST_REDIS_URL=redis://127.0.0.1:PORT/0 — .ci/run does this)")
missing = not os.environ.get("TEST_REDIS_URL") and os.environ.get("CI") != "true"
needs_redis = pytest.mark.skipif(missing, reason=SKIP_REASON)


def redis_url(db: int) -> str:
    """TEST_REDIS_URL with database number `db`, emptied: each use gets a database of its own."""
    import redis

    base = os.environ.get("TEST_REDIS_URL")
    if not base:
        pytest.fail("CI=true but TEST_REDIS_URL is not set: .ci/run must start redis-server")
    base = base.rstrip("/")
    if base.count("/") > 2:  # redis://host:port/N: drop the N
        base = base.rsplit("/", 1)[0]
    url = f"{base}/{db}"
    redis.Redis.from_url(url).flushdb()
    return url
