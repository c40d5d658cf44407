"""The IKM arithmetic of PermenPANRB 14/2017, exactly: a worked example, every grade edge, and
properties that hold for any answers (hypothesis)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import ikm

# Four respondents × the nine elements (U1 … U9), answers on the 1–4 scale.
WORKED = [
    (4, 3, 3, 4, 3, 3, 4, 3, 3),
    (3, 3, 2, 4, 3, 4, 4, 3, 3),
    (3, 2, 3, 3, 3, 3, 3, 2, 3),
    (4, 3, 3, 4, 4, 3, 4, 3, 2),
]


def test_a_worked_example_is_computed_exactly():
    """Element sums 14, 11, 11, 15, 13, 13, 15, 11, 11 (114 in all): the mean of the element
    means is 114/36 = 19/6, so IKM = 19/6 × 25 = 475/6 = 79.1666… → 79.17 → B. The
    regulation's worked tables weigh each mean by a rounded 0.111 (which would give 79.09);
    exact ninths give the true mean."""
    means = [ikm.mean(column) for column in zip(*WORKED, strict=True)]
    assert means == [Fraction(14, 4), Fraction(11, 4), Fraction(11, 4), Fraction(15, 4),
                     Fraction(13, 4), Fraction(13, 4), Fraction(15, 4), Fraction(11, 4),
                     Fraction(11, 4)]
    index = ikm.ikm(means)
    assert index == Fraction(475, 6)
    assert ikm.round_half_up(index) == Decimal("79.17")
    assert ikm.grade(index) == "B"


@pytest.mark.parametrize(("index", "letter"), [
    ("25.00", "D"), ("64.99", "D"), ("64.994", "D"), ("64.995", "C"), ("65.00", "C"),
    ("76.60", "C"), ("76.604", "C"), ("76.605", "B"), ("76.61", "B"),
    ("88.30", "B"), ("88.304", "B"), ("88.305", "A"), ("88.31", "A"), ("100", "A"),
])
def test_each_grade_edge_reads_the_index_rounded_half_up_to_two_decimals(index, letter):
    assert ikm.grade(Fraction(index)) == letter
    assert ikm.grade(Decimal(index)) == letter


def test_half_up_is_exact_where_a_float_would_round_down():
    # Floats get half-way cases wrong (2.675 is 2.67499999…); the index is a fraction.
    assert round(2.675, 2) == 2.67
    assert ikm.round_half_up(Fraction("2.675")) == Decimal("2.68")
    assert ikm.round_half_up(Fraction("76.605")) == Decimal("76.61")
    assert ikm.round_half_up(Fraction(1, 3) * 100) == Decimal("33.33")


def test_an_index_outside_the_scale_is_an_error_not_a_grade():
    with pytest.raises(ValueError):
        ikm.grade(Fraction(2499, 100))
    assert ikm.ikm([]) is None


def test_the_sample_size_table_asks_for_enough_answers():
    assert ikm.sample_needed(0) == 0
    assert ikm.sample_needed(7) == 7  # under 10, everyone
    assert ikm.sample_needed(100) == 80
    assert ikm.sample_needed(101) == 86  # the row above: never fewer than the table asks
    assert ikm.sample_needed(1000) == 278
    assert ikm.sample_needed(1_000_000) == 384


def test_periods_cover_their_months():
    assert ikm.Period("quarter", 2026, 4).months[0].month == 10
    assert ikm.Period("quarter", 2026, 4).end.year == 2027
    assert ikm.Period("month", 2026, 2).slug == "2026-02"
    with pytest.raises(ValueError):
        ikm.Period("quarter", 2026, 5)


answers = st.lists(st.lists(st.integers(1, 4), min_size=9, max_size=9), min_size=1,
                   max_size=60)


@given(answers)
def test_the_index_stays_within_25_and_100(rows):
    index = ikm.ikm(ikm.mean(column) for column in zip(*rows, strict=True))
    assert 25 <= index <= 100
    assert ikm.grade(index) in "ABCD"


indexes = st.fractions(min_value=25, max_value=100, max_denominator=100_000)


@given(indexes, indexes)
def test_the_grade_is_monotone_in_the_index(a, b):
    low, high = sorted((a, b))
    rank = "DCBA".index
    assert rank(ikm.grade(low)) <= rank(ikm.grade(high))


@given(st.lists(st.integers(1, 4), min_size=1, max_size=200))
def test_one_better_answer_never_lowers_an_element_mean(column):
    worst = column.index(min(column))
    better = [*column[:worst], min(column[worst] + 1, 4), *column[worst + 1:]]
    assert ikm.mean(better) >= ikm.mean(column)
