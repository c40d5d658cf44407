"""What citizens send in besides bookings: home-visit requests and misconduct reports.

Both get a random reference number the person keeps ("LPR-7K2M9X"), and both are stored once
per form: the form carries a random one-time `submission_id` (UNIQUE in the schema), so a double
click or a resent POST finds the first record instead of making a second one.

A misconduct report is anonymous: no client address is stored, and the contact is optional.
Every e-KTP service is free (Pasal 79A UU 23/2006, inserted by UU 24/2013); the field studies
found desa people asking Rp 20.000 per person when the card was picked up (Tanjung Lago),
which is what these reports are for.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from ..models import REPORT_PLACES, Desa, HomeVisitRequest, MisconductReport, utcnow
from . import audit, phones

# Crockford base32 without I, L, O, U: nothing to misread when it is read out over the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6
REPORT_PREFIX = "LPR"
HOME_VISIT_PREFIX = "KRM"
SUBMISSION_ID = re.compile(r"[A-Za-z0-9_-]{16,43}")
_REFERENCE_ATTEMPTS = 5


class InvalidPhone(ValueError):
    """A phone number that cannot be an Indonesian number."""


def new_submission_id() -> str:
    """The one-time token a form carries in a hidden field."""
    return secrets.token_urlsafe(24)


def is_submission_id(value: str | None) -> bool:
    return bool(value) and SUBMISSION_ID.fullmatch(value) is not None


def new_reference(prefix: str) -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{prefix}-{body}"


def normalise_phone(raw: str) -> str:
    """The booking rule (`phones.normalise_phone`), but a number is required here."""
    try:
        number = phones.normalise_phone(raw)
    except ValueError:
        raise InvalidPhone(raw) from None
    if number is None:
        raise InvalidPhone(raw)
    return number


@dataclass(frozen=True)
class Stored:
    record: SQLModel
    created: bool  # False: the same form had been sent before; this is the first record

    @property
    def reference(self) -> str:
        return self.record.reference


def _store_once(session: Session, model: type, submission_id: str,
                make: Callable[[str], SQLModel]) -> Stored:
    """Insert the record unless this form was stored already; safe against two racing requests.

    The UNIQUE submission_id decides, not the look-up: when two requests pass the look-up at
    once, the second insert fails and finds the first one's record.
    """
    if not is_submission_id(submission_id):
        raise ValueError("submission_id must be a random token from new_submission_id()")
    for _attempt in range(_REFERENCE_ATTEMPTS):
        existing = _by_submission(session, model, submission_id)
        if existing is not None:
            return Stored(existing, created=False)
        record = make(new_reference(REPORT_PREFIX if model is MisconductReport
                                    else HOME_VISIT_PREFIX))
        try:
            with session.begin_nested():
                session.add(record)
                session.flush()
        except IntegrityError:
            # Either the twin request won (found on the next round) or, once in a billion,
            # the random reference was taken: then a new one is drawn.
            continue
        return Stored(record, created=True)
    existing = _by_submission(session, model, submission_id)
    if existing is not None:
        return Stored(existing, created=False)
    raise RuntimeError("could not store the record")


def _by_submission(session: Session, model: type, submission_id: str):
    return session.exec(select(model).where(model.submission_id == submission_id)).first()


def submit_misconduct_report(
    session: Session, *, submission_id: str, office_code: str, event_date: date, kind: str,
    description: str, contact: str = "", place: str | None = None,
) -> Stored:
    """Store an anonymous report (description and contact kept as typed: they are shown
    escaped, never interpreted). `place` is where it happened (REPORT_PLACES): the field
    studies found money asked at the desa and at card pickup, not only at the office. The
    office is the kecamatan the report is about; the report is never for that office alone to
    read (see REPORT_READERS)."""
    if place is not None and place not in REPORT_PLACES:
        raise ValueError(f"unknown place {place!r}")
    stored = _store_once(session, MisconductReport, submission_id, lambda reference:
                         MisconductReport(reference=reference, submission_id=submission_id,
                                          office_code=office_code, event_date=event_date,
                                          kind=kind, description=description, place=place,
                                          contact=contact or "", created_at=utcnow()))
    if stored.created:
        audit.record(session, "citizen", "report.create", stored.reference)
    return stored


def request_home_visit(
    session: Session, *, submission_id: str, desa_code: str, name: str, phone: str,
    requester: str, service: str, details: str = "",
) -> Stored:
    """Store a home-visit request for the office whose kecamatan the desa belongs to."""
    desa = session.get(Desa, desa_code)
    if desa is None:
        raise ValueError(f"unknown desa {desa_code!r}")
    number = normalise_phone(phone)
    stored = _store_once(session, HomeVisitRequest, submission_id, lambda reference:
                         HomeVisitRequest(reference=reference, submission_id=submission_id,
                                          office_code=desa.office_code, desa_code=desa.code,
                                          name=name.strip(), phone=number, requester=requester,
                                          service=service, details=details or "",
                                          created_at=utcnow()))
    if stored.created:
        audit.record(session, "citizen", "home_visit.create", stored.reference)
    return stored


def find_by_reference(session: Session, model: type, reference: str):
    """The report or request with this reference (as typed: case and spaces forgiven)."""
    reference = (reference or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}-[0-9A-Z]{6}", reference):
        return None
    return session.exec(select(model).where(model.reference == reference)).first()
