"""The station console: plain HTML forms (every one works without JavaScript), enhanced by
htmx (the device strip refreshes itself). Each POST redirects to the page that shows its
result, read back from the agent's SQLite, so a reload never captures twice."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, redirect, render_template, request, url_for

from .core import SPECS, Agent


def register(app: Flask, agent: Agent) -> None:
    def form(name: str) -> str:
        return str(request.form.get(name, "")).strip()

    @app.get("/")
    def console_home():
        return render_template("station/home.html", health=agent.health(),
                               roster=agent.roster())

    @app.get("/strip")
    def console_strip():
        return render_template("station/_strip.html", health=agent.health())

    @app.post("/hadir")
    def console_check_in():
        agent.desk_check_in(form("booking_code"), form("nik"))
        return redirect(url_for("console_home", hadir=form("booking_code")), 303)

    @app.post("/sesi")
    def console_open():
        session = agent.open_session(form("booking_code"), form("operator") or "petugas")
        return redirect(url_for("console_session", session_id=session["id"]), 303)

    @app.get("/sesi/<int:session_id>")
    def console_session(session_id: int):
        view = agent.session_view(session_id)
        return render_template("station/session.html", session=view, health=agent.health(),
                               subtypes=[s for spec in SPECS.values() for s in spec.sub_types])

    @app.post("/sesi/<int:session_id>/ambil")
    def console_capture(session_id: int):
        agent.capture(session_id, form("step"))
        return redirect(url_for("console_session", session_id=session_id,
                                _anchor=f"step-{form('step')}"), 303)

    @app.post("/sesi/<int:session_id>/terima")
    def console_accept(session_id: int):
        agent.accept(session_id, form("step"), form("reason"))
        return redirect(url_for("console_session", session_id=session_id), 303)

    @app.post("/sesi/<int:session_id>/pengecualian")
    def console_exception(session_id: int):
        agent.add_exception(session_id, form("subtype"), form("kind"))
        return redirect(url_for("console_session", session_id=session_id), 303)

    @app.post("/sesi/<int:session_id>/selesai")
    def console_finalize(session_id: int):
        agent.finalize(session_id)
        return redirect(url_for("console_receipt", session_id=session_id), 303)

    @app.get("/sesi/<int:session_id>/tanda-terima")
    def console_receipt(session_id: int):
        view = agent.session_view(session_id)
        data = agent.finalize(session_id) if view["state"] == "finalized" else None
        return render_template("station/receipt.html", session=view, receipt=data,
                               health=agent.health())

    @app.get("/kirim")
    def console_outbox():
        return render_template("station/outbox.html", outbox=agent.outbox(),
                               health=agent.health())

    @app.post("/kirim/kirim-sekarang")
    def console_flush():
        agent.flush()
        return redirect(url_for("console_outbox"), 303)

    @app.post("/kirim/ekspor")
    def console_export():
        result = agent.export_bundle(Path(agent.settings.data) / "bundles")
        return redirect(url_for("console_outbox", bundle=result["bundle_id"]), 303)
