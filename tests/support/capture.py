"""Capture test helpers: the demo upstream key pair (its public half is the config default)."""

DEMO_UPSTREAM_PUBLIC = "v_4MGpDUdGjiHbSSOYV062lE8NxtiXl1m9jFJfoyBmk"
# Only the fake upstream holds this; the portal's code never does.
DEMO_UPSTREAM_PRIVATE = "HQKcK_ID5o_ffaPmsOAQXm7aAcOkfYe4WJmZcY3PDn0"


import json  # noqa: E402
import secrets  # noqa: E402

from app.capture import packet as packets  # noqa: E402
from app.capture.sim import SYNTHETIC_MARKER  # noqa: E402

STATION = "351504-1"


def synthetic_bio() -> bytes:
    return SYNTHETIC_MARKER + b"test/" + secrets.token_bytes(24)


def sealed_record(key: packets.StationKey, booking_code: str, *, bio: bytes | None = None,
                  record_id: str | None = None, station: str = STATION,
                  meta: dict | None = None) -> tuple[dict, bytes]:
    """(announcement, packet) as an agent makes them: the bio sealed to the demo upstream."""
    bio = bio or synthetic_bio()
    record_id = record_id or secrets.token_hex(12)
    meta = meta or {"steps": {"face": {"attempts": 1, "quality": 95.0}}, "operator": "t"}
    sealed = packets.seal(json.dumps({"face": packets.b64url(bio)}).encode(),
                          DEMO_UPSTREAM_PUBLIC)
    packet = packets.make_packet(key, record_id=record_id, station=station,
                                 booking_code=booking_code, meta=meta, sealed=sealed)
    return ({"station": station, "record_id": record_id, "booking_code": booking_code,
             "sha256": packets.sha256_hex(packet), "size": len(packet), "meta": meta}, packet)


def roster_answer(bookings: list[tuple[str, str]], office: str = "351504",
                  day: str = "2026-12-01") -> dict:
    """A roster as GET /api/v1/capture/roster answers it: (code, status) pairs, NIK ...1234."""
    return {"office": office, "date": day, "upstream_public_key": DEMO_UPSTREAM_PUBLIC,
            "bookings": [{"code": code, "nik_masked": "351504••••••1234", "nik_last4": "1234",
                          "name": f"Warga {code}", "service": "pemula",
                          "slot": {"start": f"{day}T09:00:00+07:00",
                                   "end": f"{day}T09:30:00+07:00"},
                          "status": status, "priority": False} for code, status in bookings]}
