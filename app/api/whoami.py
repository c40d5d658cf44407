from flask import jsonify

from ..models import TOKEN_ROLES
from . import api, current_token, route
from .schemas import ErrorOut, WhoAmIOut


@route("/whoami", summary="The role and scope of the presented token", roles=TOKEN_ROLES,
       responses={200: ("The token's role and scope", WhoAmIOut),
                  401: ("Missing, malformed, unknown or revoked token", ErrorOut)})
def whoami():
    token = current_token()
    return jsonify(WhoAmIOut(role=token.role, office=token.office_code,
                             desa=token.desa_code).model_dump())


__all__ = ["api"]
