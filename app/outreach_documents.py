"""Outreach prints (issue 14): the invitations (undangan, one A5 page per resident), the sign-in
sheet for the visit day, and the visit report ("Laporan Kegiatan Perekaman Keliling").

In Indonesian, like every canonical print, rendered by WeasyPrint from templates/outreach/.
Each invitation carries the QR of the resident's booking receipt (DESIGN §4: the verify URL), so
the team at the balai desa scans it like a receipt. Needs an app context, never a request.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlmodel import Session

from .adapters import qr
from .adapters.pdf import render_pdf
from .config import ROOT
from .db import write_step
from .domain import outreach, receipts
from .domain.services import FREE_NOTE, checklist, get_service
from .formatting import display_code, masked_nik
from .models import Desa, Office, OutreachVisit

PLACE_KINDS = {"balai_desa": "Balai desa", "school": "Sekolah", "dusun": "Dusun",
               "other": "Tempat lain"}
ABSENCE_WORDS = {"sick": "Sakit", "working": "Bekerja", "away": "Sedang di luar daerah",
                 "not_invited": "Undangan tidak sampai", "moved": "Sudah pindah",
                 "other": "Alasan lain", "unknown": "Belum diketahui"}


@dataclass(frozen=True)
class InvitationPage:
    name: str
    nik_masked: str
    code: str
    starts_at: object
    ends_at: object
    verify_url: str | None

    @property
    def qr_uri(self) -> str | None:
        return qr.qr_data_uri(self.verify_url) if self.verify_url else None


def _context(session: Session, visit: OutreachVisit) -> dict:
    return {"visit": visit, "office": session.get(Office, visit.office_code),
            "desa": session.get(Desa, visit.desa_code), "place_kind": PLACE_KINDS,
            "lang": "id"}


def invitation_pages(session: Session, visit: OutreachVisit, base_url: str) -> list:
    pages = []
    for person in outreach.invited(session, visit):
        if person.booking.status != "booked":
            continue  # cancelled, moved on or already come: no invitation to hand out
        receipt = receipts.latest_receipt(session, person.booking.id)
        _url, verify_url = receipts.receipt_urls(receipt, base_url) if receipt else (None, None)
        pages.append(InvitationPage(person.booking.name, masked_nik(person.booking.nik_last4),
                                    display_code(person.booking.code), person.slot.starts_at,
                                    person.slot.ends_at, verify_url))
    return pages


def _render(template: str, **context) -> bytes:
    html = current_app.jinja_env.get_template(template).render(**context)
    return render_pdf(html, base_url=ROOT.as_uri() + "/")


def invitations_pdf(session: Session, visit: OutreachVisit) -> bytes:
    """Imported residents get their booking receipt signed here, on the first print (a short
    write of its own when the request only reads; rendering happens after it)."""
    data_key, visit_id = current_app.config["DATA_KEY"], visit.id
    write_step(lambda writer: outreach.ensure_receipts(
        writer, writer.get(OutreachVisit, visit_id), data_key=data_key))
    visit = session.get(OutreachVisit, visit_id)
    service = get_service(outreach.OUTREACH_SERVICE)
    return _render("outreach/invitations.html", **_context(session, visit),
                   pages=invitation_pages(session, visit, current_app.config["BASE_URL"]),
                   service=service, bring=checklist(service.code), free_note=FREE_NOTE)


def sign_in_pdf(session: Session, visit: OutreachVisit) -> bytes:
    people = [p for p in outreach.invited(session, visit) if p.booking.status != "cancelled"]
    return _render("outreach/sign_in.html", **_context(session, visit), people=people,
                   masked=masked_nik, code=display_code)


def report_pdf(session: Session, visit: OutreachVisit) -> bytes:
    people = [p for p in outreach.invited(session, visit) if p.booking.status != "cancelled"]
    return _render("outreach/report.html", **_context(session, visit), people=people,
                   report=outreach.visit_report(session, visit), absence=ABSENCE_WORDS,
                   masked=masked_nik, code=display_code)
