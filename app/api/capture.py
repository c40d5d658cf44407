"""The portal side of capture (CAPTURE.md §3): roster, heartbeat, sealed records and bundles.

Records: `POST /capture/records` announces the metadata and `PUT /capture/records/{id}` sends the
sealed packet (a station-signed JWS, `application/jose`); each answers 201 new, 200 already
had it (same hash), 409 the same id with another hash — so an agent may repeat either as often
as the link makes it.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field

from .. import messages
from ..db import get_session
from ..domain import capacity
from ..domain import capture as captures
from ..extensions import limiter
from ..models import Office, utcnow
from . import ApiError, current_token, parse_body, route
from .bookings import _day_param, _token_key
from .schemas import ErrorOut

AGENT = ("capture_agent",)
BUNDLE_ROLES = ("admin", "officer")
# A station flushes its outbox in bursts after the link returns (1,000 records in 30 s).
CAPTURE_RATE = "12000 per minute"
MAX_BUNDLE_BYTES = 64 * 1024 * 1024
RECORD_ID = r"[A-Za-z0-9_-]{8,64}"

MESSAGES = {
    "unknown_station": (404, _l("Stasiun perekaman ini tidak dikenal portal.")),
    "wrong_office": (403, _l("Token ini tidak boleh melakukan tindakan ini.")),
    "hash_conflict": (409, _l("Rekaman dengan ID ini sudah ada dengan isi yang berbeda.")),
    "not_announced": (404, _l("Rekaman ini belum diumumkan: kirim metadatanya dulu.")),
    "bad_packet": (422, _l("Paket rekaman tidak sah: tanda tangan stasiun atau isinya salah.")),
    "bad_bundle": (422, _l("Bundel tidak sah: tanda tangan atau isinya salah.")),
    "chain_broken": (409, _l("Rantai bundel putus: bundel ini tidak cocok dengan bundel "
                             "sebelumnya dari stasiun yang sama.")),
    "invalid": (422, messages.INVALID),
}


def _refuse(error: captures.CaptureError) -> ApiError:
    get_session().rollback()
    status, text = MESSAGES.get(error.code, MESSAGES["invalid"])
    errors = {error.detail: text} if error.code == "invalid" and error.detail else {}
    return ApiError(status, error.code, text, errors)


def _station(code: str):
    try:
        return captures.station_in_office(get_session(), code, current_token().office_code)
    except captures.CaptureError as error:
        raise _refuse(error) from None


class RosterOut(BaseModel):
    office: str
    date: str
    upstream_public_key: str
    bookings: list[dict]


# No route scope: it reads the token's own office, never one named in the request.
@route("/capture/roster", summary="The day's station bookings of the token's office",
       roles=AGENT,
       responses={200: ("Bookings (masked NIK) and the upstream sealing key", RosterOut)},
       params=[{"name": "date", "in": "query", "schema": {"type": "string", "format": "date"},
                "description": "the day (office zone); default today"}])
@limiter.limit(CAPTURE_RATE, key_func=_token_key)
def capture_roster_json():
    office = get_session().get(Office, current_token().office_code)
    day: date = _day_param("date", capacity.local_today(office, utcnow()))
    return jsonify({"office": office.code, "date": day.isoformat(),
                    "upstream_public_key": current_app.config["UPSTREAM_PUBLIC_KEY"],
                    "bookings": captures.roster(get_session(), office, day)})


class DeviceIn(BaseModel):
    kind: str = Field(max_length=12)
    status: str = Field(max_length=12)
    serial: str = Field(default="", max_length=40)


class HeartbeatIn(BaseModel):
    station: str = Field(max_length=20)
    agent_version: str = Field(default="", max_length=20)
    devices: list[DeviceIn] = Field(default_factory=list, max_length=20)
    outbox_queued: int = Field(default=0, ge=0)
    station_key: dict | None = None  # the station's Ed25519 public JWK


@route("/capture/heartbeat", "POST", summary="A station agent's health (raises alarms only)",
       roles=AGENT, scope=("office",), body=HeartbeatIn,
       responses={200: ("Noted; the station's state as the portal knows it", dict)})
@limiter.limit(CAPTURE_RATE, key_func=_token_key)
def capture_heartbeat_json():
    body = parse_body(HeartbeatIn)
    station = _station(body.station)
    try:
        beat = captures.heartbeat(get_session(), station, agent_version=body.agent_version,
                                  devices=[d.model_dump() for d in body.devices],
                                  outbox_queued=body.outbox_queued, station_key=body.station_key)
    except captures.CaptureError as error:
        raise _refuse(error) from None
    get_session().commit()
    return jsonify({"station": station.code, "state": station.state,
                    "server_time": beat.last_seen_at.isoformat(timespec="seconds")})


class RecordIn(BaseModel):
    station: str = Field(max_length=20)
    record_id: str = Field(pattern=RECORD_ID)
    booking_code: str = Field(min_length=8, max_length=8)
    sha256: str = Field(pattern=r"[0-9a-fA-F]{64}")
    size: int = Field(ge=1, le=4 * 1024 * 1024)
    meta: dict = Field(default_factory=dict)


class RecordOut(BaseModel):
    record_id: str
    booking_code: str
    sha256: str
    stored: bool  # the packet is here too (else PUT it)
    outcome: str  # recorded | already | unknown_booking | a booking status it could not move
    created: bool


@route("/capture/records", "POST", summary="Announce a sealed record (metadata)", roles=AGENT,
       scope=("office",), body=RecordIn,
       responses={201: ("New", RecordOut), 200: ("Already had it, same hash", RecordOut),
                  409: ("hash_conflict: same id, another hash", ErrorOut)})
@limiter.limit(CAPTURE_RATE, key_func=_token_key)
def announce_record_json():
    body = parse_body(RecordIn)
    station = _station(body.station)
    try:
        status, row = captures.announce(get_session(), station, record_id=body.record_id,
                                        booking_code=body.booking_code, sha256=body.sha256,
                                        size=body.size, meta=body.meta)
    except captures.CaptureError as error:
        raise _refuse(error) from None
    answer = captures.record_view(row, status)
    get_session().commit()
    return jsonify(answer), status


@route("/capture/records/<record_id>", "PUT", summary="The sealed packet of a record",
       roles=AGENT, scope=("office",),
       responses={201: ("Stored; the booking is recorded", RecordOut),
                  200: ("Already stored, same hash", RecordOut),
                  404: ("not_announced", ErrorOut),
                  409: ("hash_conflict", ErrorOut), 422: ("bad_packet", ErrorOut)})
@limiter.limit(CAPTURE_RATE, key_func=_token_key)
def store_record_json(record_id: str):
    try:
        status, row = captures.store_packet(get_session(), record_id,
                                            request.get_data(cache=False),
                                            office_code=current_token().office_code,
                                            data_key=current_app.config["DATA_KEY"])
    except captures.CaptureError as error:
        raise _refuse(error) from None
    answer = captures.record_view(row, status)
    get_session().commit()
    return jsonify(answer), status


# No route scope: the office is the bundle's station's, known only once its signed manifest is
# read; the domain then refuses (403 wrong_office) a token of another office.
@route("/capture/bundles", "POST", summary="Import a station's exported bundle (zip)",
       roles=BUNDLE_ROLES,
       responses={200: ("What was new, duplicate or rejected", dict),
                  409: ("chain_broken", ErrorOut), 422: ("bad_bundle", ErrorOut)})
def import_bundle_json():
    request.max_content_length = MAX_BUNDLE_BYTES
    upload = request.files.get("bundle")
    if upload is None:
        raise ApiError(422, "invalid", messages.INVALID, {"bundle": MESSAGES["bad_bundle"][1]})
    token = current_token()
    try:
        report = captures.import_bundle(get_session(), upload.read(MAX_BUNDLE_BYTES + 1),
                                        actor=f"token:{token.id}", office_code=token.office_code,
                                        data_key=current_app.config["DATA_KEY"])
    except captures.CaptureError as error:
        raise _refuse(error) from None
    get_session().commit()
    return jsonify(report)
