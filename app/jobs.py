"""Background work through Huey: SQLite storage in the instance folder by default, Redis when
REDIS_URL is set (several machines then share one queue).

Run the consumer with `python -m huey.bin.huey_consumer app.jobs.huey` (`make run` starts it
beside the web server). Each task opens its own write session and commits; the work itself is
a domain function that is tested directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

from .adapters.files import private_file
from .config import load_config
from .db import database
from .logs import protect

# The consumer logs a failed task with its traceback: no exception message (a database quotes
# the failing row), and no task here takes personal data as an argument (only ids, if any).
protect(logging.getLogger("huey"))


def _make_huey():
    settings = load_config()
    if settings["REDIS_URL"]:
        return RedisHuey("rekam", url=settings["REDIS_URL"])
    queue = Path(settings["INSTANCE_PATH"]) / "jobs.sqlite3"
    private_file(queue)  # job arguments are booking ids, but the file is the instance's: 0600
    return SqliteHuey("rekam", filename=str(queue))


huey = _make_huey()
_app: Flask | None = None


def _application() -> Flask:
    """The app whose database the jobs use: the current one (tests), else one per process."""
    global _app
    if has_app_context():
        return current_app._get_current_object()
    if _app is None:
        from . import create_app

        _app = create_app()
    return _app


def run_job(work: Callable) -> object:
    """work(session, app) in a write session of its own, committed when it returns."""
    app = _application()
    with app.app_context(), database().session(write=True) as session:
        result = work(session, app)
        session.commit()
    return result


def _mark_no_shows(session, _app):
    from .domain.booking import mark_no_shows

    return mark_no_shows(session)


def _queue_reminders(session, _app):
    from .domain.booking import queue_reminders

    return queue_reminders(session)


def _deliver_outbox(session, _app):
    from .adapters.notify import deliver_pending

    return deliver_pending(session)


def _purge_drafts(session, _app):
    from .domain.drafts import purge_expired

    return purge_expired(session)


def _purge_retention(session, _app):
    from .domain.retention import purge_due

    return purge_due(session, actor="system")


def _materialise_slots(session, _app):
    """Slot rows for every office's horizon, so the first visitor of the day finds them."""
    from sqlmodel import select

    from .domain import capacity
    from .models import Office, utcnow

    created = 0
    for office in session.exec(select(Office)).all():
        for pool in ("station", "counter"):
            created += capacity.ensure_slots(session, office, pool, utcnow())
    return created


def render_receipt(receipt_id: int) -> str | None:
    """Render and keep one receipt's PDF ahead of its first download (DESIGN §4: in a job, never
    inside the booking request); the SHA-256 of the kept bytes. Reads in a read session: the
    rendering keeps its bytes in a short write of its own, and must not wait for its own lock."""
    from .documents import prerender_receipt

    app = _application()
    with app.app_context(), database().session(write=False) as session:
        return prerender_receipt(session, receipt_id, app.config["BASE_URL"])


@huey.task()
def prerender(receipt_id: int):
    return render_receipt(receipt_id)


# Every few minutes: whoever is past the slot's end plus the office's grace is a no-show
# (DESIGN §3), which lets them book again.
@huey.periodic_task(crontab(minute="*/5"))
def no_shows():
    return run_job(_mark_no_shows)


@huey.periodic_task(crontab(minute="7"))
def reminders():
    return run_job(_queue_reminders)


@huey.periodic_task(crontab(minute="*"))
def outbox():
    return run_job(_deliver_outbox)


@huey.periodic_task(crontab(minute="*/10"))
def drafts():
    return run_job(_purge_drafts)


@huey.periodic_task(crontab(minute="15", hour="*/6"))
def slots():
    return run_job(_materialise_slots)


# Once a day, in the night of every Indonesian zone (19:30 UTC = 02:30 WIB): personal data
# whose retention has run out is emptied (DESIGN §9). Batched and idempotent, so a retry or a
# second consumer is harmless.
@huey.periodic_task(crontab(minute="30", hour="19"))
def retention():
    return run_job(_purge_retention)
