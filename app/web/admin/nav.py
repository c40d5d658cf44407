"""The admin room's navigation, in one place: each page of the room is one entry here.

Other parts of the room (outreach, coverage, IKM) add their own line with `add(...)` in their
module, or below in ENTRIES; the layout (templates/admin/_layout.html) lists them in order.
Every endpoint takes the office: the admin acts on one office at a time. Most pages have it
in their path (`office_code=`); the outreach, coverage and IKM pages are not under
/admin/<office_code>/ and read it from `?kantor=` (`office_arg="kantor"`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class NavEntry:
    endpoint: str  # "admin.show_settings"; called with office_code=
    label: object  # a lazy msgid
    order: int = 100
    office_arg: str = "office_code"  # how the endpoint is told the office


ENTRIES: list[NavEntry] = [
    NavEntry("admin.show_office", _l("Ringkasan"), 10),
    NavEntry("admin.show_settings", _l("Pengaturan"), 20),
    NavEntry("admin.show_hours", _l("Jam dan penutupan"), 30),
    NavEntry("admin.show_stations", _l("Stasiun"), 40),
    NavEntry("admin.show_people", _l("Orang dan perangkat"), 50),
    NavEntry("admin.show_inbox", _l("Kotak masuk"), 60),
    NavEntry("admin.show_service_status", _l("Layanan hari ini"), 15),
    NavEntry("admin.show_figures", _l("Angka"), 65),
    NavEntry("admin.show_audit", _l("Catatan audit"), 70),
    NavEntry("admin.show_outbox", _l("Pesan keluar"), 80),
    # --- other engineers' entries below this line (outreach, coverage, IKM) ---
    NavEntry("admin_outreach.list_outreach", _l("Perekaman keliling"), 62, "kantor"),
    NavEntry("admin_coverage.show_coverage", _l("Cakupan"), 63, "kantor"),
    NavEntry("admin_ikm.show_ikm_report", _l("Indeks kepuasan"), 64, "kantor"),
]


def add(endpoint: str, label, order: int = 100) -> None:
    """Add one page to the admin navigation (idempotent, so a reloaded module adds it once)."""
    if all(entry.endpoint != endpoint for entry in ENTRIES):
        ENTRIES.append(NavEntry(endpoint, label, order))


def entries() -> list[NavEntry]:
    return sorted(ENTRIES, key=lambda entry: entry.order)
