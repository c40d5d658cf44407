"""In-process timings for `make bench` (issues 4 and 6): PDFs rendered in the bench server's
database, through the same functions the views call. Helpers only; the cases are in run.py."""

from __future__ import annotations

import json
import statistics
import time
import urllib.request


def _app(env: dict[str, str]):
    from app import create_app

    settings = {k: env[k] for k in ("INSTANCE_PATH", "BASE_URL", "RATE_LIMITS") if k in env}
    if env.get("DATABASE_URL"):
        settings["DATABASE_URL"] = env["DATABASE_URL"]
    return create_app(settings)


def checklist_pdf_ms(env: dict[str, str], rounds: int = 8) -> list[float]:
    """Milliseconds per render of the printable `pemula` checklist (the first render, which
    imports WeasyPrint, is dropped)."""
    from app.db import database
    from app.web.citizen.guidance import render_checklist_pdf

    app = _app(env)
    timings = []
    with app.app_context(), database().session(write=False) as session:
        for round_number in range(rounds + 1):
            started = time.perf_counter()
            pdf = render_checklist_pdf(session, "pemula", "id", {})
            if round_number:
                timings.append((time.perf_counter() - started) * 1000)
            assert pdf.startswith(b"%PDF")
    return timings


def book_one(base_url: str, token: str, slot_id: int, serial: int) -> dict:
    """POST one booking through the API; the answer carries receipt_url and verify_url."""
    body = json.dumps({"nik": f"351504010190{serial:04d}", "name": "Uji Tanda Bukti",
                       "service": "pemula", "slot_id": slot_id}).encode()
    request = urllib.request.Request(base_url + "/api/v1/bookings", data=body, method="POST",
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def receipt_render_ms(env: dict[str, str], token: str, rounds: int = 5) -> dict[str, list[float]]:
    """Milliseconds per render: a bare WeasyPrint render of the receipt's A5 HTML and Rekam's
    whole path (template, QR, WeasyPrint, PAdES signature), taken in turn."""
    from app.db import database
    from app.documents import receipt_view, render_timings
    from app.domain.receipts import verify_token
    from app.models import utcnow

    app = _app(env)
    with app.app_context(), database().session(write=False) as session:
        verification = verify_token(session, token, utcnow())
        view = receipt_view(session, verification.receipt, verification.document,
                            app.config["BASE_URL"])
        seconds = render_timings(view, rounds)
    return {name: [s * 1000 for s in values] for name, values in seconds.items()}


def median(values: list[float]) -> float:
    return statistics.median(values)
