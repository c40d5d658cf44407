"""An office's settings that people must know before they come and after they record: where
the card is printed and picked up, and how long it usually takes (DESIGN §3). In three of the
five offices studied cards are printed at the kabupaten's Disdukcapil, not at the kecamatan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ..models import Office
from . import audit, replan
from .names import text_problem

# The canonical (Indonesian) words on receipts; pages translate the same codes.
PRINT_PLACE_NAMES = {"kecamatan": "kantor kecamatan",
                     "disdukcapil": "Dinas Kependudukan dan Pencatatan Sipil (Disdukcapil) "
                                    "kabupaten/kota"}


@dataclass(frozen=True)
class CardPickup:
    place: str  # Office.card_print_place: "kecamatan" | "disdukcapil"
    address: str  # where the card is picked up ("" when the office has not said)
    days: int  # the office's expected days from recording to card

    @property
    def place_name(self) -> str:
        return PRINT_PLACE_NAMES[self.place]


def card_pickup(office: Office) -> CardPickup:
    """Picked up where it is printed: at the kecamatan its own address stands in when no other
    is set; a Disdukcapil without an address is named, never guessed."""
    address = office.card_pickup_address or (
        office.address if office.card_print_place == "kecamatan" else "")
    return CardPickup(office.card_print_place, address, office.card_days)


def card_pickup_of(session: Session, office_code: str) -> CardPickup | None:
    office = session.get(Office, office_code)
    return card_pickup(office) if office else None


# --- issue 15 (F): the admin changes the settings ---

# name → (lowest, highest) for the whole-number settings, the same bounds as the schema's
# checks (app/models.py Office), so a refused value is refused here in words, not there.
NUMBER_SETTINGS = {
    "slot_minutes": (5, 240),
    "recording_minutes": (1, 240),
    "counter_minutes": (1, 240),
    "held_back_percent": (0, 100),
    "hold_release_hours": (0, 72),
    "no_show_grace_minutes": (0, 240),
    "booking_horizon_days": (1, 366),
    "online_cutoff_minutes": (0, 1440),
    "retention_days": (1, 3650),
    "card_days": (1, 365),
}
TEXT_SETTINGS = {"card_pickup_address": 300}
SETTINGS = (*NUMBER_SETTINGS, "card_print_place", *TEXT_SETTINGS)
# Settings that change how many people a slot takes, or which slots exist.
CAPACITY_SETTINGS = ("slot_minutes", "recording_minutes", "counter_minutes", "held_back_percent",
                     "booking_horizon_days")


class SettingsInvalid(ValueError):
    """`errors`: field → code (`required`, `number`, `range`, `unknown`, `length`, `text`,
    `fit` — the slot is not a whole number of visits)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}={v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class SettingsChange:
    changed: dict[str, tuple[object, object]]  # name → (before, after)
    replan: object | None  # app.domain.replan.Replan when capacity was recomputed


def _clean(values: dict) -> tuple[dict, dict[str, str]]:
    cleaned, errors = {}, {}
    for name, (low, high) in NUMBER_SETTINGS.items():
        raw = values.get(name)
        if raw is None or raw == "":
            errors[name] = "required"
            continue
        try:
            number = int(str(raw).strip())
        except ValueError:
            errors[name] = "number"
            continue
        if not low <= number <= high:
            errors[name] = "range"
        cleaned[name] = number
    place = values.get("card_print_place")
    if place not in PRINT_PLACE_NAMES:
        errors["card_print_place"] = "unknown"
    cleaned["card_print_place"] = place
    for name, limit in TEXT_SETTINGS.items():
        text = " ".join(str(values.get(name) or "").split())
        if len(text) > limit:
            errors[name] = "length"
        elif text_problem(text):
            errors[name] = "text"
        cleaned[name] = text or None
    for minutes in ("recording_minutes", "counter_minutes"):
        if minutes not in errors and "slot_minutes" not in errors \
                and cleaned[minutes] > cleaned["slot_minutes"]:
            errors[minutes] = "fit"
    return cleaned, errors


def update_settings(session: Session, office_code: str, values: dict, actor: str,
                    now=None) -> SettingsChange:
    """Validate every setting, store the changed ones, audit each, and — when one changes
    capacity — replan the office's future slots, moving who no longer fits as a station outage
    does (app/domain/replan.py). Raises SettingsInvalid with every field's code."""
    cleaned, errors = _clean(values)
    if errors:
        raise SettingsInvalid(errors)
    office = session.get(Office, office_code)
    changed = {name: (getattr(office, name), value) for name, value in cleaned.items()
               if getattr(office, name) != value}
    for name, (before, after) in changed.items():
        setattr(office, name, after)
        # The address is free text: the audit says it changed, not what it says.
        detail = f"{name} changed" if name in TEXT_SETTINGS else f"{name}={before}->{after}"
        audit.record(session, actor, "office.setting", f"office:{office_code}", detail, at=now)
    session.add(office)
    session.flush()
    outcome = None
    if any(name in CAPACITY_SETTINGS for name in changed):
        outcome = replan.replan_office(session, office, cause="settings",
                                       detail="settings changed", actor=actor, now=now)
    return SettingsChange(changed, outcome)


def settings_of(office: Office) -> dict:
    return {name: getattr(office, name) for name in SETTINGS}
