from flask import jsonify

from ..db import get_session
from ..domain.offices import desa_by_office, list_offices
from . import route
from .schemas import OfficeOut


@route("/offices", summary="Offices with their desa (public)",
       responses={200: ("Every office", list[OfficeOut])})
def list_offices_json():
    session = get_session()
    desa = desa_by_office(session)
    # Built as plain dicts (the shape OfficeOut documents): this list is fetched by every kiosk.
    return jsonify([
        {"code": o.code, "name": o.name, "timezone": o.timezone, "address": o.address,
         "desa": [{"code": d.code, "name": d.name} for d in desa.get(o.code, [])]}
        for o in list_offices(session)
    ])
