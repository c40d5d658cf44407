"""Shapes of the booking API (DESIGN §6); the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SlotOut(BaseModel):
    id: int
    start: str = Field(description="ISO 8601 with the office's offset, e.g. +08:00 for WITA")
    end: str
    pool: Literal["station", "counter", "mobile"]
    capacity: int
    remaining: int = Field(description="places any booker may take now")
    remaining_priority: int = Field(
        description="further places only priority visitors (or walk-ins on the day) may take")


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nik: str = Field(max_length=40, description="16 digits; only its keyed hash is kept")
    name: str = Field(max_length=200)
    desa_code: str | None = Field(default=None, max_length=10,
                                  description="null or absent: from outside this kecamatan; "
                                              "required for desa_staff tokens (their own desa)")
    service: str = Field(max_length=20)
    slot_id: int
    phone: str | None = Field(default=None, max_length=30)
    needs: list[str] | None = Field(default=None, max_length=10)
    consent: Literal["present", "phone", "written"] | None = Field(
        default=None, description="how the resident agreed (desa staff, DESIGN §9)")
    ever_married: bool = Field(
        default=False, description="married or ever married: may record `pemula` before 17")


class BookingSlotOut(BaseModel):
    id: int
    start: str
    end: str
    pool: Literal["station", "counter", "mobile"]


class BookingOut(BaseModel):
    code: str = Field(description="canonical: 8 Crockford base32 characters, no hyphen")
    status: str
    service: str
    office: str
    slot: BookingSlotOut
    name: str
    nik_masked: str
    desa_code: str | None
    priority: bool
    needs: list[str]
    channel: str
    created_at: str
    receipt_url: str | None
    verify_url: str | None
