"""The card's life after recording (issue 13): card ready (a blank card taken, the person
told), Suket while blank cards are out, hand-over against the NIK and the genuine, valid
recording receipt (or a reason when it is lost), counter visits and central rejection — the
domain, the officer's pages, the API and the citizen's manage page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from app.domain import card, receipts
from app.domain.lifecycle import StepError
from app.domain.recording import finish_capture
from app.models import AuditEntry, Booking, Office, OutboxMessage, Slot
from tests.support.niks import fresh_nik
from tests.support.receipt_bookings import DATA_KEY, NIK, make_booking, today_at

pytestmark = pytest.mark.db


def stock(session, count, office="351504"):
    session.get(Office, office).blangko_stock = count
    session.flush()


def recorded(session, **fields):
    """A booking recorded today, with its recording receipt."""
    booking = make_booking(session, starts_at=today_at(8), status="checked_in", **fields)
    receipt = finish_capture(session, booking, "user:1", data_key=DATA_KEY)
    return booking, receipt


def counter_visit(session, service="hilang", **fields):
    """A counter visit checked in today, in a slot of the counter pool."""
    starts = today_at(9)
    slot = session.exec(select(Slot).where(Slot.office_code == "351504", Slot.pool == "counter",
                                           Slot.starts_at == starts)).first()
    if slot is None:
        slot = Slot(office_code="351504", pool="counter", starts_at=starts,
                    ends_at=starts + timedelta(minutes=30), capacity=6, held_back=2)
        session.add(slot)
        session.flush()
    booking = make_booking(session, starts_at=today_at(9), status="checked_in",
                           service=service, **fields)
    booking.slot_id = slot.id
    session.flush()
    return booking


def actions(session, code):
    return [a.action for a in session.exec(
        select(AuditEntry).where(AuditEntry.subject == f"booking:{code}")
        .order_by(AuditEntry.id))]


# --- the domain ----------------------------------------------------------------------------------


def test_card_ready_takes_a_blank_card_and_queues_the_message_with_the_pickup_place(session):
    stock(session, 2)
    booking, _receipt = recorded(session, nik=fresh_nik())
    booking.phone = "+6281234567890"
    card.mark_card_ready(session, booking, "user:1")
    assert booking.status == "card_ready"
    assert card.blangko_stock(session, "351504") == 1
    message = session.exec(select(OutboxMessage).where(
        OutboxMessage.booking_id == booking.id, OutboxMessage.kind == "card_ready")).one()
    office = session.get(Office, "351504")
    assert office.address in message.body
    assert "tanda terima perekaman" in message.body and "Senin–Jumat 08.00–16.00" in message.body
    assert NIK not in message.body and booking.name not in message.body


def test_a_card_printed_at_disdukcapil_names_its_place_and_takes_no_kecamatan_blank(session):
    office = session.get(Office, "351504")
    office.card_print_place, office.card_pickup_address = "disdukcapil", "Jl. Sidoarjo 1"
    stock(session, 0)
    booking, _receipt = recorded(session, nik=fresh_nik())
    card.mark_card_ready(session, booking, "user:1")
    body = session.exec(select(OutboxMessage.body).where(
        OutboxMessage.booking_id == booking.id, OutboxMessage.kind == "card_ready")).one()
    assert "Disdukcapil" in body and "Jl. Sidoarjo 1" in body
    assert card.blangko_stock(session, "351504") == 0


def test_without_blank_cards_printing_is_refused_and_a_suket_is_offered(session):
    stock(session, 0)
    booking, _receipt = recorded(session, nik=fresh_nik())
    with pytest.raises(StepError) as refused:
        card.mark_card_ready(session, booking, "user:1")
    assert (refused.value.code, refused.value.allowed) == ("no_blangko", ("suket",))
    card.record_suket(session, booking, "user:1", date(2026, 12, 1))
    assert (booking.status, booking.suket_on) == ("recorded", date(2026, 12, 1))
    assert card.top_up_blangko(session, "351504", 50, "user:9") == 50
    card.mark_card_ready(session, booking, "user:1")
    assert card.blangko_stock(session, "351504") == 49


def test_collecting_needs_the_nik_and_the_genuine_valid_recording_receipt(session):
    stock(session, 5)
    nik = fresh_nik()
    booking, receipt = recorded(session, nik=nik)
    with pytest.raises(StepError) as early:
        card.hand_over(session, booking, "user:1", nik=nik, data_key=DATA_KEY,
                       recording_token=receipt.token)
    assert (early.value.code, early.value.allowed) == ("wrong_state",
                                                       ("card_ready", "suket",
                                                        "central_rejected"))
    card.mark_card_ready(session, booking, "user:1")
    attempts = {
        "nik_mismatch": dict(nik=fresh_nik(), recording_token=receipt.token),
        "receipt_invalid": dict(nik=nik, recording_token=receipt.token[:-6] + "AAAAAA"),
        "receipt_missing": dict(nik=nik),
    }
    booking_receipt = receipts.issue_receipt(session, booking, "booking", data_key=DATA_KEY)
    attempts["receipt_invalid "] = dict(nik=nik, recording_token=booking_receipt.token)
    for code, kwargs in attempts.items():
        with pytest.raises(StepError) as refused:
            card.hand_over(session, booking, "user:1", data_key=DATA_KEY, **kwargs)
        assert refused.value.code == code.strip()
    card.hand_over(session, booking, "user:1", nik=nik, data_key=DATA_KEY,
                   recording_token=receipt.token)
    assert booking.status == "collected"
    assert receipts.verify_token(session, receipt.token).status == "used"
    assert actions(session, booking.code) == ["booking.recorded", "booking.card_ready",
                                              "booking.collected"]


def test_a_superseded_or_another_bookings_receipt_does_not_hand_the_card_over(session):
    stock(session, 5)
    nik = fresh_nik()
    booking, old = recorded(session, nik=nik)
    receipts.issue_receipt(session, booking, "recording", data_key=DATA_KEY,  # a reissue
                           now=old.issued_at + timedelta(seconds=5))
    card.mark_card_ready(session, booking, "user:1")
    with pytest.raises(StepError) as superseded:
        card.hand_over(session, booking, "user:1", nik=nik, data_key=DATA_KEY,
                       recording_token=old.token)
    assert superseded.value.code == "receipt_not_valid"
    other, cancelled_receipt = recorded(session, nik=fresh_nik())
    other.status = "cancelled"
    session.flush()
    with pytest.raises(StepError) as foreign:
        card.hand_over(session, booking, "user:1", nik=nik, data_key=DATA_KEY,
                       recording_token=cancelled_receipt.token)
    assert foreign.value.code == "receipt_invalid"


def test_a_lost_receipt_hands_over_with_the_nik_and_a_recorded_reason(session):
    stock(session, 5)
    nik = fresh_nik()
    booking, receipt = recorded(session, nik=nik)
    card.mark_card_ready(session, booking, "user:1")
    card.hand_over(session, booking, "user:1", nik=nik, data_key=DATA_KEY,
                   lost_reason="  Tanda terima hilang   saat banjir ")
    assert (booking.status, booking.collect_note) == ("collected",
                                                      "Tanda terima hilang saat banjir")
    detail = session.exec(select(AuditEntry.detail).where(
        AuditEntry.action == "booking.collected",
        AuditEntry.subject == f"booking:{booking.code}")).one()
    assert "banjir" not in detail and nik not in detail


def test_a_counter_visit_is_served_with_its_own_receipt_then_collected(session):
    stock(session, 5)
    nik = fresh_nik()
    booking = counter_visit(session, nik=nik)
    with pytest.raises(StepError):
        finish_capture(session, booking, "user:1", data_key=DATA_KEY)
    receipt = card.serve_at_counter(session, booking, "user:1", data_key=DATA_KEY)
    assert (booking.status, receipt.kind) == ("served", "service")
    card.mark_card_ready(session, booking, "user:1")
    card.hand_over(session, booking, "user:1", nik=nik, data_key=DATA_KEY,
                   recording_token=receipt.token)
    assert booking.status == "collected"
    assert receipts.verify_token(session, receipt.token).status == "used"


def test_a_counter_visit_without_biometrics_on_file_turns_into_a_recording(session):
    from app.domain.recording import start_capture, turn_into_recording

    booking = counter_visit(session, service="rusak", nik=fresh_nik())
    with pytest.raises(StepError):
        start_capture(session, booking, "user:1")
    turn_into_recording(session, booking, "user:1")
    assert booking.needs_recording and booking.status == "checked_in"
    start_capture(session, booking, "user:1")
    finish_capture(session, booking, "user:1", data_key=DATA_KEY)
    assert booking.status == "recorded"


def test_a_central_rejection_is_recorded_and_the_person_told_what_to_do(session):
    booking, _receipt = recorded(session, nik=fresh_nik())
    booking.phone = "+6281234567891"
    card.reject_central(session, booking, "user:1", "duplicate")
    assert (booking.status, booking.rejected_reason) == ("central_rejected", "duplicate")
    body = session.exec(select(OutboxMessage.body).where(
        OutboxMessage.booking_id == booking.id,
        OutboxMessage.kind == "central_rejected")).one()
    assert "ganda" in body and session.get(Office, "351504").address in body


# --- the officer's pages ---------------------------------------------------------------------


def test_the_officer_moves_a_booking_from_check_in_to_collected(client, page, session,
                                                                login_as):
    login_as("officer")
    stock(session, 1)
    booking = make_booking(session, starts_at=today_at(8))
    session.commit()
    code = booking.code
    assert client.post(f"/officer/booking/{code}/check_in",
                       data={"check_in-nik": NIK}).status_code == 303
    early = page(client, f"/officer/booking/{code}/collected", method="POST", status=409,
                 data={"collected-nik": NIK, "collected-lost_reason": "hilang"})
    assert "Selesai direkam" in early.select_one("#refusal").text
    assert client.post(f"/officer/booking/{code}/recorded").status_code == 303
    assert client.post(f"/officer/booking/{code}/card_ready").status_code == 303
    session.expire_all()
    receipt = receipts.latest_receipt(session, booking.id, "recording")
    done = client.post(f"/officer/booking/{code}/collected",
                       data={"collected-nik": NIK,
                             "collected-receipt": f"http://rekam.test/v/{receipt.token}"})
    assert done.status_code == 303
    assert "Kartu sudah diserahkan" in page(client, done.headers["Location"]).text
    session.expire_all()
    assert session.get(Booking, booking.id).status == "collected"
    assert actions(session, code) == ["booking.check_in", "booking.recorded",
                                      "booking.card_ready", "booking.collected"]
    assert "Blangko e-KTP habis" in page(client, "/officer/").select_one("#blangko-empty").text


def test_the_officer_page_refuses_a_forged_receipt_and_offers_a_suket_when_out(
        client, page, session, login_as):
    login_as("officer")
    stock(session, 0)
    nik = fresh_nik()
    booking, receipt = recorded(session, nik=nik)
    session.commit()
    shown = page(client, f"/officer/booking/{booking.code}")
    assert shown.select_one("#blangko-empty") is not None
    assert shown.select_one("#suket-on") is not None
    out = page(client, f"/officer/booking/{booking.code}/card_ready", method="POST", status=409)
    assert "Suket" in out.select_one("#refusal").text
    assert client.post(f"/officer/booking/{booking.code}/suket",
                       data={"suket-on": "2026-12-01"}).status_code == 303
    stock(session, 3)
    session.commit()
    assert client.post(f"/officer/booking/{booking.code}/card_ready").status_code == 303
    forged = page(client, f"/officer/booking/{booking.code}/collected", method="POST",
                  status=409, data={"collected-nik": nik,
                                    "collected-receipt": receipt.token[:-4] + "AAAA"})
    assert "tidak asli" in forged.select_one("#refusal").text
    session.expire_all()
    assert session.get(Booking, booking.id).status == "card_ready"


# --- the API ---------------------------------------------------------------------------------


def test_api_card_ready_suket_and_collected(client, session, api_token):
    stock(session, 1)
    nik = fresh_nik()
    booking, receipt = recorded(session, nik=nik)
    other, _other_receipt = recorded(session, nik=fresh_nik())
    session.commit()
    headers = api_token("officer")
    path = f"/api/v1/bookings/{booking.code}/card"
    early = client.post(path, headers=headers, json={"status": "collected", "nik": nik,
                                                     "recording_token": receipt.token})
    assert (early.status_code, early.json["error"]) == (409, "wrong_state")
    assert early.json["allowed"] == ["card_ready", "suket", "central_rejected"]
    ready = client.post(path, headers=headers, json={"status": "card_ready"})
    assert ready.json["booking"]["status"] == "card_ready"
    out = client.post(f"/api/v1/bookings/{other.code}/card", headers=headers,
                      json={"status": "card_ready"})
    assert (out.status_code, out.json["error"]) == (409, "no_blangko")
    suket = client.post(f"/api/v1/bookings/{other.code}/card", headers=headers,
                        json={"status": "suket", "date": "2026-12-01"})
    assert suket.status_code == 200
    wrong = client.post(path, headers=headers, json={"status": "collected", "nik": fresh_nik(),
                                                     "recording_token": receipt.token})
    assert (wrong.status_code, wrong.json["error"]) == (422, "nik_mismatch")
    done = client.post(path, headers=headers, json={"status": "collected", "nik": nik,
                                                    "recording_token": receipt.token})
    assert done.json["booking"]["status"] == "collected"
    assert client.post(path, headers=api_token("officer", office="737109"),
                       json={"status": "card_ready"}).status_code == 403
    assert client.post(path, headers=api_token("kiosk"),
                       json={"status": "card_ready"}).status_code == 403


# --- the citizen's manage page -----------------------------------------------------------------


def _manage(client, booking, nik, lang):
    assert client.post("/booking/kelola", data={"code": booking.code,
                                                "nik": nik}).status_code == 303
    return client.get(f"/booking/{booking.code}?lang={lang}").get_data(as_text=True)


@pytest.mark.parametrize(("lang", "words"), [
    ("id", ("Menunggu verifikasi", "Dicetak, siap diambil di kantor kecamatan", "Sudah diambil")),
    ("en", ("Waiting for", "Printed, ready for pickup at the kecamatan office",
            "Collected")),
])
def test_the_manage_page_shows_where_the_card_is(client, session, lang, words):
    stock(session, 5)
    nik = fresh_nik()
    booking, _receipt = recorded(session, nik=nik)
    session.commit()
    verifying = _manage(client, booking, nik, lang)
    assert words[0] in verifying and 'aria-current="step"' in verifying
    assert "/document?unduh=1" in verifying
    card.mark_card_ready(session, booking, "user:1")
    session.commit()
    ready = _manage(client, booking, nik, lang)
    assert words[1] in ready and session.get(Office, "351504").address in ready


def test_the_officer_serves_a_counter_visit_and_records_a_central_rejection(
        client, page, session, login_as):
    login_as("officer")
    visit = counter_visit(session, nik=fresh_nik())
    other = counter_visit(session, service="rusak", nik=fresh_nik())
    session.commit()
    shown = page(client, f"/officer/booking/{visit.code}")
    assert shown.select_one("#step-served-title") is not None
    assert shown.select_one("#step-in_capture-title") is None  # a counter visit records nothing
    done = client.post(f"/officer/booking/{visit.code}/served")
    assert "Tanda terima layanan sudah dibuat" in page(client, done.headers["Location"]).text
    assert client.post(f"/officer/booking/{other.code}/to_recording").status_code == 303
    assert page(client, f"/officer/booking/{other.code}").select_one(
        "#step-in_capture-title") is not None
    missing = page(client, f"/officer/booking/{visit.code}/central_rejected", method="POST",
                   status=422, data={})
    assert missing.select_one(".error-summary a[href='#central_rejected-reason-0']")
    assert client.post(f"/officer/booking/{visit.code}/central_rejected",
                       data={"central_rejected-reason": "duplicate"}).status_code == 303
    session.expire_all()
    assert session.get(Booking, visit.id).status == "central_rejected"
    assert receipts.latest_receipt(session, visit.id, "service") is not None
