"""Booking codes people can read aloud, copy from paper and type in any case."""

import pytest

from app.domain.codes import ALPHABET, new_code, normalise_code
from app.formatting import display_code


def test_a_new_code_is_eight_crockford_characters_and_random():
    drawn = {new_code() for _ in range(200)}
    assert len(drawn) == 200
    assert all(len(c) == 8 and set(c) <= set(ALPHABET) for c in drawn)
    assert not set("ILOU") & set("".join(drawn))


def test_people_see_the_code_in_two_groups():
    assert display_code("K7Q2M9XH") == "K7Q2-M9XH"


@pytest.mark.parametrize("typed", ["K7Q2-M9XH", "k7q2m9xh", " k7q2 m9xh ", "K7Q2M9XH"])
def test_a_code_is_accepted_with_or_without_hyphen_in_any_case(typed):
    assert normalise_code(typed) == "K7Q2M9XH"


def test_letters_that_look_like_digits_are_read_as_the_digits():
    assert normalise_code("ko1l-ioLo") == "K0111010"


@pytest.mark.parametrize("typed", [None, "", "K7Q2-M9X", "K7Q2M9XHZ", "K7Q2-M9XU", "K7Q2_M9XH",
                                   "K7Q2-M9X!", "x" * 50])
def test_anything_else_is_not_a_code(typed):
    assert normalise_code(typed) is None
