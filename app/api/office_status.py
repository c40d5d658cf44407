"""Today's service status of an office (DESIGN §6): public to read, its admin's to set."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l

from ..db import get_session
from ..domain import capacity, office_status
from ..domain.offices import get_office
from ..models import Office
from . import ApiError, current_token, require_office, route
from .schemas import ErrorOut, OfficeStatusIn, OfficeStatusOut

NOT_FOUND_OFFICE = _l("Kantor dengan kode ini tidak ada.")
INVALID = _l("Periksa isian yang ditandai.")
# What each domain code (app/domain/office_status.py) means for the one who sent it.
MESSAGES = {
    "required": _l("Wajib diisi: normal, limited, atau stopped."),
    "unknown": _l("Pilih normal, limited, atau stopped."),
    "type": _l("Harus berupa teks."),
    "length": _l("Tulis paling banyak 280 huruf."),
    "markup": _l("Tulis teks biasa, tanpa tanda < atau >."),
    "control": _l("Hapus tanda atau huruf yang tidak bisa dibaca, lalu ketik ulang."),
    "bidi": _l("Hapus tanda pembalik arah tulisan yang tidak terlihat, lalu ketik ulang."),
    "combining": _l("Terlalu banyak tanda di atas atau di bawah satu huruf."),
    "extra": _l("Kolom ini tidak dikenal."),
}


def _office_or_404(code: str) -> Office:
    office = get_office(get_session(), code)
    if office is None:
        raise ApiError(404, "not_found", NOT_FOUND_OFFICE)
    return office


def status_json(office: Office, status: office_status.ServiceStatus) -> dict:
    updated = (capacity.local(office, status.updated_at).isoformat(timespec="seconds")
               if status.updated_at else None)
    return {"recording": status.recording, "printing": status.printing,
            "message": status.message, "updated_at": updated}


@route("/offices/<code>/status", summary="Today's service status of an office (public)",
       responses={200: ("Recording and card printing: normal, limited or stopped",
                        OfficeStatusOut), 404: ("No such office", ErrorOut)})
def show_office_status_json(code: str):
    office = _office_or_404(code)
    return jsonify(status_json(office, office_status.current(get_session(), office.code)))


@route("/offices/<code>/status", "PUT", summary="Set today's service status (admin)",
       roles=("admin",), scope=("office",), body=OfficeStatusIn,
       responses={200: ("The status as stored", OfficeStatusOut),
                  404: ("No such office", ErrorOut)})
def set_office_status_json(code: str):
    office = _office_or_404(code)
    require_office(office.code)  # an office's admin, or an admin of all offices
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(422, "invalid", _l("Isi permintaan harus objek JSON."),
                       {"body": _l("Kirim objek JSON.")})
    errors = {key: MESSAGES["extra"] for key in payload if key not in office_status.FIELDS}
    values = {name: payload.get(name) for name in office_status.FIELDS}
    try:
        office_status.validate(**values)
    except office_status.StatusInvalid as error:
        errors.update({k: MESSAGES[v] for k, v in error.errors.items()})
    if errors:
        raise ApiError(422, "invalid", INVALID, errors)
    session = get_session()
    status = office_status.set_status(session, office.code, **values,
                                      actor=f"token:{current_token().id}")
    session.commit()
    return jsonify(status_json(office, status))
