"""The lobby under load (issue 12, tests/bench/run.py case "lobby"): walk-ins through the API,
each a new booking checked in at once with a gapless ticket number — the check-in's whole write
path (conditional UPDATE of the booking, the lane counter's UPDATE … RETURNING, the ticket row)
on top of a booking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

WALK_IN_LUA = Path(__file__).resolve().parent / "walk_in.lua"


def prepare(env: dict[str, str]) -> str:
    """A kiosk token for Porong and a slot under way today with room for the whole run."""
    from app import create_app
    from app.db import database
    from app.domain import accounts
    from app.models import Slot

    settings = {k: env[k] for k in ("INSTANCE_PATH", "BASE_URL", "RATE_LIMITS") if k in env}
    if env.get("DATABASE_URL"):
        settings["DATABASE_URL"] = env["DATABASE_URL"]
    app = create_app(settings)
    now = datetime.now(UTC).replace(microsecond=0)
    with app.app_context(), database().session() as session:
        session.add(Slot(office_code="351504", pool="station",
                         starts_at=now - timedelta(minutes=1, seconds=13),
                         ends_at=now + timedelta(hours=6), capacity=100_000, held_back=100_000))
        _token, secret = accounts.mint_token(session, "kiosk", "351504", None, "bench lobby")
        session.commit()
    app.extensions["rekam_db"].dispose()
    return secret
