"""Receipts anyone can verify (DESIGN §4): signing keys, issuing, status, verification.

A receipt's token is a JWS (EdDSA/Ed25519, `kid` header) over short claims; the QR on the paper
holds `{BASE_URL}/v/{token}`. Status is derived from the booking and later receipts, never
stored, so cancelling or rescheduling a booking needs no hook here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased, defer
from sqlmodel import Session, select

from ..adapters import signing
from ..formatting import display_code, masked_nik
from ..models import Booking, CaptureStationKey, Office, Receipt, SigningKey, Slot, utcnow
from . import audit, rows
from .office_settings import CardPickup, card_pickup

FORMAT_VERSION = 1
KINDS = ("booking", "recording", "service")  # service: a counter visit's tanda terima (issue 13)
# DESIGN §4: a booking receipt lasts until 30 days after its slot; a recording receipt a year.
BOOKING_GRACE = timedelta(days=30)
# Claims that are personal data: no longer shown once retention has emptied the receipt.
PERSONAL_CLAIMS = ("n", "k")
NAME_LENGTH = 40  # `n` is the name "as printed (may be shortened)": it keeps the QR small
# A booking receipt is used once the person is checked in; a recording receipt at card pickup.
USED_STATUSES = {
    "booking": ("checked_in", "in_capture", "recorded", "card_ready", "collected"),
    "recording": ("collected",),
    "service": ("collected",),
}


def printed_name(name: str) -> str:
    """The name as the receipt prints it: at most NAME_LENGTH characters, and a shortened name
    ends in an ellipsis so nobody reads the cut-off name as the whole name."""
    name = " ".join(name.split())
    if len(name) <= NAME_LENGTH:
        return name
    return name[:NAME_LENGTH - 1].rstrip() + "…"


class ReceiptError(ValueError):
    pass


# --- keys ------------------------------------------------------------------------------------


def _new_key(session: Session, data_key: str, now: datetime) -> SigningKey:
    pair = signing.new_key_pair()
    key = SigningKey(kid=pair.kid, public_jwk=json.dumps(pair.public_jwk),
                     private_sealed=signing.encrypt_private(pair.private_pem, data_key, pair.kid),
                     created_at=now)
    session.add(key)
    session.flush()
    return key


# A rotated key is published this long before it signs (issue 11): verifiers keep the key set
# for its max-age (JWKS_MAX_AGE, 5 min) and each worker keeps it a minute, so by the time the new
# key signs, every copy of the key set out there already holds it. Until then the old key signs.
PUBLISH_LEAD = timedelta(minutes=10)


def _live(now):
    """Keys that may sign at `now`: not retired, or retired only from a later moment on."""
    return sa.or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > now)


def signing_kid(now):
    """The kid of the key that signs at `now`, as a scalar subquery (the booking reads it with
    its slot, in one statement): the live key retiring first, else the oldest, so a key made by a rotation waits its
    PUBLISH_LEAD while the key it replaces signs on."""
    return (sa.select(SigningKey.kid).where(_live(now))
            # The one retiring first, then the oldest not retiring.
            .order_by(sa.case((SigningKey.retired_at.is_(None), 1), else_=0),
                      SigningKey.retired_at, SigningKey.created_at, SigningKey.kid)
            .limit(1).scalar_subquery())


def current_key(session: Session, data_key: str, now: datetime | None = None) -> SigningKey:
    """The key that signs new receipts (see signing_kid); made on first use."""
    now = now or utcnow()
    key = session.exec(select(SigningKey).where(SigningKey.kid == signing_kid(now))).first()
    return key or _new_key(session, data_key, now)


def rotate_keys(session: Session, data_key: str, now: datetime | None = None) -> SigningKey:
    """Make a new key, published at once, that signs from PUBLISH_LEAD on; the key(s) it replaces
    sign until then. A retired key stays published until the last document it signed expires
    (`not_after`), so every receipt out there keeps verifying."""
    now = now or utcnow()
    session.execute(sa.update(SigningKey).where(SigningKey.retired_at.is_(None))
                    .values(retired_at=now + PUBLISH_LEAD))
    return _new_key(session, data_key, now)


_PUBLISHED = (
    select(SigningKey)
    .where(sa.or_(_live(sa.bindparam("now")), SigningKey.not_after > sa.bindparam("now")))
    .order_by(SigningKey.created_at.desc(), SigningKey.kid))


def published_keys(session: Session, now: datetime | None = None) -> list[SigningKey]:
    """Keys in the JWKS: every key that signs or will sign, and retired ones while a document
    of theirs lives."""
    return list(session.execute(_PUBLISHED, {"now": now or utcnow()}).scalars())


# issue 16: the key set also holds the recording stations' keys, which sign their provisional
# receipts (CAPTURE.md) — in the same one statement.
_JWKS = sa.union_all(
    sa.select(SigningKey.public_jwk.label("jwk"), sa.literal(0).label("station"),
              SigningKey.created_at.label("made"), SigningKey.kid.label("kid"))
    .where(sa.or_(SigningKey.retired_at.is_(None), SigningKey.not_after > sa.bindparam("now"))),
    sa.select(CaptureStationKey.public_jwk, sa.literal(1), CaptureStationKey.created_at,
              CaptureStationKey.kid),
).order_by(sa.text("station"), sa.text("made DESC"), sa.text("kid"))


def jwks(session: Session, now: datetime | None = None) -> dict:
    rows = session.execute(_JWKS, {"now": now or utcnow()})
    return {"keys": [json.loads(row.jwk) for row in rows]}


# --- issuing ---------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    """SHA-256 (hex) of a token: how a receipt is found, also after retention emptied the token
    itself (it carries the holder's name and last 4 NIK digits)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _one_year_after(moment: datetime) -> datetime:
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 1, day=28)


def claims_for(booking: Booking, slot: Slot, office: Office, kind: str,
               now: datetime) -> dict:
    """DESIGN §4 claims. Never the full NIK: `k` is its last 4 digits."""
    tz = ZoneInfo(office.timezone)
    expires = slot.ends_at + BOOKING_GRACE if kind == "booking" else _one_year_after(now)
    return {
        "v": FORMAT_VERSION,
        "d": kind,
        "b": booking.code,
        "o": booking.office_code,
        "s": slot.starts_at.astimezone(tz).isoformat(timespec="seconds"),
        "n": printed_name(booking.name),
        "k": booking.nik_last4,
        "t": booking.service,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
    }


def issue_receipt(session: Session, booking: Booking, kind: str = "booking", *, data_key: str,
                  now: datetime | None = None, slot: Slot | None = None,
                  office: Office | None = None, key: SigningKey | None = None) -> Receipt:
    """Sign and record a receipt for the booking; any earlier one of the same kind is superseded.

    No PDF is rendered here (DESIGN §4: never inside the booking request): the document is made
    on its first download. The token holds no URL (receipt_urls adds BASE_URL). A caller that
    has the booking's slot and office passes them: the claims use only their fixed columns
    (times, zone), and a row read again here would be a query inside the write transaction;
    the same for the signing key read with them (`key`, the one signing_kid names).
    """
    if kind not in KINDS:
        raise ReceiptError(f"unknown receipt kind {kind!r}")
    now = (now or utcnow()).replace(microsecond=0)
    if slot is None or slot.id != booking.slot_id:
        slot = session.get(Slot, booking.slot_id)
    if office is None or office.code != booking.office_code:
        office = session.get(Office, booking.office_code)
    key = key or current_key(session, data_key, now)
    claims = claims_for(booking, slot, office, kind, now)
    token = signing.sign(claims, key.kid, signing.private_key(key.private_sealed, data_key,
                                                              key.kid))
    expires_at = datetime.fromtimestamp(claims["exp"], now.tzinfo)
    receipt = rows.insert(session, Receipt(booking_id=booking.id, kind=kind, token=token,
                                           token_sha256=token_digest(token), kid=key.kid,
                                           issued_at=now, expires_at=expires_at))
    # The key stays published until its last document expires: one conditional UPDATE, no race;
    # not sent when the key as read already outlives this document (not_after only grows).
    if key.not_after is None or key.not_after < expires_at:
        session.execute(sa.update(SigningKey)
                        .where(SigningKey.kid == key.kid,
                               sa.or_(SigningKey.not_after.is_(None),
                                      SigningKey.not_after < expires_at))
                        .values(not_after=expires_at))
    session.flush()
    return receipt


def receipt_urls(receipt: Receipt, base_url: str) -> tuple[str | None, str | None]:
    """(receipt_url, verify_url) per DESIGN §4; (None, None) once retention emptied the token."""
    if receipt.token is None:
        return None, None
    verify_url = f"{base_url.rstrip('/')}/v/{receipt.token}"
    return f"{verify_url}/document", verify_url


def latest_receipt(session: Session, booking_id: int, kind: str = "booking") -> Receipt | None:
    return session.exec(select(Receipt).where(Receipt.booking_id == booking_id,
                                              Receipt.kind == kind)
                        .order_by(Receipt.id.desc()).limit(1)).first()


RECORDABLE_STATUSES = ("checked_in", "in_capture")


def mark_recorded(session: Session, booking: Booking, actor: str, *, data_key: str,
                  now: datetime | None = None, late: bool = False,
                  detail: str = "") -> Receipt:
    """The capture is done: the booking becomes `recorded` (one conditional UPDATE) and the
    recording receipt — shown later to collect the card — is issued. Every face calls this:
    the capture module, the officer's recording by hand (page and API), the CLI
    `mark-recorded`. `late`: a record that arrives after the no-show job overrides the
    `no_show` (DESIGN §3); `detail` goes to the audit entry (e.g. "by hand")."""
    now = now or utcnow()
    statuses = RECORDABLE_STATUSES + (("no_show",) if late else ())
    result = session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.status.in_(statuses))
        .values(status="recorded", recorded_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(booking)
    if result.rowcount != 1:
        raise ReceiptError(f"booking is {booking.status}, not checked in")
    audit.record(session, actor, "booking.recorded", f"booking:{booking.code}", detail)
    return issue_receipt(session, booking, "recording", data_key=data_key, now=now)


# --- status and verification -----------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    genuine: bool
    status: str
    document: dict = field(default_factory=dict)  # the verified claims; empty when not genuine
    receipt: Receipt | None = None
    booking: Booking | None = None
    since: datetime | None = None  # when it stopped being valid (cancelled, used, …)

    @property
    def details_deleted(self) -> bool:
        """Retention emptied this receipt: genuine or not still shows, its personal details not."""
        return self.receipt is not None and self.receipt.scrubbed_at is not None


INVALID = Verification(False, "invalid")


def receipt_status(receipt: Receipt, booking: Booking, newer_issued_at: datetime | None,
                   now: datetime) -> tuple[str, datetime | None]:
    """DESIGN §4: cancelled, superseded, used, expired, else valid — the first that applies."""
    if booking.status == "cancelled":
        return "cancelled", booking.cancelled_at
    if booking.status == "moved":  # rescheduled: the new slot has a new receipt
        return "superseded", booking.moved_at or newer_issued_at
    if newer_issued_at is not None:
        return "superseded", newer_issued_at
    if booking.status in USED_STATUSES[receipt.kind]:
        since = booking.checked_in_at if receipt.kind == "booking" else booking.collected_at
        return "used", since
    if now >= receipt.expires_at:
        return "expired", receipt.expires_at
    # A missed slot cannot be checked into any more: say so rather than "valid".
    if booking.status == "no_show" and receipt.kind == "booking":
        return "expired", booking.no_show_at
    return "valid", None


def _verify_statement(with_pdf: bool = False):
    """One statement: the receipt, its booking, its key and when a newer receipt replaced it
    (with the A5 PDF's bytes for its download). Built once so SQLAlchemy compiles it once
    (building it per call cost ~8 ms)."""
    mine, later = aliased(Receipt, name="mine"), aliased(Receipt, name="later")
    newer = (sa.select(sa.func.min(later.issued_at))
             .where(later.booking_id == mine.booking_id, later.kind == mine.kind,
                    later.id > mine.id)
             .correlate(mine).scalar_subquery())
    return (sa.select(mine, Booking, SigningKey.public_jwk, newer)
            # The PDF bytes are read only when downloaded.
            .options(*(() if with_pdf else (defer(mine.pdf),)), defer(mine.pdf_80mm))
            .join(Booking, Booking.id == mine.booking_id)
            .join(SigningKey, SigningKey.kid == mine.kid)
            .where(mine.token_sha256 == sa.bindparam("digest")))


_VERIFY = _verify_statement()
_VERIFY_WITH_PDF = _verify_statement(with_pdf=True)


def verify_token(session: Session, token: str, now: datetime | None = None, *,
                 with_pdf: bool = False) -> Verification:
    """Whether a token is one we issued, and its status now. Never raises for bad input.
    `with_pdf`: the stored A5 bytes come in the same statement (the document's download)."""
    now = now or utcnow()
    try:
        kid = signing.token_kid(token)
    except signing.TokenError:
        return INVALID
    row = session.execute(_VERIFY_WITH_PDF if with_pdf else _VERIFY,
                          {"digest": token_digest(token)}).first()
    if row is None or row[0].kid != kid:
        return INVALID
    receipt, booking, jwk, newer_issued_at = row
    try:
        claims = signing.verify(token, jwk)
    except signing.TokenError:
        return INVALID
    status, since = receipt_status(receipt, booking, newer_issued_at, now)
    if receipt.scrubbed_at is not None:
        # After retention the answer says only what is not personal (app/domain/retention).
        claims = {name: value for name, value in claims.items() if name not in PERSONAL_CLAIMS}
    return Verification(True, status, claims, receipt, booking, since)


# --- what the document says, for pages and PDFs ----------------------------------------------


@dataclass(frozen=True)
class ReceiptDocument:
    kind: str
    code: str
    code_display: str  # K7Q2-M9XH: people read and type it in two halves
    name: str | None  # None once retention deleted the personal details
    nik_masked: str | None
    office_code: str
    office_name: str
    office_address: str
    timezone: str
    service: str
    starts_at: datetime  # in the office's zone
    ends_at: datetime | None
    issued_at: datetime
    expires_at: datetime
    recorded_on: date | None
    # --- issue 10 (I): where the card is printed and picked up (office settings)
    card_pickup: CardPickup | None = None


def document_for(session: Session, claims: dict, receipt: Receipt) -> ReceiptDocument:
    """What a receipt says: from its signed claims, with the office's name and zone."""
    office = session.get(Office, claims["o"])
    tz = ZoneInfo(office.timezone if office else "Asia/Jakarta")
    starts = datetime.fromisoformat(claims["s"]).astimezone(tz)
    booking = session.get(Booking, receipt.booking_id)
    slot = session.get(Slot, booking.slot_id) if booking else None
    return ReceiptDocument(
        kind=claims["d"], code=claims["b"], code_display=display_code(claims["b"]),
        name=claims.get("n"), nik_masked=masked_nik(claims["k"]) if "k" in claims else None,
        office_code=claims["o"],
        office_name=office.name if office else claims["o"],
        office_address=office.address if office else "",
        timezone=tz.key, service=claims["t"],
        starts_at=starts, ends_at=slot.ends_at.astimezone(tz) if slot else None,
        issued_at=datetime.fromtimestamp(claims["iat"], tz),
        expires_at=datetime.fromtimestamp(claims["exp"], tz),
        recorded_on=(booking.recorded_at.astimezone(tz).date()
                     if booking and booking.recorded_at else None),
        card_pickup=card_pickup(office) if office else None,
    )


def store_rendered(session: Session, receipt_id: int, pdf: bytes, sha256: str,
                   now: datetime, layout: str = "a5") -> None:
    """Keep the first rendering only: later downloads must get exactly the bytes issued. The
    80 mm print is kept the same way, in its own columns. Never after retention: a late render
    must not bring the name back."""
    if layout == "80mm":
        session.execute(sa.update(Receipt)
                        .where(Receipt.id == receipt_id, Receipt.pdf_80mm.is_(None),
                               Receipt.scrubbed_at.is_(None))
                        .values(pdf_80mm=pdf, sha256_80mm=sha256))
        return
    session.execute(sa.update(Receipt).where(Receipt.id == receipt_id, Receipt.pdf.is_(None),
                                             Receipt.scrubbed_at.is_(None))
                    .values(pdf=pdf, sha256=sha256, rendered_at=now))
