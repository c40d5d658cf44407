from datetime import date, timedelta

import pytest

from app.domain.eligibility import (
    Eligibility,
    age_band,
    age_on,
    band_is_elderly,
    check_eligibility,
    is_elderly,
    seventeenth_birthday,
)
from app.domain.nik import parse_nik

TODAY = date(2026, 11, 23)


def test_person_turning_17_today_may_record():
    assert check_eligibility(date(2009, 11, 23), TODAY) == Eligibility(
        eligible=True, age=17, eligible_from=None, reason="adult"
    )


def test_person_turning_17_tomorrow_is_told_to_come_back_tomorrow():
    assert check_eligibility(date(2009, 11, 24), TODAY) == Eligibility(
        eligible=False, age=16, eligible_from=TODAY + timedelta(days=1), reason="too_young"
    )


@pytest.mark.parametrize("birth_date, age", [(date(2009, 11, 24), 16), (date(2012, 1, 1), 14)])
def test_married_person_under_17_may_record(birth_date, age):
    assert check_eligibility(birth_date, TODAY, ever_married=True) == Eligibility(
        eligible=True, age=age, eligible_from=None, reason="married"
    )


def test_married_adult_records_as_an_adult():
    assert check_eligibility(date(1990, 1, 1), TODAY, ever_married=True).reason == "adult"


@pytest.mark.parametrize(
    "today, age",
    [
        (date(2024, 2, 28), 15),
        (date(2024, 2, 29), 16),  # leap year: the real birthday
        (date(2025, 2, 28), 16),  # non-leap year: not yet
        (date(2025, 3, 1), 17),  # non-leap year: a year older on 1 March
    ],
)
def test_person_born_on_29_february_ages_on_1_march_in_other_years(today, age):
    assert age_on(date(2008, 2, 29), today) == age


@pytest.mark.parametrize(
    "birth_date, expected",
    [
        (date(2008, 2, 29), date(2025, 3, 1)),
        (date(2012, 2, 29), date(2029, 3, 1)),
        (date(2009, 2, 28), date(2026, 2, 28)),
        (date(2009, 3, 1), date(2026, 3, 1)),
    ],
)
def test_seventeenth_birthday(birth_date, expected):
    assert seventeenth_birthday(birth_date) == expected


def test_person_born_on_29_february_may_record_from_1_march():
    born = date(2008, 2, 29)
    waiting = check_eligibility(born, date(2025, 2, 28))
    assert (waiting.eligible, waiting.eligible_from) == (False, date(2025, 3, 1))
    assert check_eligibility(born, date(2025, 3, 1)).eligible


@pytest.mark.parametrize(
    "birth_date, elderly",
    [(date(1966, 11, 23), True), (date(1966, 11, 24), False), (date(1930, 1, 1), True)],
)
def test_person_60_or_older_is_served_first(birth_date, elderly):
    assert is_elderly(birth_date, TODAY) is elderly


def test_birth_date_after_today_is_refused():
    with pytest.raises(ValueError):
        age_on(TODAY + timedelta(days=1), TODAY)


def test_woman_from_porong_born_in_2007_may_record_in_2026():
    info = parse_nik("3515045203070003", TODAY)
    result = check_eligibility(info.birth_date, TODAY)
    assert (result.eligible, result.age, result.reason) == (True, 19, "adult")


@pytest.mark.parametrize("age, band", [(0, "<17"), (16, "<17"), (17, "17-20"), (20, "17-20"),
                                       (21, "21-59"), (59, "21-59"), (60, "60+"), (120, "60+")])
def test_a_booking_keeps_an_age_band_whose_edges_are_the_rules_ages(age, band):
    assert age_band(age) == band
    assert band_is_elderly(band) == (age >= 60)
