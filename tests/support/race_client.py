"""What one racing client does, importable by a spawned process (no app imports: it only talks
HTTP, like a kiosk or a person's phone would)."""

from __future__ import annotations

import httpx


def book(base: str, token: str, slot_id: int, nik: str) -> tuple[int, str | None]:
    """POST one booking; (status, error code or booking code)."""
    with httpx.Client(base_url=base, timeout=60) as client:
        answer = client.post("/api/v1/bookings", headers={"Authorization": f"Bearer {token}"},
                             json={"nik": nik, "name": "Pelomba", "service": "pemula",
                                   "slot_id": slot_id})
    body = answer.json()
    return answer.status_code, body.get("error") or body.get("code")


def book_many(args: tuple[str, str, int, list[str]]) -> list[tuple[int, str | None]]:
    base, token, slot_id, niks = args
    return [book(base, token, slot_id, nik) for nik in niks]
