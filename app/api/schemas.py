"""Shapes of API responses and errors; the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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


# --- issue 10 (I): today's service status ---
ServiceState = Literal["normal", "limited", "stopped"]


class OfficeStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recording: ServiceState
    printing: ServiceState
    message: str = Field(default="", max_length=280,
                         description="one line of plain text: why, and what to do instead")


class OfficeStatusOut(BaseModel):
    recording: ServiceState
    printing: ServiceState
    message: str
    updated_at: str | None = Field(description="ISO 8601 with the office's offset; null when "
                                               "never set (both normal)")
