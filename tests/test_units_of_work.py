"""One unit of work per request (app/db.py): a read request reads; a step it cannot skip writes
in a short transaction of its own and is then seen; a write request's step joins its one
transaction, which the view commits. Committed data, so a database of its own."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from app import create_app
from app.db import database, get_session, reading, write_step
from app.domain import capacity
from app.domain.demo import seed_demo
from app.migrate import upgrade
from app.models import Office, Slot, utcnow
from tests.support.databases import fresh_database

pytestmark = [pytest.mark.db, pytest.mark.xdist_group("units_of_work")]
COUNT = select(func.count(Slot.id))


@pytest.fixture(scope="module")
def own_app(worker_name, tmp_path_factory):
    url = fresh_database(f"{worker_name}_units", tmp_path_factory.mktemp("units"))
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path_factory.mktemp("i")),
                      "SECRET_KEY": "s", "DATA_KEY": "d", "RATE_LIMITS": "off"})
    with app.app_context(), database().session() as session:
        seed_demo(session)
        session.commit()
    yield app
    app.extensions["rekam_db"].dispose()


def _horizon(writer) -> int:
    return capacity.ensure_slots(writer, writer.get(Office, "351504"), "counter", utcnow())


def test_a_read_request_writes_a_step_on_its_own_and_then_reads_it(own_app):
    with own_app.test_request_context("/", method="GET"):
        before = get_session().exec(COUNT).one()  # the read's snapshot has begun
        created = write_step(_horizon)
        assert created > 0
        assert get_session().exec(COUNT).one() == before + created  # a fresh snapshot
    with own_app.test_request_context("/", method="GET"):
        assert get_session().exec(COUNT).one() == before + created  # and it was committed


def test_a_write_request_keeps_its_step_in_its_one_transaction(own_app):
    with own_app.test_request_context("/", method="POST"):
        before = get_session().exec(COUNT).one()
        with reading() as reader:
            assert reader is not get_session()  # lookups do not take the write lock early
        write_step(lambda writer: capacity.ensure_slots(
            writer, writer.get(Office, "737109"), "counter", utcnow()))
        assert get_session().exec(COUNT).one() > before  # in the request's own session
        get_session().rollback()  # the view refused: nothing of the step stays
    with own_app.test_request_context("/", method="GET"):
        assert get_session().exec(COUNT).one() == before


def test_production_database_code_has_no_test_binding():
    """Tests bind their transaction in tests/support/bound_database.py, not in app/db.py."""
    source = (Path(__file__).resolve().parents[1] / "app" / "db.py").read_text()
    assert not re.search(r"bound|SharedTest|pytest", source, re.IGNORECASE)
