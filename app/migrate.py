"""Alembic, driven from code so `flask db-upgrade` needs no alembic.ini."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .config import ROOT
from .db import make_engines


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    # ConfigParser interpolation would read a '%' in a password as a placeholder.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def is_current(database_url: str) -> bool:
    """True when the database is at every head (checked with a read, no write lock)."""
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    read, write = make_engines(database_url)
    try:
        with read.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        read.dispose()
        write.dispose()
    return current == heads


def upgrade(database_url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(database_url), revision)
    _truncate_wal(database_url)


def _truncate_wal(database_url: str) -> None:
    """Empty SQLite's write-ahead log: after a migration rewrote a table, old frames in it would
    still hold the rows as they were (0005 dropped birth dates from every booking)."""
    if not database_url.startswith("sqlite"):
        return
    read, write = make_engines(database_url)
    try:
        with read.connect() as connection:
            connection.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        read.dispose()
        write.dispose()


def upgrade_if_needed(database_url: str) -> bool:
    if is_current(database_url):
        return False
    upgrade(database_url)
    return True


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
