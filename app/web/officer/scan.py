"""The officer's receipt scanner, server side: what was scanned or typed, what it verifies to,
and what the officer may do next (check in, confirm the NIK against the KK).

The browser verifies the signature itself when the network is down (static/js/scan.js); this is
the answer when the network is up, and the whole flow when JavaScript is off.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length

from ...domain import receipts
from ...domain.booking import find_current
from ...domain.checkin import local_day_bounds
from ...domain.codes import normalise_code
from ...domain.nik import NikError, nik_hash
from ...models import Office, Slot, User, utcnow

MAX_SCAN_LENGTH = 3000


class ScanForm(FlaskForm):
    code = StringField(
        _l("Isi kode QR atau kode pendaftaran"),
        validators=[InputRequired(_l("Pindai kode QR, atau ketik kode pendaftaran.")),
                    Length(max=MAX_SCAN_LENGTH, message=_l("Isian ini terlalu panjang."))],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )


class TokenForm(FlaskForm):
    token = HiddenField(validators=[InputRequired(), Length(max=MAX_SCAN_LENGTH)])


class NikCheckForm(FlaskForm):
    token = HiddenField(validators=[InputRequired(), Length(max=MAX_SCAN_LENGTH)])
    nik = StringField(
        _l("NIK dari Kartu Keluarga"),
        validators=[InputRequired(_l("Ketik atau pindai 16 angka NIK dari Kartu Keluarga.")),
                    Length(max=40, message=_l("Ketik 16 angka NIK dari KK, tanpa spasi."))],
        # Never remembered by the browser: the NIK is compared, not kept (DESIGN §9).
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"},
    )


class CheckInForm(TokenForm):
    """Check-in takes the full NIK from the KK in the same post (DESIGN §6): a receipt alone
    checks nobody in."""

    nik = StringField(
        _l("NIK dari Kartu Keluarga"),
        validators=[InputRequired(_l("Ketik atau pindai 16 angka NIK dari Kartu Keluarga.")),
                    Length(max=40, message=_l("Ketik 16 angka NIK dari KK, tanpa spasi."))],
        render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"},
    )


def token_from_scan(raw: str) -> str:
    """The token in what a scanner typed: a verify URL (`…/v/TOKEN`, maybe `/document`) or the
    bare token."""
    text = raw.strip()
    if "/v/" in text:
        path = unquote(urlsplit(text).path) if "://" in text else text
        text = path.rsplit("/v/", 1)[-1]
        for suffix in ("/document-80mm", "/document", "/receipt"):
            text = text.removesuffix(suffix)
    return text.strip()


@dataclass(frozen=True)
class ScanResult:
    verification: receipts.Verification
    token: str
    by_code: bool  # found from a typed booking code, not from a scanned document
    can_check_in: bool
    check_in_blocker: str | None  # not_today, wrong_state, other_office, not_booking
    slot_day: datetime | None
    # A typed code of another office's booking: the officer learns only that (issue 9 §9).
    other_office: bool = False


def lookup(session: Session, raw: str, user: User, now: datetime | None = None) -> ScanResult:
    """Verify what was scanned; a typed booking code finds that booking's newest receipt."""
    now = now or utcnow()
    by_code = False
    token = token_from_scan(raw)
    code = normalise_code(raw) if len(raw.strip()) <= 20 else None
    if code is not None:
        booking = find_current(session, code)
        if booking is not None and not _may_see(user, booking):
            # A code is no capability: typing one must not show whose booking it is, when,
            # or its receipt token. A scanned receipt (the holder's document) still verifies.
            return ScanResult(receipts.INVALID, "", True, False, "other_office", None,
                              other_office=True)
        kind = ("recording" if booking is not None
                and booking.status in ("recorded", "card_ready", "collected") else "booking")
        receipt = receipts.latest_receipt(session, booking.id, kind) if booking else None
        if receipt is not None:
            token, by_code = receipt.token, True
    verification = receipts.verify_token(session, token, now)
    blocker, slot_day = _check_in_blocker(session, verification, user, now)
    return ScanResult(verification, token, by_code, blocker is None, blocker, slot_day)


def _may_see(user: User, booking) -> bool:
    return user.office_code is None or user.office_code == booking.office_code


def _check_in_blocker(session: Session, result: receipts.Verification, user: User,
                      now: datetime) -> tuple[str | None, datetime | None]:
    if not result.genuine:
        return "invalid", None
    booking = result.booking
    slot = session.get(Slot, booking.slot_id)
    office = session.get(Office, booking.office_code)
    slot_day = slot.starts_at.astimezone(ZoneInfo(office.timezone))
    if result.receipt.kind != "booking":
        return "not_booking", slot_day
    if not _may_see(user, booking):
        return "other_office", slot_day
    if booking.status != "booked" or result.status != "valid":
        return "wrong_state", slot_day
    start, end = local_day_bounds(office, now)
    if not start <= slot.starts_at < end:
        return "not_today", slot_day
    return None, slot_day


def nik_matches(raw_nik: str, booking_hash: str, data_key: str) -> bool | None:
    """True/False when the NIK from the KK is (not) the booking holder's; None when what was
    typed is not a NIK at all. Compared as keyed hashes; the NIK itself goes nowhere."""
    try:
        hashed = nik_hash(raw_nik, data_key.encode())
    except NikError:
        return None
    return hmac.compare_digest(hashed, booking_hash)
