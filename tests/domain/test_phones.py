"""One rule for phone numbers everywhere a person gives one (DESIGN §3: normalised to +62…)."""

import pytest

from app.domain.phones import normalise_phone


@pytest.mark.parametrize("typed, kept", [
    ("0812 3456 7890", "+6281234567890"),
    ("+62 31 8851234", "+62318851234"),
    ("0812-3456-78901", "+62812345678901"),  # 12 digits after +62: the longest mobile numbers
    ("031 885 123", "+6231885123"),  # 8 digits: a short landline with its area code
    ("", None),
    (None, None),
])
def test_numbers_are_kept_as_plus_62_and_blank_means_none(typed, kept):
    assert normalise_phone(typed) == kept


@pytest.mark.parametrize("typed", ["0812 3456 789012", "031 8851", "+1 202 555 0100", "0800",
                                   "+620812345678", "0812abc"])
def test_numbers_that_cannot_be_indonesian_are_refused(typed):
    with pytest.raises(ValueError):
        normalise_phone(typed)
