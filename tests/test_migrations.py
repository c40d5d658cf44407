"""The schema exists only through Alembic: empty → head → base, and it matches the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel

from app.migrate import downgrade, is_current, upgrade
from tests.support.databases import fresh_database

pytestmark = pytest.mark.db


@pytest.fixture
def empty_database(worker_name, tmp_path):
    return fresh_database(f"{worker_name}_migrations", tmp_path)


def test_an_empty_database_goes_to_head_and_back_to_base(empty_database):
    upgrade(empty_database)
    assert is_current(empty_database)
    engine = create_engine(empty_database)
    tables = set(inspect(engine).get_table_names())
    assert {"office", "desa", "station", "opening_hours", "closure", "staff_user",
            "api_token", "audit_log"} <= tables
    downgrade(empty_database, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_database)  # and up again: downgrades leave nothing behind
    engine.dispose()


def test_the_migrated_schema_matches_the_models(empty_database):
    upgrade(empty_database)
    engine = create_engine(empty_database)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_the_audit_log_refuses_changes_and_deletions(empty_database):
    upgrade(empty_database)
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_log (at, actor, action, subject, detail) "
            "VALUES (CURRENT_TIMESTAMP, 'cli', 'test', '', '')"))
    for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(DatabaseError), engine.begin() as connection:
            connection.execute(text(statement))
    engine.dispose()
