"""The agent's face on 127.0.0.1: the kcap/1 JSON API and the officer's station console, with
the portal's own templates and static files (htmx). It answers from its own SQLite, so the desk
keeps working with the portal unreachable.

A page on 127.0.0.1 can be posted to by any site the officer's browser visits: the console's
forms carry a CSRF token, the JSON API takes only `application/json` (a cross-site form cannot
send it without a CORS preflight, which is never granted), and any Host other than the loopback
names is refused (DNS rebinding).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import Flask, abort, jsonify, render_template, request, url_for
from flask_babel import Babel, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect

from .core import SPECS, STEPS, Agent, AgentError

ROOT = Path(__file__).resolve().parents[3]
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")

STEP_NAMES = {"face": _l("Foto wajah"), "signature": _l("Tanda tangan"),
              "slap_left": _l("Empat jari kiri"), "slap_right": _l("Empat jari kanan"),
              "thumbs": _l("Dua ibu jari"), "iris": _l("Iris mata"),
              "exception_photo": _l("Foto pengecualian")}
DEVICE_NAMES = {"face": _l("Kamera"), "signature": _l("Bantalan tanda tangan"),
                "finger": _l("Pemindai sidik jari"), "iris": _l("Pemindai iris")}
DEVICE_STATUS = {"ready": _l("Siap"), "busy": _l("Sibuk — tunggu sebentar"),
                 "not_ready": _l("Tidak siap — periksa kabel dan lampu alat"),
                 "disconnected": _l("Terputus — pasang lagi kabel USB alat")}
ERRORS = {
    "not_on_roster": _l("Booking ini tidak ada di daftar hari ini. Tarik daftar lagi bila "
                        "jaringan ada."),
    "not_checked_in": _l("Warga ini belum dicatat hadir. Catat kehadirannya dulu."),
    "frozen": _l("Perekaman baru dihentikan: terlalu banyak rekaman belum terkirim. Sambungkan "
                 "jaringan atau ekspor ke flashdisk dulu."),
    "no_session": _l("Sesi ini tidak ada."),
    "closed": _l("Sesi ini sudah selesai."),
    "unknown_step": _l("Langkah ini tidak dikenal."),
    "step_done": _l("Langkah ini sudah selesai."),
    "attempts_used": _l("Kesempatan sudah habis. Terima hasil terbaik dengan alasan."),
    "not_allowed": _l("Tindakan ini belum boleh. Isi alasannya bila diminta."),
    "incomplete": _l("Masih ada langkah yang belum selesai."),
    "bad_nik": _l("NIK tidak cocok dengan booking ini."),
    "device_not_ready": _l("Alat tidak siap. Periksa alatnya, lalu ambil lagi."),
    "device_busy": _l("Alat sedang sibuk. Tunggu sebentar, lalu ambil lagi."),
    "device_disconnected": _l("Alat terputus. Pasang lagi kabelnya, lalu ambil lagi."),
    "device_tampered": _l("Jawaban alat ditolak: tanda tangan atau rantai hash alat tidak sah. "
                          "Hubungi teknisi."),
    "device_error": _l("Pengambilan gagal. Ambil lagi."),
}
HTTP = {"no_session": 404, "not_on_roster": 404, "frozen": 423}


def create_agent_app(agent: Agent) -> Flask:
    app = Flask("rekam_agent", template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"))
    app.config.update(SECRET_KEY=agent.store.setting("console_secret") or _secret(agent),
                      BABEL_DEFAULT_LOCALE="id",
                      BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "app" / "translations"),
                      WTF_CSRF_TIME_LIMIT=None, SESSION_COOKIE_SAMESITE="Strict",
                      SESSION_COOKIE_NAME="rekam_station")
    # Indonesian at the desk whatever the browser says; ?lang=en for English.
    Babel(app, locale_selector=lambda: "en" if request.args.get("lang") == "en" else "id")
    csrf = CSRFProtect(app)
    app.extensions["agent"] = agent

    @app.before_request
    def loopback_only():
        if request.host.rsplit(":", 1)[0] not in LOOPBACK:
            abort(403)
        if request.path.startswith("/v1/") and request.method == "POST" and not request.is_json:
            abort(415)

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(AgentError)
    def refused(error: AgentError):
        if request.path.startswith("/v1/"):
            return jsonify({"error": error.code, "message": str(ERRORS.get(error.code, "")),
                            "detail": error.detail}), HTTP.get(error.code, 409)
        return render_template("station/error.html", message=ERRORS.get(error.code, ""),
                               back=url_for("console_home"), health=agent.health()), \
            HTTP.get(error.code, 409)

    _json_api(app, agent, csrf)
    from . import console

    console.register(app, agent)
    app.jinja_env.globals.update(STEP_NAMES=STEP_NAMES, DEVICE_NAMES=DEVICE_NAMES,
                                 DEVICE_STATUS=DEVICE_STATUS, ERRORS=ERRORS, SPECS=SPECS,
                                 STEPS=STEPS, _=_, get_locale=get_locale)
    return app


def _secret(agent: Agent) -> str:
    secret = secrets.token_hex(32)
    agent.store.set_setting("console_secret", secret)
    return secret


def _json_api(app: Flask, agent: Agent, csrf: CSRFProtect) -> None:
    def body() -> dict:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}

    @app.get("/v1/health")
    def health():
        return jsonify(agent.health())

    @app.post("/v1/sessions")
    def open_session():
        data = body()
        return jsonify(agent.open_session(str(data.get("booking_code", "")),
                                          str(data.get("operator", "")))), 201

    @app.get("/v1/sessions/<int:session_id>")
    def show_session(session_id: int):
        return jsonify(agent.session_view(session_id))

    @app.post("/v1/sessions/<int:session_id>/captures")
    def capture(session_id: int):
        return jsonify(agent.capture(session_id, str(body().get("step", ""))))

    @app.post("/v1/sessions/<int:session_id>/accept")
    def accept(session_id: int):
        data = body()
        return jsonify(agent.accept(session_id, str(data.get("step", "")),
                                    str(data.get("reason", ""))))

    @app.post("/v1/sessions/<int:session_id>/exceptions")
    def exception(session_id: int):
        data = body()
        return jsonify(agent.add_exception(session_id, str(data.get("subtype", "")),
                                           str(data.get("kind", ""))))

    @app.post("/v1/sessions/<int:session_id>/finalize")
    def finalize(session_id: int):
        return jsonify(agent.finalize(session_id))

    @app.post("/v1/checkin")
    def desk_check_in():
        data = body()
        return jsonify(agent.desk_check_in(str(data.get("booking_code", "")),
                                           str(data.get("nik", ""))))

    @app.get("/v1/outbox")
    def outbox():
        return jsonify(agent.outbox())

    @app.post("/v1/outbox/flush")
    def flush():
        agent.flush()
        return jsonify({"flushing": True})

    @app.post("/v1/outbox/export")
    def export():
        return jsonify(agent.export_bundle(Path(agent.settings.data) / "bundles"))

    @app.post("/v1/roster/pull")
    def pull():
        return jsonify({"pulled": agent.pull_roster(body().get("date"))})

    for view in (open_session, capture, accept, exception, finalize, desk_check_in, flush,
                 export, pull):
        csrf.exempt(view)  # JSON only (checked above): a cross-site form cannot send it
