"""Officers: scan receipts, check people in, run the queue and the stations, hand out cards."""

from flask import Blueprint, abort, current_app, g, redirect, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ...config import ROOT
from ...db import get_session
from ...domain import audit
from ...domain.checkin import CheckInError
from ...domain.codes import normalise_code
from ...domain.offices import list_offices
from ...domain.services import SERVICES
from ...formatting import display_code
from ...messages import CHECK_IN_REFUSALS
from ..auth import current_user, guard
from ..receipt_documents import view_of
from ..rendering import render
from .helpers import officer_check_in
from .scan import CheckInForm, NikCheckForm, ScanForm, lookup, nik_matches

bp = Blueprint("officer", __name__, url_prefix="/officer")
guard(bp, "officer", "admin")


# --- receipt scanner (issue 6) ---------------------------------------------------------------


def _scan_page(scan=None, *, form=None, nik_form=None, nik_match=None, checked_in=None,
               check_in_error=None, check_in_form=None, status=200):
    # The QR decoder is WebAssembly: this page alone may compile it (CSP).
    g.csp_script_extra = " 'wasm-unsafe-eval'"
    view = None
    if scan is not None and scan.verification.genuine:
        result = scan.verification
        view = view_of(result)
        nik_form = nik_form or NikCheckForm(formdata=None, prefix="nikcheck",
                                              data={"token": scan.token})
        nik_form.nik.raw_data, nik_form.nik.data = None, ""  # never echo a NIK back
    lang = str(get_locale() or "id")
    # Names for what the device shows offline: the token carries only codes.
    names = {"services": {code: _(s.name) for code, s in SERVICES.items()},
             "offices": {o.code: o.name for o in list_offices(get_session())}}
    return render("officer/scan.html", block="result" if scan is not None else None,
                  form=form or ScanForm(formdata=None), scan=scan, r=view, nik_form=nik_form,
                  check_in_form=_check_in_form(scan, check_in_form),
                  nik_match=nik_match, checked_in=checked_in, check_in_error=check_in_error,
                  names=names, page_lang=lang, status=status)


def _check_in_form(scan, posted=None):
    form = posted or CheckInForm(formdata=None, prefix="checkin",
                                 data={"token": scan.token if scan else ""})
    form.nik.raw_data, form.nik.data = None, ""  # never echo a NIK back
    return form


@bp.get("/scan")
def show_scanner():
    code = normalise_code(request.args.get("checked_in"))
    return _scan_page(checked_in=display_code(code) if code else None)


@bp.post("/scan")
def scan_receipt():
    form = ScanForm()
    if not form.validate_on_submit():
        return _scan_page(form=form, status=422)
    return _scan_page(lookup(get_session(), form.code.data, current_user()), form=form)


@bp.post("/scan/check-in")
def check_in_scanned():
    form = CheckInForm(prefix="checkin")
    if not form.token.data:
        abort(400)
    session, user = get_session(), current_user()
    scan = lookup(session, form.token.data, user)
    if not form.validate_on_submit():
        return _scan_page(scan, check_in_form=form, status=422)
    if not scan.can_check_in:
        return _scan_page(scan, check_in_error=scan.check_in_blocker, status=409)
    if not form.validate_on_submit():
        return _scan_page(scan, check_in_form=form, status=422)
    try:
        officer_check_in(session, scan.verification.booking, user, form.nik.data)
    except CheckInError as error:  # a wrong NIK, someone else was quicker, or midnight passed
        session.rollback()
        if error.code == "nik_mismatch":
            form.nik.errors = [CHECK_IN_REFUSALS["nik_mismatch"]]
            return _scan_page(scan, check_in_form=form, status=422)
        return _scan_page(lookup(session, form.token.data, user), check_in_error=error.code,
                          status=409)
    session.commit()
    return redirect(url_for(".show_scanner", checked_in=scan.verification.booking.code),
                    code=303)


@bp.post("/scan/nik")
def check_scanned_nik():
    """Confirm identity: the NIK on the person's KK against the booking's keyed hash."""
    form = NikCheckForm(prefix="nikcheck")
    session, user = get_session(), current_user()
    scan = lookup(session, form.token.data or "", user)
    if not scan.verification.genuine:
        abort(400)
    match = None
    if form.validate_on_submit():
        match = nik_matches(form.nik.data, scan.verification.booking.nik_hash,
                            current_app.config["DATA_KEY"])
        if match is None:
            form.nik.errors.append(_("Ketik 16 angka NIK dari KK, tanpa spasi."))
    if match is None:
        return _scan_page(scan, nik_form=form, status=422)
    audit.record(session, f"user:{user.id}", "booking.nik_check",
                 f"booking:{scan.verification.booking.code}", "match" if match else "no match")
    session.commit()
    return _scan_page(scan, nik_form=form, nik_match=match)


@bp.get("/scan-sw.js")
def show_scanner_worker():
    """The scanner's service worker, served from /officer/ so that it may control this area."""
    response = send_file(ROOT / "static" / "js" / "scan-sw.js",
                         mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
