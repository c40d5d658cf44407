"""The admin's inbox (issue 15 §5): home-visit requests and misconduct reports, each taken from
new to answered with a response; the reporter reads the answer at /lapor/{reference} with the
PIN given at reporting.

A misconduct report is read and answered only by an admin of all offices (the kabupaten's
Disdukcapil or Inspektorat), never by the admin of the office it accuses: an office's admin does
not even see that one exists. The PIN is derived from the report form's one-time submission id
with DATA_KEY (so a double submit shows the same PIN); only its keyed hash is stored.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from ..models import HomeVisitRequest, MisconductReport, utcnow
from . import audit, reports
from .names import text_problem

FLAG_AFTER = timedelta(days=7)  # a request still open this long is flagged in the inbox
PIN_DIGITS = 6
RESPONSE_MAX = {"home_visit": 1000, "report": 2000}
# Which state may follow which (the admin may also go back a step to correct a slip).
REPORT_NEXT = {"new": ("in_review", "answered"), "in_review": ("answered", "new"),
               "answered": ("in_review", "closed"), "closed": ("in_review",)}
HOME_VISIT_NEXT = {"new": ("contacted", "scheduled", "declined"),
                   "contacted": ("scheduled", "declined", "new"),
                   "scheduled": ("done", "contacted", "declined"),
                   "done": ("scheduled",), "declined": ("contacted",)}
OPEN_REPORT = ("new", "in_review")
OPEN_HOME_VISIT = ("new", "contacted", "scheduled")


class InboxInvalid(ValueError):
    """`errors`: field → code (`unknown`, `transition`, `required`, `length`, `text`,
    `planned_at`)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors


# --- the reporter's PIN ------------------------------------------------------------------------


def report_pin(data_key: bytes, submission_id: str) -> str:
    digest = hmac.new(data_key, b"report-pin:" + submission_id.encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**PIN_DIGITS).zfill(PIN_DIGITS)


def _pin_hash(data_key: bytes, reference: str, pin: str) -> str:
    return hmac.new(data_key, f"report-pin-check:{reference}:{pin}".encode(),
                    hashlib.sha256).hexdigest()


def attach_pin(session: Session, report: MisconductReport, data_key: bytes) -> str:
    """The report's PIN, its hash stored the first time (a resent form gets the same PIN)."""
    pin = report_pin(data_key, report.submission_id)
    if report.pin_hash is None:
        report.pin_hash = _pin_hash(data_key, report.reference, pin)
        session.add(report)
    return pin


def report_for_reporter(session: Session, reference: str, pin: str,
                        data_key: bytes) -> MisconductReport | None:
    """The report when reference and PIN match; None alike for an unknown reference, a wrong PIN
    or a report made before PINs existed, so the answer tells nothing."""
    report = reports.find_by_reference(session, MisconductReport, reference)
    digits = "".join((pin or "").split())
    expected = report.pin_hash if report is not None and report.pin_hash else "0" * 64
    candidate = _pin_hash(data_key, report.reference if report else "?", digits)
    if not hmac.compare_digest(expected, candidate) or report is None or not report.pin_hash:
        return None
    return report


# --- handling ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    record: object  # HomeVisitRequest | MisconductReport
    flagged: bool  # open for longer than FLAG_AFTER


def _flag(record, open_states, now: datetime) -> InboxItem:
    return InboxItem(record, record.status in open_states and
                     record.created_at < now - FLAG_AFTER)


def home_visits(session: Session, office_code: str, now: datetime | None = None,
                ) -> list[InboxItem]:
    """The office's requests, open ones first, oldest first among them."""
    now = now or utcnow()
    rows = session.exec(select(HomeVisitRequest).where(
        HomeVisitRequest.office_code == office_code)
        .order_by(HomeVisitRequest.created_at)).all()
    items = [_flag(r, OPEN_HOME_VISIT, now) for r in rows]
    return sorted(items, key=lambda i: i.record.status not in OPEN_HOME_VISIT)


def misconduct_reports(session: Session, now: datetime | None = None) -> list[InboxItem]:
    """Every report, for the all-offices admin only (the caller checks who asks)."""
    now = now or utcnow()
    rows = session.exec(select(MisconductReport).order_by(MisconductReport.created_at)).all()
    items = [_flag(r, OPEN_REPORT, now) for r in rows]
    return sorted(items, key=lambda i: i.record.status not in OPEN_REPORT)


def _response(text: str | None, kind: str, errors: dict) -> str:
    text = (text or "").strip()
    if len(text) > RESPONSE_MAX[kind]:
        errors["response"] = "length"
    elif text_problem(" ".join(text.split())):
        errors["response"] = "text"
    return text


def handle_report(session: Session, report: MisconductReport, status: str, response: str | None,
                  actor: str, now: datetime | None = None) -> MisconductReport:
    """Move a report on; `answered` needs the answer the reporter will read."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    if status != report.status and status not in REPORT_NEXT.get(report.status, ()):
        errors["status"] = "transition"
    text = _response(response, "report", errors)
    if status == "answered" and not text:
        errors["response"] = "required"
    if errors:
        raise InboxInvalid(errors)
    before = report.status
    report.status, report.response, report.updated_at = status, text, now
    if status == "answered" and report.answered_at is None:
        report.answered_at = now
    session.add(report)
    # The words are the reporter's and the answer's: the audit keeps the states only.
    audit.record(session, actor, "report.status", report.reference, f"{before}->{status}", at=now)
    return report


def handle_home_visit(session: Session, request: HomeVisitRequest, status: str,
                      response: str | None, planned_at: datetime | None, actor: str,
                      now: datetime | None = None) -> HomeVisitRequest:
    """Move a request on; `scheduled` needs the planned time (said to the person by phone)."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    if status != request.status and status not in HOME_VISIT_NEXT.get(request.status, ()):
        errors["status"] = "transition"
    text = _response(response, "home_visit", errors)
    if status == "scheduled" and planned_at is None:
        errors["planned_at"] = "required"
    if errors:
        raise InboxInvalid(errors)
    before = request.status
    request.status, request.response, request.updated_at = status, text, now
    if planned_at is not None:
        request.planned_at = planned_at
    session.add(request)
    audit.record(session, actor, "home_visit.status", request.reference, f"{before}->{status}",
                 at=now)
    return request
