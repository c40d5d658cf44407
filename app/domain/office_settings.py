"""An office's settings that people must know before they come and after they record: where
the card is printed and picked up, and how long it usually takes (DESIGN §3). In three of the
five offices studied cards are printed at the kabupaten's Disdukcapil, not at the kecamatan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ..models import Office

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
