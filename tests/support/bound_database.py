"""The test binding: every session of a test shares one connection inside a transaction the
test rolls back (Flaskr's way: tests own their plumbing, app/db.py carries no test branch)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import Connection
from sqlmodel import Session

from app.db import Database


class SharedTestSession(Session):
    """The one session of a test: code that closes 'its' session only drops uncommitted work."""

    def close(self) -> None:
        self.rollback()


@dataclass
class BoundDatabase(Database):
    """One shared session on one connection: savepoints from interleaved sessions would not
    nest on SQLite, so a 'commit' is a savepoint's release inside the test's transaction."""

    connection: Connection | None = None
    _shared: Session | None = field(default=None, repr=False)

    def session(self, write: bool = True) -> Session:
        if self._shared is None:
            self._shared = SharedTestSession(bind=self.connection,
                                             join_transaction_mode="create_savepoint",
                                             expire_on_commit=False)
        return self._shared

    def unbind(self) -> None:
        if self._shared is not None:
            Session.close(self._shared)
        self._shared = None


def bind(app: Flask):
    """Bind the app's database to one connection in a transaction; yields the app, then rolls
    everything back."""
    production = app.extensions["rekam_db"]
    connection = production.write_engine.connect()
    outer = connection.begin()
    app.extensions["rekam_db"] = BoundDatabase(production.url, production.read_engine,
                                               production.write_engine, connection=connection)
    try:
        yield app
    finally:
        app.extensions["rekam_db"].unbind()
        outer.rollback()
        connection.close()
        production.dispose()
