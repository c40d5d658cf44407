"""Receipt documents: the canonical A5 PDF (Indonesian), the 80 mm thermal print and the HTML
page, all from the same signed claims (DESIGN §4).

The PDF is rendered on its first download or ahead of it by a job (`prerender_receipt`),
PAdES-signed, and its exact bytes and SHA-256 kept: every later download returns those bytes.
Needs an app context (templates, settings, database), never a request.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from .adapters import pades, qr
from .adapters.pdf import render_pdf
from .config import ROOT
from .db import database
from .domain import receipts
from .domain.services import FREE_NOTE, Document, Service, checklist, get_service
from .i18n import N_
from .models import Receipt, utcnow

LAYOUTS = {"a5": "receipts/a5.html", "80mm": "receipts/thermal.html"}
COLUMNS = {"a5": ("pdf", "sha256"), "80mm": ("pdf_80mm", "sha256_80mm")}
log = logging.getLogger(__name__)
TITLES = {"booking": N_("Bukti pendaftaran"), "recording": N_("Tanda terima perekaman"),
          "service": N_("Tanda terima layanan")}  # issue 13: a counter visit (DESIGN §3)


@dataclass(frozen=True)
class ReceiptView:
    """Everything a receipt shows; built from verified claims only."""

    doc: receipts.ReceiptDocument
    service: Service
    bring: tuple[Document, ...]
    free_note: str
    verify_url: str | None  # None once retention emptied the token (nothing to draw)

    @cached_property
    def qr_uri(self) -> str:
        """Drawn only for the pages that show it (the PNG takes a few milliseconds)."""
        return qr.qr_data_uri(self.verify_url)

    @property
    def title(self) -> str:
        """The document's Indonesian name (the print is Indonesian; pages translate it)."""
        return TITLES[self.doc.kind]


def receipt_view(session, receipt: Receipt, claims: dict, base_url: str) -> ReceiptView:
    doc = receipts.document_for(session, claims, receipt)
    _receipt_url, verify_url = receipts.receipt_urls(receipt, base_url)
    service = get_service(doc.service)
    return ReceiptView(doc=doc, service=service,
                       bring=checklist(doc.service) if doc.kind == "booking" else (),
                       free_note=FREE_NOTE, verify_url=verify_url)


def receipt_html(view: ReceiptView, layout: str = "a5") -> str:
    """The print HTML, always in Indonesian: the canonical document (DESIGN §4). Rendered
    without the page context (no request needed), so a background job can render it too; the
    `lang` it is given makes the formatting filters write Indonesian (08.00–08.30)."""
    template = current_app.jinja_env.get_template(LAYOUTS[layout])
    return template.render(r=view, lang="id")


def certificate_dir() -> Path:
    """Where the office signing certificate lives; a demo one is made on first use."""
    configured = current_app.config.get("PADES_DIR")
    directory = Path(configured) if configured else Path(current_app.instance_path) / "pades"
    if not pades.is_complete(directory):
        if configured:
            raise RuntimeError(f"PADES_DIR {directory} lacks office.pem, office.key or ca.pem")
        pades.make_demo_certificate(directory)
    return directory


def render_receipt_pdf(view: ReceiptView, layout: str = "a5") -> bytes:
    """HTML → WeasyPrint → PAdES signature. Plain function: the bench times it."""
    raw = render_pdf(receipt_html(view, layout), base_url=ROOT.as_uri() + "/")
    reason = view.title + " " + view.doc.code_display
    return pades.sign_pdf(raw, certificate_dir(), reason=reason, location=view.doc.office_name)


class NotStored(Exception):
    """The document was rendered but could not be kept (the database refused the write)."""


def stored_pdf(receipt: Receipt, view: ReceiptView | None, layout: str = "a5") -> tuple[bytes, str]:
    """The issued bytes and their SHA-256 (A5, or the 80 mm print): rendered and kept on the
    first call, the kept bytes on every later one.

    Written in a short session of its own: rendering takes long, and no caller's transaction
    (a GET's read, a job's) may hold SQLite's write lock meanwhile. If two first renderings race, the conditional UPDATE keeps one rendering and both return it. Raises
    NotStored when the write fails: a rendering that is not kept must not be handed out, or a
    later download would differ from it.
    """
    pdf_column, sha_column = COLUMNS[layout]
    if getattr(receipt, pdf_column) is not None:
        return getattr(receipt, pdf_column), getattr(receipt, sha_column)
    pdf = render_receipt_pdf(view, layout)
    try:
        with database().session(write=True) as session:
            receipts.store_rendered(session, receipt.id, pdf, hashlib.sha256(pdf).hexdigest(),
                                    utcnow(), layout=layout)
            session.commit()
            kept = session.get(Receipt, receipt.id, populate_existing=True)
            return getattr(kept, pdf_column), getattr(kept, sha_column)
    except SQLAlchemyError as error:
        log.error("receipt %s (%s) rendered but not stored: %s", receipt.id, layout,
                  type(error).__name__)
        raise NotStored(layout) from error


def prerender_receipt(session, receipt_id: int, base_url: str) -> str | None:
    """Render and keep a receipt's A5 PDF ahead of its first download (the job's work); the
    SHA-256 of the kept bytes, or None when there is nothing to render (no such receipt, not
    genuine any more, or its details deleted by retention)."""
    receipt = session.get(Receipt, receipt_id)
    if receipt is None or not receipt.token:
        return None
    result = receipts.verify_token(session, receipt.token)
    if not result.genuine or result.details_deleted or result.receipt.id != receipt.id:
        return None
    _pdf, sha256 = stored_pdf(receipt, receipt_view(session, receipt, result.document, base_url))
    return sha256


def render_timings(view: ReceiptView, rounds: int = 5) -> dict[str, list[float]]:
    """Seconds per render, for `make bench`: a bare WeasyPrint render of the receipt's A5 HTML
    and Rekam's whole path (template, QR, WeasyPrint, PAdES), taken in turn. Needs an app
    context; the first round of each warms up and is dropped."""
    import time

    html = receipt_html(view)
    base = ROOT.as_uri() + "/"
    timings: dict[str, list[float]] = {"bare": [], "rekam": []}
    for round_number in range(rounds + 1):
        for name, work in (("bare", lambda: render_pdf(html, base)),
                           ("rekam", lambda: render_receipt_pdf(view))):
            started = time.perf_counter()
            work()
            if round_number:
                timings[name].append(time.perf_counter() - started)
    return timings
