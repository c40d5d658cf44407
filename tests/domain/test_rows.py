"""rows.insert: one INSERT, and the object behaves in the session as if the ORM had flushed it
— persistent after, gone again after a rollback of its transaction or of its SAVEPOINT."""

import pytest
from sqlmodel import select

from app.domain import rows
from app.models import AuditEntry

pytestmark = pytest.mark.db


def _entry(n: int) -> AuditEntry:
    return AuditEntry(actor="test", action="rows.test", subject=f"n:{n}")


def test_an_inserted_row_is_persistent_and_read_back_as_the_same_object(session):
    entry = rows.insert(session, _entry(1))
    assert entry.id is not None and entry in session
    found = session.exec(select(AuditEntry).where(AuditEntry.id == entry.id)).one()
    assert found is entry  # the identity map holds it, nothing is flushed again
    assert not session.dirty and not session.new


def test_a_savepoint_rolled_back_takes_its_rows_out_of_the_session(session):
    kept = rows.insert(session, _entry(2))
    with pytest.raises(RuntimeError), session.begin_nested():
        gone = rows.insert(session, _entry(3))
        raise RuntimeError("refused")
    assert kept in session and gone not in session
    assert session.exec(select(AuditEntry).where(AuditEntry.id == gone.id)).first() is None
    again = rows.insert(session, _entry(4))  # the id may be given out again: no clash
    assert again in session


def test_a_savepoint_released_keeps_its_rows_until_the_outer_rollback(app):
    session = app.extensions["rekam_db"].session()
    with session.begin_nested():
        inner = rows.insert(session, _entry(5))
    assert inner in session
    session.rollback()
    assert inner not in session
    session.close()
