import hashlib

from flask import current_app, request

from ..answers import kept
from ..db import get_session
from ..domain.offices import public_directory
from . import route
from .schemas import OfficeOut

# Kiosks may keep the list a minute; after that they ask again with If-None-Match and an
# unchanged list is a 304 (its ETag is the hash of the bytes, so every worker agrees).
OFFICES_MAX_AGE = 60


@route("/offices", summary="Offices with their desa (public)",
       responses={200: ("Every office", list[OfficeOut])})
@kept
def list_offices_json():
    # Built as plain dicts (the shape OfficeOut documents): this list is fetched by every kiosk.
    body = current_app.json.dumps(public_directory(get_session())) + "\n"
    response = current_app.response_class(body, mimetype=current_app.json.mimetype)
    response.set_etag(hashlib.sha256(body.encode()).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = OFFICES_MAX_AGE
    return response.make_conditional(request)
