"""Outreach visits and coverage over the integration API (DESIGN §6, issue 14)."""

from __future__ import annotations

from datetime import date, time

from flask import Response, current_app, jsonify, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field

from .. import messages
from ..db import get_session
from ..domain import coverage, outreach
from ..domain.errors import ValidationError
from ..domain.offices import get_office
from ..models import Desa, Office, OutreachVisit
from ..outreach_documents import invitations_pdf
from . import ApiError, current_token, parse_body, require_desa, require_office, route
from .bookings import _iso
from .schemas import ErrorOut

INVALID = messages.INVALID
NOT_FOUND_VISIT = _l("Kunjungan keliling dengan nomor ini tidak ada.")
NOT_FOUND_OFFICE = _l("Kantor dengan kode ini tidak ada.")
MAX_CSV_BYTES = 2_000_000


class OutreachIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    desa_code: str = Field(max_length=10)
    place: str = Field(max_length=200, description="e.g. Balai Desa Kebonagung")
    place_kind: str = Field(default="balai_desa",
                            description="balai_desa, school, dusun or other")
    date: date
    start: time = Field(description="HH:MM in the office's zone")
    end: time
    stations: int = Field(ge=1, le=20, description="mobile recording sets the team brings")


class OutreachSlotOut(BaseModel):
    id: int
    start: str
    end: str
    capacity: int
    remaining: int


class OutreachOut(BaseModel):
    id: int
    slots: list[OutreachSlotOut]


class RefusedRow(BaseModel):
    row: int
    errors: dict[str, str]


class ImportOut(BaseModel):
    booked: int
    already: int
    refused: list[RefusedRow]


class CoverageRowOut(BaseModel):
    desa_code: str
    desa: str
    year: int
    wajib: int | None
    sudah: int | None
    belum: int | None
    booked_since: int
    recorded_since: int


class CoverageProblemOut(BaseModel):
    row: int
    desa: str
    problem: str


class CoverageOut(BaseModel):
    rows: list[CoverageRowOut]
    problems: list[CoverageProblemOut]


def _invalid(error: ValidationError) -> ApiError:
    return ApiError(422, "invalid", INVALID, messages.field_messages(error))


def _slots_json(office: Office, visit: OutreachVisit) -> list[dict]:
    return [{"id": s.id, "start": _iso(office, s.starts_at), "end": _iso(office, s.ends_at),
             "capacity": s.capacity, "remaining": max(0, s.capacity - s.booked)}
            for s in outreach.visit_slots(get_session(), visit.id)]


@route("/offices/<code>/outreach", "POST", summary="Plan an outreach visit (admin)",
       roles=("admin",), scope=("office",), body=OutreachIn,
       responses={201: ("The visit and its bookable slots", OutreachOut),
                  404: ("No such office", ErrorOut), 422: ("Field errors", ErrorOut)})
def plan_outreach_json(code: str):
    office = get_office(get_session(), code)
    if office is None:
        raise ApiError(404, "not_found", NOT_FOUND_OFFICE)
    require_office(office.code)
    body = parse_body(OutreachIn)
    try:
        visit = outreach.plan_visit(
            get_session(), office=office, desa_code=body.desa_code, place=body.place,
            place_kind=body.place_kind, day=body.date, starts=body.start, ends=body.end,
            stations=body.stations, actor=f"token:{current_token().id}")
    except ValidationError as error:
        raise _invalid(error) from None
    slots = _slots_json(office, visit)
    get_session().commit()
    return jsonify({"id": visit.id, "slots": slots}), 201


def _visit_in_scope(visit_id: int) -> OutreachVisit:
    visit = get_session().get(OutreachVisit, visit_id) if 0 < visit_id < 2**31 else None
    if visit is None:
        raise ApiError(404, "not_found", NOT_FOUND_VISIT)
    require_office(visit.office_code)
    if current_token().role == "desa_staff":
        require_desa(visit.desa_code)  # a desa's staff fill only their own desa's visits
    return visit


def _csv_body() -> str:
    raw = request.get_data(cache=False)
    if not raw or len(raw) > MAX_CSV_BYTES:
        raise ApiError(422, "invalid", INVALID,
                       {"body": messages.field_message("file", "required")})
    try:
        return outreach.decoded(raw)
    except ValidationError as error:
        raise _invalid(error) from None


@route("/outreach/<int:visit_id>/residents", "POST",
       summary="Book residents into an outreach visit from a CSV file (nik,name,phone,consent)",
       roles=("desa_staff", "admin"), scope=("office", "desa"),
       responses={200: ("Booked, already booked on this visit, refused with reasons", ImportOut),
                  404: ("No such visit", ErrorOut), 422: ("Not such a file", ErrorOut)})
def import_residents_json(visit_id: int):
    visit = _visit_in_scope(visit_id)
    text = _csv_body()
    session = get_session()
    try:
        report = outreach.import_residents(
            session, visit, text, key=current_app.config["DATA_KEY"].encode(),
            data_key=current_app.config["DATA_KEY"], actor=f"token:{current_token().id}",
            checkpoint=session.commit)
    except ValidationError as error:
        session.rollback()
        raise _invalid(error) from None
    session.commit()
    return jsonify({"booked": len(report.booked), "already": report.already,
                    "refused": [{"row": row, "errors": messages.field_messages(
                        ValidationError(errors))} for row, errors in report.refused]})


@route("/outreach/<int:visit_id>/invitations.pdf",
       summary="The visit's invitations (undangan), one page per booked resident",
       roles=("desa_staff", "admin"), scope=("office", "desa"),
       responses={200: ("application/pdf", None), 404: ("No such visit", ErrorOut)})
def invitations_pdf_json(visit_id: int):
    visit = _visit_in_scope(visit_id)
    pdf = invitations_pdf(get_session(), visit)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="undangan-{visit.id}.pdf"',
        "Cache-Control": "no-store"})


@route("/offices/<code>/coverage", summary="Coverage per desa from the last imported table",
       roles=("admin", "desa_staff"), scope=("office",),
       responses={200: ("Rows ranked by what is left, and the import's problems", CoverageOut),
                  404: ("No such office", ErrorOut)})
def coverage_json(code: str):
    office = get_office(get_session(), code)
    if office is None:
        raise ApiError(404, "not_found", NOT_FOUND_OFFICE)
    require_office(office.code)
    token = current_token()
    if token.role == "desa_staff":  # their own desa's row, in their own office only
        desa = get_session().get(Desa, token.desa_code)
        if desa is None or desa.office_code != office.code:
            raise ApiError(403, "forbidden", _l("Token ini tidak boleh melakukan tindakan ini."))
    made, lines, problems = coverage.dashboard(get_session(), office.code, token.desa_code)
    return jsonify({"rows": [{"desa_code": line.desa_code, "desa": line.desa, "year": line.year,
                              "wajib": line.wajib, "sudah": line.sudah, "belum": line.belum,
                              "booked_since": line.booked_since,
                              "recorded_since": line.recorded_since} for line in lines],
                    "problems": [{"row": p.row, "desa": p.desa_name, "problem": p.problem}
                                 for p in problems]})
