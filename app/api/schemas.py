"""Shapes of API responses and errors; the OpenAPI document is generated from these."""

from __future__ import annotations

from pydantic import BaseModel


class ErrorOut(BaseModel):
    error: str
    message: str
    errors: dict[str, str] = {}


class DesaOut(BaseModel):
    code: str
    name: str


class OfficeOut(BaseModel):
    code: str
    name: str
    timezone: str
    address: str
    desa: list[DesaOut]


class WhoAmIOut(BaseModel):
    role: str
    office: str | None
    desa: str | None
