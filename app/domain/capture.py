"""The portal side of capture (CAPTURE.md §3): roster, heartbeat and alarms, sealed records
(201 new / 200 already had it / 409 same id, other hash), bundle import with a report.

A stored record makes its booking `recorded` through `receipts.mark_recorded` — the same function
as recording by hand. A record for a booking still `booked` or already `no_show` (the desk
checked the person in while the link was down) is first checked in here, then recorded.
The portal never opens the sealed biometric part: it checks the station's signature over the
packet and keeps the bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from ..capture import packet as packets
from ..formatting import masked_nik
from ..models import (
    Booking,
    CaptureBundle,
    CaptureHeartbeat,
    CaptureRecord,
    CaptureStationKey,
    Office,
    Slot,
    Station,
    utcnow,
)
from . import audit, receipts, stations
from . import booking as bookings
from .checkin import local_day_bounds

AGENT_READY = "ready"
RECORDED_ALREADY = ("recorded", "card_ready", "collected", "central_rejected")
MAX_META = 64 * 1024


class CaptureError(Exception):
    """`code`: unknown_station, wrong_office, unknown_booking, hash_conflict, not_announced,
    bad_packet, bad_bundle, chain_broken, invalid."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


# --- stations and keys -----------------------------------------------------------------------


def station_in_office(session: Session, station_code: str, office_code: str | None) -> Station:
    station = session.exec(select(Station).where(Station.code == station_code)).first()
    if station is None:
        raise CaptureError("unknown_station")
    if office_code is not None and station.office_code != office_code:
        raise CaptureError("wrong_office")
    return station


def station_key(session: Session, kid: str | None, station_code: str | None = None) -> dict | None:
    if not isinstance(kid, str):
        return None
    row = session.get(CaptureStationKey, kid)
    if row is None or (station_code is not None and row.station_code != station_code):
        return None
    return json.loads(row.public_jwk)


def published_station_keys(session: Session) -> list[dict]:
    """For the JWKS: /v/ verifies a station's provisional receipts with these."""
    return [json.loads(k.public_jwk) for k in
            session.exec(select(CaptureStationKey).order_by(CaptureStationKey.kid))]


def _register_key(session: Session, station: Station, jwk: dict | None, now: datetime) -> None:
    if not isinstance(jwk, dict) or not isinstance(jwk.get("kid"), str):
        return
    clean = {k: jwk.get(k) for k in ("kty", "crv", "x", "kid", "use", "alg")}
    if clean["kty"] != "OKP" or clean["crv"] != "Ed25519" or not isinstance(clean["x"], str):
        raise CaptureError("invalid", "station_key")
    existing = session.get(CaptureStationKey, clean["kid"])
    if existing is not None:
        if existing.station_code != station.code or json.loads(existing.public_jwk) != clean:
            raise CaptureError("invalid", "station_key")  # a kid is never reused for another key
        return
    session.add(CaptureStationKey(kid=clean["kid"], station_code=station.code,
                                  public_jwk=json.dumps(clean), created_at=now))
    audit.record(session, "capture", "station.key", f"station:{station.code}", clean["kid"])


# --- roster ----------------------------------------------------------------------------------


def roster(session: Session, office: Office, day: date) -> list[dict]:
    """The office's station bookings of the day (office zone): never a NIK, only its mask."""
    start, _ = local_day_bounds(office, datetime.combine(day, datetime.min.time(),
                                                         tzinfo=_zone(office)))
    end = start + timedelta(days=1)
    rows = session.execute(
        sa.select(Booking, Slot).join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.office_code == office.code, Booking.status != "moved",
               Slot.pool == "station", Slot.starts_at >= start, Slot.starts_at < end)
        .order_by(Slot.starts_at, Booking.priority.desc(), Booking.created_at)).all()
    tz = _zone(office)
    return [{"code": b.code, "nik_masked": masked_nik(b.nik_last4), "nik_last4": b.nik_last4,
             "name": b.name, "service": b.service,
             "slot": {"start": s.starts_at.astimezone(tz).isoformat(timespec="seconds"),
                      "end": s.ends_at.astimezone(tz).isoformat(timespec="seconds")},
             "status": b.status, "priority": b.priority} for b, s in rows]


def _zone(office: Office):
    from zoneinfo import ZoneInfo

    return ZoneInfo(office.timezone)


# --- heartbeat and alarms --------------------------------------------------------------------


def heartbeat(session: Session, station: Station, *, agent_version: str, devices: list[dict],
              outbox_queued: int, station_key: dict | None, now: datetime | None = None
              ) -> CaptureHeartbeat:
    """Note the agent's health. Never changes the station's state: only a person does that."""
    now = now or utcnow()
    _register_key(session, station, station_key, now)
    summary = [{"kind": str(d.get("kind", ""))[:12], "status": str(d.get("status", ""))[:12],
                "serial": str(d.get("serial", ""))[:40]} for d in devices[:20]
               if isinstance(d, dict)]
    row = session.get(CaptureHeartbeat, station.code)
    if row is None:
        row = CaptureHeartbeat(station_code=station.code, last_seen_at=now)
    row.last_seen_at, row.agent_version = now, agent_version[:20]
    row.devices, row.outbox_queued = json.dumps(summary), max(0, int(outbox_queued))
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Alarm:
    station: Station
    reason: str  # no_heartbeat | devices_not_ready
    last_seen_at: datetime | None
    devices: tuple[str, ...] = ()  # kinds not ready


def alarms(session: Session, office_code: str | None, *, alarm_seconds: int,
           now: datetime | None = None) -> list[Alarm]:
    """Active recording stations whose heartbeat is missing or old, or whose devices are not
    ready. An alarm only informs: confirm_station_down takes the capacity out."""
    now = now or utcnow()
    query = (select(Station, CaptureHeartbeat)
             .join(CaptureHeartbeat, CaptureHeartbeat.station_code == Station.code, isouter=True)
             .where(Station.pool == "station", Station.state == "active")
             .order_by(Station.code))
    if office_code is not None:
        query = query.where(Station.office_code == office_code)
    found = []
    for station, beat in session.exec(query):
        if beat is None:
            continue  # a station without an agent yet: recorded by hand, nothing to miss
        if now - beat.last_seen_at > timedelta(seconds=alarm_seconds):
            found.append(Alarm(station, "no_heartbeat", beat.last_seen_at))
            continue
        down = tuple(d["kind"] for d in json.loads(beat.devices) if d.get("status") != AGENT_READY)
        if down:
            found.append(Alarm(station, "devices_not_ready", beat.last_seen_at, down))
    return found


def confirm_station_down(session: Session, station: Station, actor: str,
                         now: datetime | None = None) -> stations.Recompute:
    """The officer or admin confirms the alarm: the station-state function recomputes."""
    return stations.set_station_state(session, station.code, "down", actor, now)


# --- records ---------------------------------------------------------------------------------


def _clean_meta(meta) -> str:
    text = json.dumps(meta if isinstance(meta, dict) else {}, sort_keys=True)
    if len(text) > MAX_META:
        raise CaptureError("invalid", "meta")
    return text


def announce(session: Session, station: Station, *, record_id: str, booking_code: str,
             sha256: str, size: int, meta: dict, source: str = "network",
             now: datetime | None = None) -> tuple[int, CaptureRecord]:
    """The record's metadata: 201 new, 200 the same id with the same hash (a retry), 409 the
    same id with another hash (CaptureError hash_conflict)."""
    now = now or utcnow()
    existing = session.exec(select(CaptureRecord).where(CaptureRecord.record_id == record_id)
                            ).first()
    if existing is None:
        row = CaptureRecord(record_id=record_id, station_code=station.code,
                            booking_code=booking_code, sha256=sha256.lower(), size=size,
                            meta=_clean_meta(meta), source=source, announced_at=now)
        try:
            with session.begin_nested():
                session.add(row)
            return 201, row
        except IntegrityError:
            existing = session.exec(select(CaptureRecord)
                                    .where(CaptureRecord.record_id == record_id)).one()
    if existing.sha256 != sha256.lower() or existing.station_code != station.code:
        raise CaptureError("hash_conflict")
    return 200, existing


def store_packet(session: Session, record_id: str, packet: bytes, *, office_code: str | None,
                 data_key: str, now: datetime | None = None) -> tuple[int, CaptureRecord]:
    """The sealed packet of an announced record: 201 stored now (and the booking recorded),
    200 already stored with the same bytes, 409 bytes whose hash is not the announced one."""
    now = now or utcnow()
    row = session.exec(select(CaptureRecord).where(CaptureRecord.record_id == record_id)).first()
    if row is None:
        raise CaptureError("not_announced")
    station = station_in_office(session, row.station_code, office_code)
    if packets.sha256_hex(packet) != row.sha256:
        raise CaptureError("hash_conflict")
    if row.stored_at is not None:
        return 200, row
    try:
        record = packets.read_packet(packet, lambda kid: station_key(session, kid, station.code))
    except packets.PacketError as error:
        raise CaptureError("bad_packet", str(error)) from None
    if (record.get("record_id"), record.get("booking_code"), record.get("station")) != (
            row.record_id, row.booking_code, station.code):
        raise CaptureError("bad_packet", "mismatch")
    won = session.execute(
        sa.update(CaptureRecord)
        .where(CaptureRecord.id == row.id, CaptureRecord.stored_at.is_(None))
        .values(packet=packet, stored_at=now, size=len(packet))
        .execution_options(synchronize_session=False)).rowcount == 1
    if not won:  # a concurrent delivery of the same bytes stored it first
        session.refresh(row)
        return 200, row
    outcome = _record_booking(session, row, station, data_key, now)
    session.execute(sa.update(CaptureRecord).where(CaptureRecord.id == row.id)
                    .values(outcome=outcome).execution_options(synchronize_session=False))
    # What the two UPDATEs wrote, without reading the row (and its packet) back.
    for name, value in (("packet", packet), ("stored_at", now), ("size", len(packet)),
                        ("outcome", outcome)):
        set_committed_value(row, name, value)
    return 201, row


def _record_booking(session: Session, row: CaptureRecord, station: Station, data_key: str,
                    now: datetime) -> str:
    actor = f"station:{station.code}"
    booking = bookings.find_current(session, row.booking_code)
    if booking is None or booking.office_code != station.office_code:
        return "unknown_booking"
    if booking.status in ("booked", "no_show"):
        # The desk checked them in while the link was down: the record overrides a no_show.
        session.execute(sa.update(Booking)
                        .where(Booking.id == booking.id, Booking.status.in_(("booked", "no_show")))
                        .values(status="checked_in", checked_in_at=now)
                        .execution_options(synchronize_session=False))
        session.refresh(booking)
        audit.record(session, actor, "booking.check_in", f"booking:{booking.code}", "capture")
    if booking.status in receipts.RECORDABLE_STATUSES:
        receipts.mark_recorded(session, booking, actor, data_key=data_key, now=now)
        return "recorded"
    if booking.status in RECORDED_ALREADY:
        return "already"
    return booking.status[:20]


def record_view(row: CaptureRecord, status: int) -> dict:
    return {"record_id": row.record_id, "booking_code": row.booking_code, "sha256": row.sha256,
            "stored": row.stored_at is not None, "outcome": row.outcome,
            "created": status == 201}


# --- bundles ---------------------------------------------------------------------------------


def import_bundle(session: Session, data: bytes, *, actor: str, office_code: str | None,
                  data_key: str, now: datetime | None = None) -> dict:
    """Every record of a bundle with the network's duplicate rules; refused whole when its
    signature or its chain to the previous bundle is broken. A re-import adds nothing."""
    now = now or utcnow()

    def key_for(kid):
        return station_key(session, kid)

    try:
        bundle = packets.read_bundle(data, key_for)
    except packets.PacketError as error:
        raise CaptureError("bad_bundle", str(error)) from None
    manifest = bundle.manifest
    key_row = session.get(CaptureStationKey, manifest["kid"])
    if manifest.get("station") != key_row.station_code:
        raise CaptureError("bad_bundle", "station")
    station = station_in_office(session, key_row.station_code, office_code)
    previous_id = manifest.get("previous_bundle_id")
    if previous_id is not None:
        previous = session.get(CaptureBundle, previous_id)
        if previous is not None and previous.manifest_sha256 != manifest.get(
                "previous_manifest_sha256"):
            raise CaptureError("chain_broken")
    seen = session.get(CaptureBundle, manifest["bundle_id"])
    if seen is not None and seen.manifest_sha256 != bundle.manifest_sha256:
        raise CaptureError("chain_broken")
    report = {"bundle_id": manifest["bundle_id"], "station": station.code, "new": [],
              "duplicate": [], "rejected": [],
              "previous_missing": previous_id is not None
              and session.get(CaptureBundle, previous_id) is None}
    for entry in manifest.get("records") or []:
        rid = str(entry.get("record_id"))
        try:
            with session.begin_nested():
                _, row = announce(session, station, record_id=rid,
                                  booking_code=str(entry.get("booking_code", ""))[:8],
                                  sha256=str(entry.get("sha256", "")), size=int(entry.get("size", 0)),
                                  meta=entry.get("meta") or {}, source="bundle", now=now)
                stored, _ = store_packet(session, rid, bundle.packets[rid],
                                         office_code=station.office_code, data_key=data_key,
                                         now=now)
            report["new" if stored == 201 else "duplicate"].append(rid)
        except (CaptureError, receipts.ReceiptError, ValueError) as error:
            report["rejected"].append({"record_id": rid, "error": getattr(error, "code", "invalid")})
    if seen is None:
        session.add(CaptureBundle(bundle_id=manifest["bundle_id"], station_code=station.code,
                                  previous_bundle_id=previous_id,
                                  manifest_sha256=bundle.manifest_sha256, imported_at=now,
                                  imported_by=actor[:60], report=json.dumps(report)))
    audit.record(session, actor, "capture.bundle", f"station:{station.code}",
                 f"bundle={manifest['bundle_id']} new={len(report['new'])} "
                 f"duplicate={len(report['duplicate'])} rejected={len(report['rejected'])}")
    session.flush()
    return report


# --- the station's provisional tanda terima --------------------------------------------------


@dataclass(frozen=True)
class Provisional:
    genuine: bool
    status: str  # provisional | superseded | expired | invalid
    claims: dict
    booking: Booking | None = None
    station_code: str | None = None


NOT_PROVISIONAL = Provisional(False, "invalid", {})


def verify_provisional(session: Session, token: str, now: datetime | None = None) -> Provisional:
    """A station's provisional receipt (CAPTURE.md §3): signed by a station key the portal
    registered; "provisional — record not yet received" until the record is stored, then
    superseded by the portal's own recording receipt. Never raises for bad input."""
    now = now or utcnow()
    try:
        kid = packets.jws_kid(token)
        key = session.get(CaptureStationKey, kid)
        if key is None:
            return NOT_PROVISIONAL
        claims = packets.verify_jws(token, json.loads(key.public_jwk))
    except (packets.PacketError, ValueError):
        return NOT_PROVISIONAL
    if claims.get("d") != packets.PROVISIONAL or not isinstance(claims.get("b"), str):
        return NOT_PROVISIONAL
    station = session.exec(select(Station).where(Station.code == key.station_code)).first()
    booking = bookings.find_current(session, claims["b"])
    if station is None or booking is None or booking.office_code != station.office_code:
        return NOT_PROVISIONAL
    stored = session.exec(select(CaptureRecord.id).where(
        CaptureRecord.record_id == str(claims.get("r", "")),
        CaptureRecord.stored_at.is_not(None))).first()
    if stored is not None:
        status = "superseded"
    elif now.timestamp() >= float(claims.get("exp", 0)):
        status = "expired"
    else:
        status = "provisional"
    return Provisional(True, status, claims, booking, station.code)


# --- a station started the recording ---------------------------------------------------------


