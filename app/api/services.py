"""GET /api/v1/services (DESIGN §6): the e-KTP services and what to bring, in the caller's
language (Accept-Language). The data lives in app/domain/services.py."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext
from pydantic import BaseModel

from ..domain.services import SERVICES, service_as_json
from . import route


class RequirementOut(BaseModel):
    code: str
    name: str
    detail: str
    where_to_get: str
    regulation: str


class ServiceOut(BaseModel):
    code: str
    name: str
    description: str
    needs_recording: bool
    pool: str
    pictogram: str
    requirements: list[RequirementOut]
    free_of_charge: bool


@route("/services", summary="The e-KTP services and what to bring (public)",
       responses={200: ("Every service, in the language of Accept-Language (id or en)",
                        list[ServiceOut])},
       params=[{"name": "Accept-Language", "in": "header", "required": False,
                "schema": {"type": "string", "example": "en"}}])
def list_services_json():
    # Every population document is free: Pasal 79A UU 23/2006 (inserted by UU 24/2013).
    return jsonify([ServiceOut(**service_as_json(service, gettext), free_of_charge=True).model_dump()
                    for service in SERVICES.values()])
