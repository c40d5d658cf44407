"""One survey code sent from many phones at once counts once (issue 17): the token is spent by
a single conditional UPDATE in the answer's own transaction, so exactly one answer is stored
and every other sender is told, in plain words, that the code was used. Through the real server
(gunicorn, 2 processes × 8 threads), threads behind a barrier; SQLite here, PostgreSQL when
TEST_DATABASE_URL is set (`make test-db`)."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from sqlalchemy import create_engine

from app import create_app
from app.db import database
from app.domain import ikm
from app.models import SurveyAnswer, SurveyResponse, SurveyToken
from tests.support.databases import fresh_database
from tests.support.live_server import cli, reserve_port, serving

pytestmark = [pytest.mark.db, pytest.mark.xdist_group("races")]
SENDERS = 12


@pytest.fixture(scope="module")
def server(worker_name, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("survey-races")
    url = fresh_database(f"{worker_name}_survey_races", tmp)
    listener = reserve_port()
    env = {**os.environ, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp), "RATE_LIMITS": "off",
           "BASE_URL": f"http://127.0.0.1:{listener.getsockname()[1]}",
           "SECRET_KEY": "race-secret", "DATA_KEY": "race-data-key", "PYTHONUNBUFFERED": "1"}
    cli(env, "seed-demo")
    with serving(listener, env, tmp / "server.log", workers=2, threads=8) as base:
        yield base, env


def _issue(env) -> str:
    app = create_app({k: env[k] for k in ("DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY",
                                          "DATA_KEY", "BASE_URL")})
    with app.app_context(), database().session(write=True) as session:
        [token] = ikm.issue_survey_tokens(session, "351504")
        session.commit()
    app.extensions["rekam_db"].dispose()
    return token


def test_one_code_answered_from_many_phones_at_once_counts_once(server):
    base, env = server
    token = _issue(env)
    phones = []
    for _ in range(SENDERS):  # each phone opened the survey with the code and got its form
        client = httpx.Client(base_url=base, timeout=60)
        questions = BeautifulSoup(client.get("/survei", params={"kode": token}).text,
                                  "html.parser")
        phones.append((client, questions.select_one('input[name="csrf_token"]')["value"]))
    barrier = threading.Barrier(SENDERS)

    def send(phone):
        client, csrf = phone
        barrier.wait()
        answer = client.post("/survei", data={"kode": token, "csrf_token": csrf,
                                              **{c: "3" for c in ikm.DEFAULT_ELEMENTS}})
        return answer.status_code, answer.text

    with ThreadPoolExecutor(SENDERS) as pool:
        results = list(pool.map(send, phones))
    for client, _csrf in phones:
        client.close()
    statuses = sorted(status for status, _text in results)
    assert statuses == [303] + [409] * (SENDERS - 1)
    assert all("sudah dipakai" in text for status, text in results if status == 409)
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(SurveyResponse)).scalar()
        answers = conn.execute(sa.select(sa.func.count()).select_from(SurveyAnswer)).scalar()
        used = conn.execute(sa.select(SurveyToken.used)).scalars().all()
    engine.dispose()
    assert (count, answers, used) == (1, len(ikm.DEFAULT_ELEMENTS), [True])
