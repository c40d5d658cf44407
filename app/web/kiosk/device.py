"""The kiosk's device credential: a long-lived cookie holding the secret that pairing gave it
(app/domain/lobby.py keeps only its hash). Checked on every kiosk request, so a revoked kiosk
stops at once; a staff sign-in is never asked for and never enough."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request

from ...access import DEVICE, KIOSK_DEVICE, access_for, declare_blueprint
from ...db import get_session
from ...domain import lobby
from ...models import Kiosk
from ..rendering import render

COOKIE = "rekam_kiosk"
COOKIE_DAYS = 400  # browsers cap a cookie's life near this; re-pair after


def current_kiosk() -> Kiosk:
    return g.kiosk


def _require_device():
    if request.endpoint is None:
        return None
    if access_for(current_app.view_functions, request.endpoint).via != DEVICE:
        return None  # the pairing pages: for a browser that is not a kiosk yet
    kiosk = lobby.kiosk_for(get_session(), request.cookies.get(COOKIE))
    if kiosk is None:
        return render("kiosk/unpaired.html", status=403)
    g.kiosk = kiosk
    return None


def _forget_everything(response):
    # The next person must never see the previous one's pages, not even from the cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def device_guard(blueprint: Blueprint) -> None:
    declare_blueprint(blueprint.name, KIOSK_DEVICE)
    blueprint.before_request(_require_device)
    blueprint.after_request(_forget_everything)


def remember_device(response, secret: str):
    response.set_cookie(COOKIE, secret, max_age=COOKIE_DAYS * 86400, httponly=True,
                        samesite="Strict", path="/",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
