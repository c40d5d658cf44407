"""Machine-facing endpoints: health check."""

import logging

from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ..db import database
from ..domain import health
from ..extensions import limiter
from ..models import utcnow
from .auth import public

log = logging.getLogger(__name__)

bp = Blueprint("system", __name__)
public(bp)  # load balancers and API clients


@bp.get("/healthz")
@limiter.exempt
def show_health():
    """200 only when the database takes a write (DESIGN §5): a load balancer must stop sending
    bookings to an instance whose disk is full."""
    try:
        with database().session(write=True) as session:
            health.probe(session, utcnow())
    except (SQLAlchemyError, health.NotWritable) as error:
        log.error("health check failed: %s", type(error).__name__)
        return jsonify(status="error", db="unavailable"), 503
    return jsonify(status="ok", db="ok")

