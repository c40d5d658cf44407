"""Missed heartbeats raise an alarm (and nothing else); the officer confirms a station down
through the station-state function; a flashdisk bundle imported from the officer's page; the
station's provisional tanda terima verified at /v/ until the portal's own receipt supersedes it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlmodel import select

from app.capture import packet as packets
from app.domain import capture as captures
from app.models import CaptureRecord, Slot, Station, utcnow
from tests.support.capture import STATION, sealed_record
from tests.support.receipt_bookings import make_booking, today_at

pytestmark = pytest.mark.db


@pytest.fixture
def agent(client, api_token):
    headers = api_token("capture_agent")
    key = packets.StationKey.generate(STATION)
    assert client.post("/api/v1/capture/heartbeat", headers=headers, json={
        "station": STATION, "station_key": key.public_jwk(),
        "devices": [{"kind": "face", "status": "ready"}]}).status_code == 200
    return headers, key


def test_a_missed_heartbeat_raises_an_alarm_only(session, agent):
    now = utcnow()
    assert captures.alarms(session, "351504", alarm_seconds=180, now=now) == []
    later = now + timedelta(minutes=4)
    [alarm] = captures.alarms(session, "351504", alarm_seconds=180, now=later)
    assert (alarm.station.code, alarm.reason) == (STATION, "no_heartbeat")
    session.expire_all()
    station = session.exec(select(Station).where(Station.code == STATION)).one()
    assert station.state == "active"  # a dropped link alone moves nobody


def test_devices_not_ready_raise_an_alarm(client, session, agent):
    headers, _ = agent
    client.post("/api/v1/capture/heartbeat", headers=headers, json={
        "station": STATION, "devices": [{"kind": "iris", "status": "not_ready"},
                                        {"kind": "face", "status": "ready"}]})
    [alarm] = captures.alarms(session, "351504", alarm_seconds=180)
    assert (alarm.reason, alarm.devices) == ("devices_not_ready", ("iris",))


def test_the_officer_sees_the_alarm_and_confirms_the_station_down(client, session, page,
                                                                  login_as, agent):
    headers, _ = agent
    client.post("/api/v1/capture/heartbeat", headers=headers, json={
        "station": STATION, "devices": [{"kind": "finger", "status": "not_ready"}]})
    future = make_booking(session, starts_at=today_at(10) + timedelta(days=3))
    session.commit()
    before = session.get(Slot, future.slot_id).capacity
    login_as("officer")
    shown = page(client, "/officer/stasiun/")
    assert shown.select_one("#station-alarms") is not None
    form = shown.select_one(f"#station-{STATION} form")
    confirmed = client.post(form["action"], data={})
    assert confirmed.status_code == 303
    session.expire_all()
    station = session.exec(select(Station).where(Station.code == STATION)).one()
    assert station.state == "down"
    assert session.get(Slot, future.slot_id).capacity < before  # capacity recomputed
    assert page(client, confirmed.headers["Location"]).select_one("#station-alarms") is None


def test_a_bundle_imported_from_the_officers_page(client, session, page, login_as, agent):
    _, key = agent
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    session.commit()
    announcement, packet = sealed_record(key, booking.code)
    announcement.pop("station")
    data, _ = packets.write_bundle(key, bundle_id="web-b1", station=STATION, previous_id=None,
                                   previous_sha256=None, packets=[(announcement, packet)],
                                   created_at="2026-12-01T10:00:00+00:00")
    login_as("officer")
    page(client, "/officer/stasiun/")
    done = page(client, "/officer/stasiun/bundel", method="POST",
                data={"bundle": (io.BytesIO(data), "b.zip")},
                content_type="multipart/form-data")
    assert "1" in done.select_one("#bundle-report").get_text()
    session.expire_all()
    assert session.exec(select(CaptureRecord).where(
        CaptureRecord.record_id == announcement["record_id"])).one().stored_at is not None
    empty = page(client, "/officer/stasiun/bundel", method="POST", data={}, status=422)
    assert empty.select_one(".error-summary") is not None


def _provisional(key, booking, record_id):
    return key.sign_jws({"v": 1, "d": "provisional", "b": booking.code, "o": "351504",
                         "n": booking.name, "k": booking.nik_last4, "t": "pemula",
                         "st": STATION, "r": record_id, "iat": int(utcnow().timestamp()),
                         "exp": int((utcnow() + timedelta(days=30)).timestamp())})


def test_the_provisional_receipt_verifies_until_the_record_supersedes_it(client, session, page,
                                                                        agent):
    headers, key = agent
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    session.commit()
    announcement, packet = sealed_record(key, booking.code)
    token = _provisional(key, booking, announcement["record_id"])
    shown = page(client, f"/v/{token}")
    assert "belum diterima" in shown.select_one("#provisional-status").get_text()
    keys = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert key.kid in {k["kid"] for k in keys}
    client.post("/api/v1/capture/records", headers=headers, json=announcement)
    client.put(f"/api/v1/capture/records/{announcement['record_id']}", headers=headers,
               data=packet)
    assert "Sudah diganti" in page(client, f"/v/{token}").select_one(
        "#provisional-status").get_text()


def test_a_provisional_receipt_from_an_unknown_key_is_not_genuine(client, session, page, agent):
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    session.commit()
    stranger = packets.StationKey.generate(STATION)
    token = _provisional(stranger, booking, "r" * 32)
    assert captures.verify_provisional(session, token).genuine is False
    assert page(client, f"/v/{token}").select_one("#provisional-status") is None
