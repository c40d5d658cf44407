"""The staff room (issue 14): desa staff book on behalf of a resident with consent, see and
export their desa's bookings (masked NIK), print receipt and checklist, fill outreach visits —
and are refused (403) for another desa's."""

from __future__ import annotations

import csv
import io

import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from app.models import AuditEntry, Booking, Invitation
from tests.support.booking import nik
from tests.test_outreach_api import open_day, planned, residents_csv

pytestmark = pytest.mark.db

DESA = "3515041003"


def _first_slot(client, service="pemula") -> str:
    page = BeautifulSoup(client.get(f"/staff/daftar?layanan={service}").text, "html.parser")
    options = [o["value"] for o in page.select("#slot option") if o["value"]]
    assert options, "no slot offered"
    return options[0]


def book_on_behalf(client, number, consent="present", name="Sri Rahayu"):
    return client.post("/staff/daftar?layanan=pemula", data={
        "slot": _first_slot(client), "nik": number, "name": name, "phone": "081234567890",
        "consent": consent})


def test_desa_staff_book_for_a_resident_with_consent_and_it_is_audited(client, login_as,
                                                                       session):
    login_as("desa_staff", desa_code=DESA)
    answer = book_on_behalf(client, nik(3301), consent="phone")
    assert answer.status_code == 303, answer.get_data(as_text=True)[:2000]
    made = session.exec(select(Booking).where(Booking.name == "Sri Rahayu")).one()
    assert (made.status, made.channel, made.consent, made.desa_code) == (
        "booked", "desa_staff", "phone", DESA)
    entry = session.exec(select(AuditEntry).where(
        AuditEntry.action == "staff.book_on_behalf")).one()
    assert entry.subject == f"booking:{made.code}" and "consent=phone" in entry.detail
    shown = client.get(answer.headers["Location"])
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert "Sri Rahayu" in text and "••••••••••••3301" in text and nik(3301) not in text
    assert "/v/" in text and "/syarat/pemula.pdf" in text  # receipt and checklist to print


def test_booking_without_consent_is_refused_with_the_form_again(client, login_as, session):
    login_as("desa_staff", desa_code=DESA)
    answer = book_on_behalf(client, nik(3302), consent="")
    assert answer.status_code == 422
    assert "Catat cara warga menyetujui" in answer.get_data(as_text=True)
    assert session.exec(select(Booking).where(Booking.nik_last4 == "3302")).first() is None


def test_the_desas_bookings_list_filters_and_exports_masked_niks(client, login_as, session):
    login_as("desa_staff", desa_code=DESA)
    book_on_behalf(client, nik(3303), name="Ani")
    listing = client.get("/staff/?status=booked").get_data(as_text=True)
    assert "Ani" in listing and "••••••••••••3303" in listing
    assert "Ani" not in client.get("/staff/?status=cancelled").get_data(as_text=True)
    export = client.get("/staff/bookings.csv?status=booked")
    assert export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True))))
    ani = next(r for r in rows if r["name"] == "Ani")
    assert ani["nik_masked"] == "••••••••••••3303" and ani["consent"] == "present"
    assert nik(3303) not in export.get_data(as_text=True)


def test_another_desas_booking_and_visit_are_403(client, login_as, session, api_token):
    visit = planned(client, session, api_token)  # in DESA
    login_as("desa_staff", desa_code=DESA)
    book_on_behalf(client, nik(3304), name="Rini")
    code = session.exec(select(Booking.code).where(Booking.name == "Rini")).one()
    client.post("/logout")
    login_as("desa_staff", desa_code="3515041004")
    assert client.get(f"/staff/booking/{code}").status_code == 403
    assert client.get(f"/staff/keliling/{visit}").status_code == 403
    assert client.post(f"/staff/keliling/{visit}/impor", data={}).status_code == 403
    assert "Rini" not in client.get("/staff/").get_data(as_text=True)
    assert "Rini" not in client.get("/staff/bookings.csv").get_data(as_text=True)


def test_desa_staff_import_a_csv_into_their_visit_and_note_deliveries(
        client, login_as, session, api_token):
    visit = planned(client, session, api_token)
    login_as("desa_staff", desa_code=DESA)
    body = residents_csv([(nik(3401), "Warga Satu", "", "present"),
                          (nik(3402), "Warga Dua", "", "tertulis"), ("1", "X", "", "present")])
    answer = client.post(f"/staff/keliling/{visit}/impor",
                         data={"file": (io.BytesIO(body.encode()), "warga.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 200
    text = BeautifulSoup(answer.get_data(as_text=True), "html.parser").get_text(" ")
    assert "Terdaftar: 2" in text and "ditolak: 1" in text and "Baris 3" in text
    code = session.exec(select(Invitation.booking_code).where(Invitation.visit_id == visit)
                        ).first()
    noted = client.post(f"/staff/keliling/{visit}/undangan/{code}",
                        data={"delivered_by": "Pak RT 03"})
    assert noted.status_code == 303
    page = client.get(f"/staff/keliling/{visit}").get_data(as_text=True)
    assert "Diserahkan oleh Pak RT 03" in page
    assert client.post(f"/staff/keliling/{visit}/undangan/{code}",
                       data={"delivered_by": ""}).status_code == 422
    sheet = client.get(f"/staff/keliling/{visit}/daftar-hadir.pdf")
    assert sheet.status_code == 200 and sheet.mimetype == "application/pdf"
    assert open_day(session)  # the visit's day is an open one


def test_the_home_visit_requests_of_the_desa_are_listed_with_their_status(client, login_as,
                                                                         session):
    from app.domain import reports

    ours = reports.request_home_visit(
        session, submission_id=reports.new_submission_id(), desa_code=DESA, name="Mbah Sarmi",
        phone="081234567891", requester="family", service="pemula")
    reports.request_home_visit(
        session, submission_id=reports.new_submission_id(), desa_code="3515041004",
        name="Pak Lain", phone="081234567892", requester="self", service="pemula")
    session.commit()
    login_as("desa_staff", desa_code=DESA)
    text = BeautifulSoup(client.get("/staff/").get_data(as_text=True), "html.parser").get_text(" ")
    assert "Mbah Sarmi" in text and ours.reference in text and "Baru" in text
    assert "Pak Lain" not in text


def test_an_imported_residents_receipt_is_signed_when_staff_open_their_booking(
        client, login_as, session, api_token):
    from app.domain import receipts

    visit = planned(client, session, api_token)
    login_as("desa_staff", desa_code=DESA)
    client.post(f"/staff/keliling/{visit}/impor", data={"file": (io.BytesIO(residents_csv(
        [(nik(3501), "Warga Impor", "", "present")]).encode()), "w.csv")},
        content_type="multipart/form-data")
    made = session.exec(select(Booking).where(Booking.name == "Warga Impor")).one()
    assert receipts.latest_receipt(session, made.id) is None  # signed on first need
    page = client.get(f"/staff/booking/{made.code}").get_data(as_text=True)
    assert receipts.latest_receipt(session, made.id) is not None and "/v/" in page
