"""Error answers: an HTML page in the person's language, or the API's JSON error shape."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, g, jsonify, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from .db import is_unavailable
from .logs import protect, redact
from .web.rendering import render

log = logging.getLogger(__name__)

# (title, what to do) per status, in plain words.
MESSAGES = {
    400: (_l("Permintaan tidak dapat diproses"),
          _l("Ada yang tidak lengkap dalam permintaan Anda. Kembali dan coba lagi.")),
    401: (_l("Perlu masuk"), _l("Halaman ini hanya untuk petugas yang sudah masuk.")),
    403: (_l("Tidak diizinkan"),
          _l("Akun Anda tidak boleh membuka halaman ini. Hubungi admin kecamatan bila ini keliru.")),
    404: (_l("Halaman tidak ditemukan"),
          _l("Alamat ini tidak ada. Periksa alamatnya, atau mulai dari beranda.")),
    405: (_l("Cara permintaan tidak didukung"),
          _l("Halaman ini tidak menerima permintaan seperti itu. Mulai dari beranda.")),
    413: (_l("Isian terlalu besar"), _l("Isian Anda terlalu panjang. Persingkat lalu kirim lagi.")),
    422: (_l("Isian belum benar"), _l("Periksa isian Anda lalu kirim lagi.")),
    429: (_l("Terlalu banyak percobaan"),
          _l("Tunggu beberapa menit, lalu coba lagi. Ini melindungi Anda dari penyalahgunaan.")),
    500: (_l("Terjadi kesalahan di sistem kami"),
          _l("Maaf, ini bukan kesalahan Anda. Coba lagi sebentar lagi.")),
    503: (_l("Layanan sedang tidak tersedia"), _l("Coba lagi sebentar lagi.")),
}
DATABASE_DOWN = _l("Rekam tidak bisa membaca atau menyimpan data saat ini. Yang baru Anda kirim "
                   "belum tersimpan. Coba lagi beberapa menit lagi.")
API_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 413: "too_large", 422: "invalid",
             429: "rate_limited", 500: "server_error", 503: "unavailable"}
CSRF_MESSAGE = _l("Formulir ini sudah kedaluwarsa atau tidak lengkap. Muat ulang halaman lalu "
                  "kirim lagi.")


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def _retry_message() -> str | None:
    """'Try again in N minutes', from when the breached limit frees a place."""
    from .extensions import limiter

    breached = limiter.current_limit
    if breached is None:
        return None
    # reset_at is rounded up to the next whole second, plus one: take that second back.
    minutes = max(1, math.ceil((breached.reset_at - 1 - time.time()) / 60))
    return ngettext("Terlalu banyak percobaan dari sini. Coba lagi dalam %(num)d menit.",
                    "Terlalu banyak percobaan dari sini. Coba lagi dalam %(num)d menit.",
                    minutes)


def error_response(status: int, message: str | None = None):
    if status == 429 and message is None:
        message = _retry_message()
    title, hint = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    if is_api_request():
        body = {"error": API_CODES.get(status, "error"), "message": str(message or title),
                "errors": {}}
        return jsonify(body), status
    return render("errors/error.html", status=status, code=status, title=title,
                  hint=message or hint)


def register_error_handlers(app: Flask) -> None:
    protect(app.logger)

    def log_exception(exc_info) -> None:
        # Flask's own line would carry the raw path (a /v/ token names its holder) and the
        # exception's message (a database quotes the failing row): app.logs makes both safe.
        # Never the request body either: it may hold a NIK.
        app.logger.error("unhandled %s at %s %s", exc_info[0].__name__, request.method,
                         redact(request.path), exc_info=exc_info)

    app.log_exception = log_exception

    @app.errorhandler(CSRFError)
    def csrf_failed(_error):
        return error_response(400, str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return error_response(error.code)

    @app.errorhandler(OperationalError)
    def database_failed(error: OperationalError):
        # The database cannot be reached or written (down, disk full, read-only, locked too
        # long): a 503 the client may retry, not a bug. Other database errors stay 500s.
        if not is_unavailable(error):
            app.log_exception((type(error), error, error.__traceback__))
            return error_response(500)
        log.error("database unavailable: %s at %s %s", type(error.orig).__name__,
                  request.method, redact(request.path))
        g.setdefault("current_user", None)  # the error page must not ask the database again
        response = error_response(503, str(DATABASE_DOWN))
        response = app.make_response(response)
        response.headers["Retry-After"] = "60"
        return response

    @app.errorhandler(InternalServerError)
    def server_error(_error: InternalServerError):
        return error_response(500)  # logged by log_exception above
