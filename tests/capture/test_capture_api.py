"""The portal's capture API (CAPTURE.md §3): roster, heartbeat, records with 201/200/409 and the
booking recorded through the same function as recording by hand; bundles."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from app.capture import packet as packets
from app.domain import receipts
from app.models import Booking, CaptureHeartbeat, CaptureRecord, Receipt
from tests.support.capture import (
    DEMO_UPSTREAM_PRIVATE,
    STATION,
    sealed_record,
    synthetic_bio,
)
from tests.support.niks import fresh_nik
from tests.support.receipt_bookings import make_booking, today_at

pytestmark = pytest.mark.db


@pytest.fixture
def agent(client, api_token):
    """A station agent: its token, its key registered by a first heartbeat."""
    headers = api_token("capture_agent")
    key = packets.StationKey.generate(STATION)
    beat = client.post("/api/v1/capture/heartbeat", headers=headers, json={
        "station": STATION, "agent_version": "t", "outbox_queued": 0,
        "devices": [{"kind": "face", "status": "ready", "serial": "S1"}],
        "station_key": key.public_jwk()})
    assert beat.status_code == 200, beat.get_json()
    return headers, key


def _send(client, headers, announcement, packet):
    posted = client.post("/api/v1/capture/records", headers=headers, json=announcement)
    put = client.put(f"/api/v1/capture/records/{announcement['record_id']}", headers=headers,
                     data=packet, content_type="application/jose")
    return posted, put


def test_roster_has_todays_station_bookings_masked(client, session, agent):
    headers, _ = agent
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    session.commit()
    answer = client.get("/api/v1/capture/roster", headers=headers).get_json()
    row = next(b for b in answer["bookings"] if b["code"] == booking.code)
    assert row["nik_masked"].endswith(booking.nik_last4) and row["status"] == "checked_in"
    assert booking.nik_hash not in json.dumps(answer)
    assert answer["upstream_public_key"]


def test_a_stored_record_records_the_booking_once(client, session, agent):
    headers, key = agent
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    session.commit()
    announcement, packet = sealed_record(key, booking.code)
    posted, put = _send(client, headers, announcement, packet)
    assert (posted.status_code, put.status_code) == (201, 201), put.get_json()
    assert put.get_json()["outcome"] == "recorded"
    session.expire_all()
    assert session.get(Booking, booking.id).status == "recorded"
    recording = receipts.latest_receipt(session, booking.id, "recording")
    assert receipts.verify_token(session, recording.token).status == "valid"
    again_posted, again_put = _send(client, headers, announcement, packet)
    assert (again_posted.status_code, again_put.status_code) == (200, 200)
    assert again_posted.get_json()["stored"] is True
    assert len(session.exec(select(Receipt).where(Receipt.booking_id == booking.id,
                                                  Receipt.kind == "recording")).all()) == 1


def test_same_id_other_hash_is_409(client, session, agent):
    headers, key = agent
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    session.commit()
    announcement, packet = sealed_record(key, booking.code)
    assert _send(client, headers, announcement, packet)[1].status_code == 201
    other, other_packet = sealed_record(key, booking.code, record_id=announcement["record_id"])
    posted = client.post("/api/v1/capture/records", headers=headers, json=other)
    assert (posted.status_code, posted.get_json()["error"]) == (409, "hash_conflict")
    put = client.put(f"/api/v1/capture/records/{announcement['record_id']}", headers=headers,
                     data=other_packet)
    assert put.status_code == 409


def test_a_packet_before_its_announcement_or_from_an_unknown_key_is_refused(
        client, session, agent):
    headers, _ = agent
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    session.commit()
    stranger = packets.StationKey.generate(STATION)  # never registered
    announcement, packet = sealed_record(stranger, booking.code)
    early = client.put(f"/api/v1/capture/records/{announcement['record_id']}", headers=headers,
                       data=packet)
    assert early.status_code == 404
    posted, put = _send(client, headers, announcement, packet)
    assert posted.status_code == 201
    assert (put.status_code, put.get_json()["error"]) == (422, "bad_packet")
    session.expire_all()
    assert session.get(Booking, booking.id).status == "checked_in"


@pytest.mark.parametrize("status", ["booked", "no_show", "in_capture"])
def test_a_record_overrides_booked_and_no_show(client, session, agent, status):
    headers, key = agent
    booking = make_booking(session, starts_at=today_at(8), status=status)
    session.commit()
    assert _send(client, headers, *sealed_record(key, booking.code))[1].status_code == 201
    session.expire_all()
    assert session.get(Booking, booking.id).status == "recorded"


def test_another_offices_agent_may_not_send_for_this_station(client, session, agent,
                                                             api_token):
    _, key = agent
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    session.commit()
    announcement, _packet = sealed_record(key, booking.code)
    other = client.post("/api/v1/capture/records", headers=api_token("capture_agent", "737109"),
                        json=announcement)
    assert other.status_code == 403


def test_the_portal_holds_only_ciphertext(client, session, agent):
    headers, key = agent
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    session.commit()
    bio = synthetic_bio()
    announcement, packet = sealed_record(key, booking.code, bio=bio)
    _send(client, headers, announcement, packet)
    row = session.exec(select(CaptureRecord).where(
        CaptureRecord.record_id == announcement["record_id"])).one()
    assert bio not in row.packet and packets.b64url(bio).encode() not in row.packet
    # ... which upstream, and only upstream, opens
    record = packets.read_packet(row.packet, lambda kid: key.public_jwk())
    opened = json.loads(packets.open_sealed(record["sealed"], DEMO_UPSTREAM_PRIVATE))
    assert packets.b64url_decode(opened["face"]) == bio


def test_heartbeat_notes_health_without_touching_capacity(client, session, agent):
    headers, _ = agent
    beat = client.post("/api/v1/capture/heartbeat", headers=headers, json={
        "station": STATION, "devices": [{"kind": "iris", "status": "not_ready"}]})
    assert beat.get_json()["state"] == "active"
    session.expire_all()
    row = session.get(CaptureHeartbeat, STATION)
    assert json.loads(row.devices)[0]["status"] == "not_ready"


def _bundle(key, records, *, bundle_id="b1", previous=None, previous_sha=None):
    return packets.write_bundle(key, bundle_id=bundle_id, station=STATION,
                                previous_id=previous, previous_sha256=previous_sha,
                                packets=[({k: v for k, v in a.items() if k != "station"}, p)
                                         for a, p in records],
                                created_at=today_at(12).isoformat())


def _import(client, headers, data):
    import io

    return client.post("/api/v1/capture/bundles", headers=headers,
                       data={"bundle": (io.BytesIO(data), "bundle.zip")},
                       content_type="multipart/form-data")


def test_bundle_import_reports_and_a_reimport_adds_nothing(client, session, agent, api_token):
    headers, key = agent
    officer = api_token("officer")
    bookings = [make_booking(session, starts_at=today_at(9) + timedelta(minutes=i),
                             status="checked_in", nik=fresh_nik()) for i in range(3)]
    session.commit()
    records = [sealed_record(key, b.code) for b in bookings]
    _send(client, headers, *records[0])  # one already came over the network
    first, first_sha = _bundle(key, records)
    report = _import(client, officer, first).get_json()
    assert (len(report["new"]), len(report["duplicate"]), report["rejected"]) == (2, 1, [])
    again = _import(client, officer, first).get_json()
    assert (again["new"], len(again["duplicate"])) == ([], 3)
    session.expire_all()
    assert {session.get(Booking, b.id).status for b in bookings} == {"recorded"}
    assert session.exec(select(CaptureRecord).where(
        CaptureRecord.station_code == STATION)).all().__len__() == 3
    # the next bundle names the first; one that names it with another hash is refused
    more = [sealed_record(key, make_booking(session, starts_at=today_at(11), nik=fresh_nik(),
                                            status="checked_in").code)]
    session.commit()
    broken, _ = _bundle(key, more, bundle_id="b2", previous="b1", previous_sha="0" * 64)
    refused = _import(client, officer, broken)
    assert (refused.status_code, refused.get_json()["error"]) == (409, "chain_broken")
    chained, _ = _bundle(key, more, bundle_id="b2", previous="b1", previous_sha=first_sha)
    assert len(_import(client, officer, chained).get_json()["new"]) == 1


def test_a_bundle_with_a_bad_signature_is_refused(client, session, agent, api_token):
    _, key = agent
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    session.commit()
    data, _ = _bundle(key, [sealed_record(key, booking.code)])
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    forged = io.BytesIO()
    with zipfile.ZipFile(forged, "w") as out:
        for name in source.namelist():
            content = source.read(name)
            if name == "manifest.json":
                content = content.replace(b'"b1"', b'"b9"')
            out.writestr(name, content)
    refused = _import(client, api_token("officer"), forged.getvalue())
    assert (refused.status_code, refused.get_json()["error"]) == (422, "bad_bundle")
    session.expire_all()
    assert session.get(Booking, booking.id).status == "checked_in"


def test_a_station_marks_a_checked_in_booking_in_capture(client, session, agent):
    headers, _ = agent
    booking = make_booking(session, starts_at=today_at(10), status="checked_in")
    waiting = make_booking(session, starts_at=today_at(10), status="booked", nik=fresh_nik())
    session.commit()
    first = client.post(f"/api/v1/bookings/{booking.code}/in-capture", headers=headers)
    assert (first.status_code, first.get_json()["booking"]["status"]) == (200, "in_capture")
    again = client.post(f"/api/v1/bookings/{booking.code}/in-capture", headers=headers)
    assert again.status_code == 200  # a station may repeat it
    refused = client.post(f"/api/v1/bookings/{waiting.code}/in-capture", headers=headers)
    assert (refused.status_code, refused.get_json()["error"]) == (409, "wrong_state")
