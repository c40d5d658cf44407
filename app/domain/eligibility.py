"""Who may record an e-KTP (UU 24/2013 art. 63 and Permendagri): 17 or older, or ever married.

The age is the office's setting (`Office.min_recording_age`, 17 unless the office records from
16 on school outreach, so that the card is ready on the 17th birthday)."""

from dataclasses import dataclass
from datetime import date

from app.models import AGE_BANDS

RECORDING_AGE = 17
ELDERLY_AGE = 60


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    age: int
    eligible_from: date | None
    reason: str  # "adult" | "married" | "too_young"


def age_on(birth_date: date, today: date) -> int:
    """Completed years. Someone born on 29 February is a year older on 1 March in other years."""
    if birth_date > today:
        raise ValueError("birth date is after today")
    # (2, 28) < (2, 29) keeps a 29-February child a year younger until 1 March.
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def seventeenth_birthday(birth_date: date, age: int = RECORDING_AGE) -> date:
    """The first day someone may record on age alone (at `age`, 17 by law); 1 March when
    29 February does not exist."""
    year = birth_date.year + age
    try:
        return birth_date.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def check_eligibility(birth_date: date, today: date, ever_married: bool = False, *,
                      min_age: int = RECORDING_AGE) -> Eligibility:
    age = age_on(birth_date, today)
    if age >= min_age:
        return Eligibility(eligible=True, age=age, eligible_from=None, reason="adult")
    # Art. 63: being or having been married makes someone eligible at any age.
    if ever_married:
        return Eligibility(eligible=True, age=age, eligible_from=None, reason="married")
    return Eligibility(
        eligible=False, age=age, eligible_from=seventeenth_birthday(birth_date, min_age),
        reason="too_young",
    )


def is_elderly(birth_date: date, today: date) -> bool:
    """60 and over are served first (lansia priority)."""
    return age_on(birth_date, today) >= ELDERLY_AGE


def age_band(age: int) -> str:
    """What a booking keeps of a person's age (DESIGN §9): a band for statistics, never the
    birth date. The edges are the rules' ages: 17 may record, 60 is served first."""
    under_17, young, adult, elderly = AGE_BANDS
    if age < RECORDING_AGE:
        return under_17
    if age <= 20:
        return young
    return adult if age < ELDERLY_AGE else elderly


def band_is_elderly(band: str | None) -> bool:
    return band == AGE_BANDS[-1]
