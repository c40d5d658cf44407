"""OpenAPI 3.1 for /api/v1, generated from the route registry and the pydantic schemas."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify
from pydantic import TypeAdapter

from ..access import ANYONE, declare_blueprint
from . import OPERATIONS
from .schemas import ErrorOut

REF = "#/components/schemas/{model}"
# The description lives at the top level (DESIGN §5), outside /api/v1, but on the API's side.
meta = Blueprint("api_meta", __name__)
declare_blueprint(meta.name, ANYONE)  # the description is public


@meta.get("/openapi.json")
def show_openapi():
    return jsonify(build_spec(current_app.config["BASE_URL"]))


def _schema(shape, components: dict) -> dict:
    schema = TypeAdapter(shape).json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    if "title" in schema and schema.get("type") == "object":
        name = schema["title"]
        components[name] = schema
        return {"$ref": REF.format(model=name)}
    return schema


def build_spec(base_url: str) -> dict:
    components: dict = {}
    paths: dict = {}
    error_ref = _schema(ErrorOut, components)
    for op in OPERATIONS.values():
        path = "/api/v1" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule)
        operation: dict = {"operationId": op.endpoint, "summary": op.summary, "responses": {}}
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"<(?:\w+:)?(\w+)>", op.rule)
        ] + op.params
        if parameters:
            operation["parameters"] = parameters
        if op.body is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": _schema(op.body, components)}}}
        for status, (description, shape) in sorted(op.responses.items()):
            response: dict = {"description": description}
            if shape is not None:
                response["content"] = {"application/json": {"schema": _schema(shape, components)}}
            operation["responses"][str(status)] = response
        if op.roles is not None:
            operation["security"] = [{"bearer": []}]
            operation["description"] = "Roles: " + ", ".join(op.roles) + (
                "; scope: " + ", ".join(op.scope) if op.scope else "")
            for status, text in ((401, "Missing, malformed, unknown or revoked token"),
                                 (403, "Outside the token's role or scope")):
                operation["responses"].setdefault(str(status), {
                    "description": text, "content": {"application/json": {"schema": error_ref}}})
        if op.body is not None:
            operation["responses"].setdefault("422", {
                "description": "Invalid fields (message per field in `errors`)",
                "content": {"application/json": {"schema": error_ref}}})
        paths.setdefault(path, {})[op.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Rekam API", "version": "1.0.0",
                 "description": "Integration API for e-KTP recording bookings (DESIGN §6). "
                                "Errors are {error, message, errors} in the caller's language "
                                "(Accept-Language: id or en)."},
        "servers": [{"url": base_url}],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "Minted by `flask --app wsgi api-token ROLE`"}}},
    }
