"""Office settings (DESIGN §3): where cards are printed and picked up, the days to the card,
and the age from which the office records — safe defaults, refused nonsense, used by the rules."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from app.models import Office
from tests.support.receipt_bookings import NIK
from tests.test_booking_eligibility import a_bookable_slot, nik_of_someone_aged
from tests.test_booking_web import _to_details

pytestmark = pytest.mark.db


def test_an_office_starts_with_safe_defaults(session):
    office = session.get(Office, "351504")
    assert (office.card_print_place, office.card_pickup_address) == ("kecamatan", None)
    assert office.card_days == 14 and office.min_recording_age == 17


@pytest.mark.parametrize(("column", "value"), [
    ("card_print_place", "kabupaten"), ("card_days", 0), ("card_days", 400),
    ("min_recording_age", 15), ("min_recording_age", 18),
])
def test_the_schema_refuses_settings_that_make_no_sense(session, column, value):
    office = session.get(Office, "351504")
    setattr(office, column, value)
    session.add(office)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def _record_from_16(session):
    office = session.get(Office, "351504")
    office.min_recording_age = 16
    session.add(office)
    session.commit()


def test_an_office_that_records_from_16_books_a_16_year_old_over_the_api(
        client, session, api_token):
    number, _born = nik_of_someone_aged(16)
    slot = a_bookable_slot(session)
    session.commit()
    body = {"nik": number, "name": "Adi", "service": "pemula", "slot_id": slot.id}
    headers = api_token("admin", office=None)
    assert client.post("/api/v1/bookings", json=body, headers=headers).status_code == 422
    _record_from_16(session)
    assert client.post("/api/v1/bookings", json=body, headers=headers).status_code == 201


def test_an_office_that_records_from_16_tells_a_15_year_old_the_16th_birthday(
        client, session, page):
    _record_from_16(session)
    _to_details(client, page)
    number, born = nik_of_someone_aged(15)
    refused = page(client, "/booking/data", method="POST", status=422,
                   data={"nik": number, "name": "Adi", "desa": "luar"})
    assert str(born.year + 16) in refused.text and "baru bisa mulai" in refused.text
    sixteen, _ = nik_of_someone_aged(16)
    accepted = client.post("/booking/data", data={"nik": sixteen, "name": "Adi", "desa": "luar"})
    assert accepted.status_code == 303


def _print_at_disdukcapil(session):
    office = session.get(Office, "351504")
    office.card_print_place, office.card_days = "disdukcapil", 21
    office.card_pickup_address = "Disdukcapil Sidoarjo, Jl. Jaksa Agung Suprapto 5"
    session.add(office)
    session.commit()


def test_the_manage_page_says_where_the_card_is_printed_and_picked_up(client, session, page):
    from tests.test_manage_access import _booking

    booking = _booking(session)
    _print_at_disdukcapil(session)
    client.post("/booking/kelola", data={"code": booking.code, "nik": NIK})
    shown = page(client, f"/booking/{booking.code}?lang=en")
    line = shown.select_one(".card-pickup").get_text(" ", strip=True)
    assert "printed at the kabupaten/kota Disdukcapil" in line
    assert "Disdukcapil Sidoarjo, Jl. Jaksa Agung Suprapto 5" in line and "21 days" in line


def test_the_checklist_names_each_offices_print_place(client, session, page):
    shown = page(client, "/syarat/rusak")
    assert "e-KTP dicetak di kantor kecamatan." in shown.text  # the default
    _print_at_disdukcapil(session)
    shown = page(client, "/syarat/hilang")
    assert "e-KTP dicetak di Disdukcapil kabupaten/kota, tidak di kecamatan." in shown.text


def test_the_recording_receipt_says_where_to_pick_up_the_card(app, session):
    from app.documents import receipt_html, receipt_view
    from app.domain import receipts
    from tests.support.receipt_bookings import DATA_KEY, make_booking

    _print_at_disdukcapil(session)
    booking = make_booking(session)
    receipt = receipts.issue_receipt(session, booking, "recording", data_key=DATA_KEY)
    with app.app_context():
        result = receipts.verify_token(session, receipt.token)
        html = receipt_html(receipt_view(session, receipt, result.document, "http://rekam.test"))
    assert "e-KTP dicetak di Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil)" in html
    assert "diambil di Disdukcapil Sidoarjo" in html and "siap 21 hari" in html
