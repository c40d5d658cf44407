"""The inbox (issue 15 §5): a home-visit request and a misconduct report each go from new to
answered; the reporter reads the answer at /lapor/{reference} with the PIN, a wrong PIN tells
nothing and is throttled; a report reaches the all-offices admin, never the accused office's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.domain import inbox
from app.models import AuditEntry, HomeVisitRequest, MisconductReport, utcnow
from tests.test_guidance_reports import _report_data, _visit_data

pytestmark = pytest.mark.db


def _report(client, page):
    """A report sent through /lapor; (reference, PIN) as the reporter sees them."""
    sent = page(client, client.post("/lapor", data=_report_data(page(client, "/lapor")))
                .headers["Location"])
    reference = sent.select_one(".guide-reference strong").get_text()
    pin = sent.select_one("#report-pin").get_text()
    assert sent.response.headers["Cache-Control"] == "no-store"
    return reference, pin


def _hidden(shown, css="main form[method=post]"):
    form = shown.select_one(css)
    return {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}


def test_a_report_goes_from_received_to_answered_and_the_reporter_reads_the_answer(
        app, client, session, page, login_as):
    reference, pin = _report(client, page)
    assert len(pin) == 6 and pin.isdigit()
    report = session.exec(select(MisconductReport)).one()
    assert report.pin_hash and pin not in report.pin_hash

    reporter = app.test_client()
    asked = page(reporter, f"/lapor/{reference}")
    shown = page(reporter, f"/lapor/{reference}", method="post",
                 data={**_hidden(asked), "pin": pin})
    assert "Diterima" in shown.text and "Jawaban" not in shown.text

    login_as("admin", office_code=None)  # the kabupaten
    listed = page(client, "/admin/reports")
    assert reference in listed.text
    handle = page(client, f"/admin/reports/{report.id}")
    no_answer = page(client, f"/admin/reports/{report.id}", method="post", status=422,
                     data={**_hidden(handle), "status": "answered", "response": ""})
    assert "wajib diisi" in no_answer.select_one(".error-summary").get_text()
    for status, response in (("in_review", ""), ("answered", "Petugas desa sudah ditegur; "
                                                             "uang Anda dikembalikan.")):
        assert client.post(f"/admin/reports/{report.id}", data={
            **_hidden(handle), "status": status, "response": response}).status_code == 303
    assert session.exec(select(AuditEntry.detail).where(
        AuditEntry.action == "report.status")).all() == ["new->in_review", "in_review->answered"]

    read = page(reporter, f"/lapor/{reference}", method="post",
                data={**_hidden(asked), "pin": pin})
    assert "Dijawab" in read.text and "uang Anda dikembalikan" in read.text


def test_a_wrong_pin_and_an_unknown_reference_answer_the_same(client, page):
    reference, pin = _report(client, page)
    wrong_pin = "000000" if pin != "000000" else "111111"
    asked = page(client, f"/lapor/{reference}")
    wrong = page(client, f"/lapor/{reference}", method="post", status=422,
                 data={**_hidden(asked), "pin": wrong_pin})
    unknown = page(client, "/lapor/LPR-000000", method="post", status=422,
                   data={**_hidden(page(client, "/lapor/LPR-000000")), "pin": pin})
    assert wrong.select_one(".error-summary").get_text() == \
        unknown.select_one(".error-summary").get_text()
    assert "Diterima" not in wrong.text


@pytest.mark.app_config(RATE_LIMITS="on")
def test_guessing_pins_is_throttled_per_report(client, page):
    reference, pin = _report(client, page)
    asked = page(client, f"/lapor/{reference}")
    answers = [client.post(f"/lapor/{reference}", data={**_hidden(asked), "pin": f"{n:06d}"})
               .status_code for n in range(6) if f"{n:06d}" != pin][:5]
    assert answers == [422] * 5
    assert client.post(f"/lapor/{reference}",
                       data={**_hidden(asked), "pin": pin}).status_code == 429


def test_a_report_about_an_office_is_not_shown_to_that_offices_admin(client, page, login_as):
    reference, _pin = _report(client, page)  # about 351504
    login_as("admin")  # the admin of 351504
    assert client.get("/admin/reports").status_code == 404
    assert reference not in page(client, "/admin/351504/inbox").text


def test_a_home_visit_request_goes_from_new_to_done_and_old_ones_are_flagged(
        client, session, page, login_as):
    assert client.post("/kunjungan-rumah", data=_visit_data(
        page(client, "/kunjungan-rumah"))).status_code == 303
    request = session.exec(select(HomeVisitRequest)).one()
    request.created_at = utcnow() - timedelta(days=8)
    session.add(request)
    session.commit()
    login_as("admin")
    listed = page(client, "/admin/351504/inbox")
    assert request.reference in listed.text and "lama, segera tangani" in listed.text

    url = f"/admin/351504/inbox/home-visits/{request.id}"
    shown = page(client, url)
    unplanned = page(client, url, method="post", status=422,
                     data={**_hidden(shown), "status": "scheduled", "response": ""})
    assert [a["href"] for a in unplanned.select(".error-summary a")] == ["#planned_day"]
    steps = [{"status": "contacted", "response": "Ditelepon, keluarga setuju."},
             {"status": "scheduled", "planned_day": "2026-12-03", "planned_time": "09.00",
              "response": "Petugas datang Kamis pagi."},
             {"status": "done", "response": "Sudah direkam di rumah."}]
    for step in steps:
        assert client.post(url, data={**_hidden(shown), **step}).status_code == 303
    session.refresh(request)
    assert (request.status, request.response) == ("done", "Sudah direkam di rumah.")
    assert request.planned_at.hour == 2  # 09.00 WIB
    assert "lama, segera tangani" not in page(client, "/admin/351504/inbox").text
    assert client.get(f"/admin/737109/inbox/home-visits/{request.id}").status_code == 403


def test_a_pin_is_the_same_for_a_resent_form(session):
    assert inbox.report_pin(b"k", "a" * 32) == inbox.report_pin(b"k", "a" * 32)
    assert inbox.report_pin(b"k", "a" * 32) != inbox.report_pin(b"k", "b" * 32)
