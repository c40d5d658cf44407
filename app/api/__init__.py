"""Integration API v1 (DESIGN §6): JSON, bearer tokens, errors in the caller's language."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, g, jsonify, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError

from ..access import TOKEN, Access, declare_view
from ..db import database, reading
from ..domain.accounts import token_for, token_needs_touch, touch_token
from ..models import ApiToken

api = Blueprint("api", __name__, url_prefix="/api/v1")


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    roles: tuple[str, ...] | None  # None: public
    body: type[BaseModel] | None = None
    responses: dict[int, tuple[str, object]] = field(default_factory=dict)
    params: list[dict] = field(default_factory=list)
    scope: tuple[str, ...] = ()  # app.access.SCOPES the token must cover (checked in the view)


OPERATIONS: dict[str, Operation] = {}


class ApiError(Exception):
    def __init__(self, status: int, error: str, message, errors: dict | None = None):
        super().__init__(error)
        self.status, self.error, self.message, self.errors = status, error, message, errors or {}


def route(rule: str, method: str = "GET", *, summary: str, roles: tuple[str, ...] | None = None,
          body: type[BaseModel] | None = None, responses: dict | None = None,
          params: list[dict] | None = None, scope: tuple[str, ...] = ()):
    """Register an API view, who may call it (app/access.py) and its OpenAPI description in
    one place."""

    def decorate(view):
        declare_view(view, Access(frozenset(roles) if roles is not None else None, scope, TOKEN))
        api.add_url_rule(rule, endpoint=view.__name__, view_func=view, methods=[method])
        described = dict(responses or {})
        extra = list(params or [])
        if getattr(view, "idempotent", False):  # @idempotent (app/api/idempotency.py)
            from .idempotency import PARAMETER
            from .schemas import ErrorOut

            extra.append(PARAMETER)
            for status, text in ((400, "invalid_idempotency_key"),
                                 (409, "idempotency_key_in_use"),
                                 (422, "idempotency_key_reused")):
                old = described.get(status)
                described[status] = ((f"{old[0]}; or {text}" if old else text),
                                     old[1] if old else ErrorOut)
        OPERATIONS[f"api.{view.__name__}"] = Operation(
            rule, method, view.__name__, summary, roles, body, described, extra, scope)
        return view

    return decorate


UNAUTHORIZED = _l("Token API tidak ada, tidak dikenal, atau sudah dicabut.")
FORBIDDEN = _l("Token ini tidak boleh melakukan tindakan ini.")


def _presented_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip() or " " in secret.strip():
        return None
    return secret.strip()


@api.before_request
def authenticate_token():
    operation = OPERATIONS.get(request.endpoint or "")
    if operation is None or operation.roles is None:
        return None
    secret = _presented_secret()
    token = _find_token(secret) if secret else None
    if token is None:
        raise ApiError(401, "unauthorized", UNAUTHORIZED)
    if token.role not in operation.roles:
        raise ApiError(403, "forbidden", FORBIDDEN)
    g.api_token = token
    if token_needs_touch(token):
        _note_token_use(token.id)
    return None


def _find_token(secret: str) -> ApiToken | None:
    """Look the token up with a read: on SQLite a write request's session holds the one write
    lock from its first statement on, and the lookup must not take it for the whole request."""
    with reading() as session:
        return token_for(session, secret)


def _note_token_use(token_id: int) -> None:
    """At most once a minute per token, in a short write transaction of its own: nothing of the
    request holds a write yet (this runs before the view), and the request's own unit of work,
    e.g. a booking, must not begin (on SQLite: take the write lock) at the token check."""
    with database().session(write=True) as writer:
        touch_token(writer, token_id)
        writer.commit()


def current_token() -> ApiToken:
    return g.api_token


def require_office(office_code: str) -> None:
    """403 unless the token may act for this office (an office-less admin may act for all)."""
    token = current_token()
    if token.office_code is not None and token.office_code != office_code:
        raise ApiError(403, "forbidden", FORBIDDEN)


def require_desa(desa_code: str | None) -> None:
    """403 unless a desa-staff token acts for its own desa."""
    token = current_token()
    if token.desa_code is not None and token.desa_code != desa_code:
        raise ApiError(403, "forbidden", FORBIDDEN)


@api.errorhandler(ApiError)
def api_error(error: ApiError):
    body = {"error": error.error, "message": str(error.message),
            "errors": {k: str(v) for k, v in error.errors.items()}}
    if getattr(error, "allowed", None) is not None:  # issue 13: a refused step's next steps
        body["allowed"] = list(error.allowed)
    response = jsonify(body)
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="rekam"'
    return response


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The request's JSON as `model`, or a 422 with a message per field."""
    from .validation import field_errors

    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        raise ApiError(422, "invalid", _l("Isi permintaan harus objek JSON."),
                       {"body": _l("Kirim objek JSON.")})
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise ApiError(422, "invalid", _l("Periksa isian yang ditandai."),
                       field_errors(error)) from None


from . import bookings, checkin, office_status, officer, offices, services, verify, whoami  # noqa: E402,F401  (registers the routes)

# isort: split
from . import capture as _capture  # noqa: E402,F401  (issue 16: registers the capture routes)
from . import outreach  # noqa: E402,F401  (issue 14: outreach visits and coverage)
