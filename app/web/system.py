"""Machine-facing endpoints: health check."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..db import get_session
from ..extensions import limiter

bp = Blueprint("system", __name__)


@bp.get("/healthz")
@limiter.exempt
def show_health():
    try:
        get_session().exec(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="error", db="unavailable"), 503
    return jsonify(status="ok", db="ok")


@bp.get("/openapi.json")
def show_openapi():
    from flask import current_app

    from ..api.openapi import build_spec

    return jsonify(build_spec(current_app.config["BASE_URL"]))
