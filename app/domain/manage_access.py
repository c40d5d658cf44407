"""Who may manage a booking online (DESIGN §3): the code and the full NIK — and, once too many
wrong NIKs were tried for a code, a one-time code sent to the booking's phone as well.

The NIK is a weak secret: office code + last 4 digits (on the receipt) + a birth year leave
about 1,500 candidates. So wrong NIKs are counted per booking code over its whole life (a
reschedule keeps the code, and so the count); after `LOCK_AFTER` of them, knowing the NIK is
not enough. Every count is one conditional statement, so parallel guesses cannot slip past.
Only an HMAC of the one-time code is kept; it expires and allows a few tries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..adapters import notify
from ..formatting import display_code
from ..models import ACTIVE_STATUSES, Booking, ManageAttempt, Office, utcnow

LOCK_AFTER = 10
ONE_TIME_CODE_LIFETIME = timedelta(minutes=15)
ONE_TIME_CODE_TRIES = 5
ONE_TIME_CODE_DIGITS = 6


def attempts_of(session: Session, code: str) -> ManageAttempt | None:
    return session.exec(select(ManageAttempt).where(ManageAttempt.code == code)
                        .execution_options(populate_existing=True)).first()


def failures(session: Session, code: str) -> int:
    found = attempts_of(session, code)
    return found.failures if found else 0


def needs_one_time_code(session: Session, code: str) -> bool:
    return failures(session, code) >= LOCK_AFTER


def record_failure(session: Session, booking: Booking, now: datetime | None = None) -> int:
    """Count a wrong NIK typed for this booking's code; returns the count. At exactly
    `LOCK_AFTER` the holder is told on their phone (once: only one request reaches it)."""
    now = now or utcnow()
    bump = (sa.update(ManageAttempt).where(ManageAttempt.code == booking.code)
            .values(failures=ManageAttempt.failures + 1, last_failure_at=now)
            .execution_options(synchronize_session=False))
    if session.execute(bump).rowcount == 0:
        try:
            with session.begin_nested():
                session.add(ManageAttempt(code=booking.code, failures=1, last_failure_at=now))
        except IntegrityError:  # a parallel first failure made the row: count on it
            session.execute(bump)
    count = failures(session, booking.code)
    if count == LOCK_AFTER:
        _warn_holder(session, booking, now)
    return count


def _warn_holder(session: Session, booking: Booking, now: datetime) -> None:
    session.execute(sa.update(ManageAttempt).where(ManageAttempt.code == booking.code)
                    .values(warned_at=now).execution_options(synchronize_session=False))
    if booking.phone:
        notify.queue(session, booking, "manage_warning", (
            f"Rekam: ada {LOCK_AFTER} percobaan membuka jadwal {display_code(booking.code)} "
            "dengan NIK yang salah. Mulai sekarang jadwal ini hanya bisa dikelola dengan kode "
            "sekali pakai yang kami kirim ke nomor ini. Jangan berikan kode itu kepada siapa "
            "pun, termasuk petugas."), now=now)


def _code_hash(data_key: bytes, booking_code: str, one_time_code: str) -> str:
    return hmac.new(data_key, f"{booking_code}:{one_time_code}".encode(),
                    hashlib.sha256).hexdigest()


def send_one_time_code(session: Session, booking: Booking, data_key: bytes,
                       now: datetime | None = None) -> bool:
    """Make a fresh one-time code (any earlier one stops working) and queue it to the booking's
    phone. False when the booking has no phone: then only the office can help."""
    if not booking.phone:
        return False
    now = now or utcnow()
    one_time = f"{secrets.randbelow(10 ** ONE_TIME_CODE_DIGITS):0{ONE_TIME_CODE_DIGITS}d}"
    session.execute(sa.update(ManageAttempt).where(ManageAttempt.code == booking.code)
                    .values(otp_hash=_code_hash(data_key, booking.code, one_time),
                            otp_expires_at=now + ONE_TIME_CODE_LIFETIME, otp_tries=0)
                    .execution_options(synchronize_session=False))
    minutes = int(ONE_TIME_CODE_LIFETIME.total_seconds() // 60)
    notify.queue(session, booking, "manage_code", (
        f"Rekam: kode sekali pakai untuk mengelola jadwal {display_code(booking.code)}: "
        f"{one_time}. Berlaku {minutes} menit. Jangan berikan kepada siapa pun."), now=now)
    return True


def check_one_time_code(session: Session, booking_code: str, typed: str, data_key: bytes,
                        now: datetime | None = None) -> bool:
    """True once for the right code within its lifetime and tries; a used code is spent."""
    now = now or utcnow()
    counted = session.execute(
        sa.update(ManageAttempt)
        .where(ManageAttempt.code == booking_code, ManageAttempt.otp_hash.is_not(None),
               ManageAttempt.otp_expires_at > now,
               ManageAttempt.otp_tries < ONE_TIME_CODE_TRIES)
        .values(otp_tries=ManageAttempt.otp_tries + 1)
        .execution_options(synchronize_session=False)).rowcount
    if counted != 1:
        return False
    wanted = _code_hash(data_key, booking_code, typed.strip())
    spent = session.execute(
        sa.update(ManageAttempt)
        .where(ManageAttempt.code == booking_code, ManageAttempt.otp_hash == wanted)
        .values(otp_hash=None, otp_expires_at=None)
        .execution_options(synchronize_session=False)).rowcount
    return spent == 1


def send_lost_code(session: Session, nik_hash: str, office_code: str,
                   now: datetime | None = None) -> None:
    """"Lupa kode": the booking code of the NIK's active booking at this office goes to the
    booking's phone, never to the screen. Says nothing back: the caller answers the same
    whether or not such a booking exists."""
    booking = session.exec(select(Booking).where(
        Booking.nik_hash == nik_hash, Booking.office_code == office_code,
        Booking.status.in_(ACTIVE_STATUSES))).first()
    if booking is None or not booking.phone:
        return
    office = session.get(Office, office_code)
    notify.queue(session, booking, "lost_code", (
        f"Rekam: kode booking Anda di {office.name} adalah {display_code(booking.code)}. "
        "Untuk melihat, memindah atau membatalkan jadwal, buka Kelola jadwal dengan kode ini "
        "dan NIK Anda. Gratis, jangan bayar siapa pun."), now=now)
