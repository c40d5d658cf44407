import hashlib
import hmac
from datetime import UTC, date, datetime

import pytest

from app.domain.nik import (
    NikError,
    NikInfo,
    mask_nik,
    nik_hash,
    nik_warnings,
    normalise_nik,
    parse_nik,
    today_in,
)
from app.domain.regions import kecamatan_name, province_name, region_label

TODAY = date(2026, 11, 23)
MAN_PORONG = "3515041203070003"  # Porong, born 12-03-2007, man
WOMAN_PORONG = "3515045203070003"  # same date, day + 40 for a woman
KEY = b"test-key-not-for-production"


def error_code(raw: str, today: date = TODAY) -> str:
    with pytest.raises(NikError) as excinfo:
        parse_nik(raw, today)
    return excinfo.value.code


def test_man_from_porong_has_his_birth_date_and_region():
    info = parse_nik(MAN_PORONG, TODAY)
    assert info == NikInfo(
        province_code="35",
        region_code="351504",
        region_known=True,
        birth_date=date(2007, 3, 12),
        sex="M",
        last4="0003",
    )
    assert region_label(info.region_code) == "Porong"


def test_woman_has_40_added_to_her_day_of_birth():
    info = parse_nik(WOMAN_PORONG, TODAY)
    assert (info.sex, info.birth_date) == ("F", date(2007, 3, 12))


@pytest.mark.parametrize(
    "day, sex, expected", [("01", "M", 1), ("31", "M", 31), ("41", "F", 1), ("71", "F", 31)]
)
def test_day_ranges_for_men_and_women(day, sex, expected):
    info = parse_nik(f"351504{day}0107" + "0003", TODAY)
    assert (info.sex, info.birth_date) == (sex, date(2007, 1, expected))


@pytest.mark.parametrize(
    "typed",
    [
        "3515 0412 0307 0003",
        "351504 120307 0003",
        "  3515041203070003\n",
        "3515\u00a00412\u00a003070003",
        "35.15.04.120307.0003",  # as some KKs print it (issue 10)
        "3515.0412.0307.0003",
    ],
)
def test_person_may_type_spaces_between_groups(typed):
    assert normalise_nik(typed) == MAN_PORONG
    assert parse_nik(typed, TODAY).birth_date == date(2007, 3, 12)


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("12345abc", "digits"),
        ("351504120307000O", "digits"),
        ("3515-0412-0307-0003", "digits"),
        ("\u0663\u0665\u0661\u0665041203070003", "digits"),  # Arabic-Indic digits
        ("\uff13\uff15\uff11\uff15041203070003", "digits"),  # full-width digits
        ("351504120307000", "length"),
        ("35150412030700031", "length"),
        ("9915041203070003", "province"),
        ("0015041203070003", "province"),
        ("3515040013070003", "date"),  # month 13 (and day 00)
        ("3515041213070003", "date"),  # month 13
        ("3515041200070003", "date"),  # month 00
        ("3515040003070003", "date"),  # day 00
        ("3515043203070003", "date"),  # day 32
        ("3515044003070003", "date"),  # day 40: neither a man's nor a woman's day
        ("3515047203070003", "date"),  # day 72 = 32 for a woman
        ("3515043102070003", "date"),  # 31 February
        ("3515047102070003", "date"),  # 31 February, woman
        ("3515042902070003", "date"),  # 29 February 2007 / 1907: not leap years
        ("3515041203070000", "serial"),
    ],
)
def test_nik_that_cannot_have_been_issued_is_rejected(raw, code):
    assert error_code(raw) == code


@pytest.mark.parametrize(
    "raw, code",
    [
        ("12345abc", "digits"),  # letters come before length
        ("9915043203070000", "province"),  # also a bad day and serial
        ("3515043203070000", "date"),  # also serial 0000
    ],
)
def test_rejection_names_the_first_failing_rule(raw, code):
    assert error_code(raw) == code


def test_nik_error_carries_only_the_rule_code():
    with pytest.raises(ValueError) as excinfo:
        parse_nik("3515041203070000", TODAY)
    err = excinfo.value
    assert isinstance(err, NikError)
    assert err.args[0] == err.code == "serial"
    assert "351504" not in str(err) + repr(err)


@pytest.mark.parametrize(
    "ddmmyy, expected",
    [
        ("120305", date(2005, 3, 12)),
        ("120330", date(1930, 3, 12)),
        ("011226", date(1926, 12, 1)),  # 1 Dec 2026 is still in the future
        ("231126", date(2026, 11, 23)),  # born today
        ("241126", date(1926, 11, 24)),  # tomorrow in 2026
        ("290200", date(2000, 2, 29)),
        ("311299", date(1999, 12, 31)),
    ],
)
def test_two_digit_year_is_the_most_recent_past_year(ddmmyy, expected):
    assert parse_nik(f"351504{ddmmyy}0003", TODAY).birth_date == expected


def test_29_february_2000_found_from_2100_by_skipping_the_non_leap_1900_and_2100():
    assert parse_nik("3515042902000003", date(2100, 6, 1)).birth_date == date(2000, 2, 29)


def test_unknown_kecamatan_in_known_province_is_accepted():
    info = parse_nik("3515991203070003", TODAY)
    assert info.region_known is False
    assert region_label(info.region_code) == "Kabupaten Sidoarjo"
    assert region_label("359901") == "Jawa Timur"


@pytest.mark.parametrize(
    "code2, name", [("35", "Jawa Timur"), ("91", "Papua"), ("92", "Papua Barat")]
)
def test_old_and_current_province_codes_are_known(code2, name):
    assert province_name(code2) == name
    assert parse_nik(f"{code2}03011203070003", TODAY).province_code == code2


@pytest.mark.parametrize("code", ["99", "3", "351", "ab"])
def test_unknown_province_has_no_name(code):
    assert province_name(code) is None


def test_region_names_use_dotless_codes():
    assert kecamatan_name("351504") == "Porong"
    assert kecamatan_name("35.15.04") is None
    assert region_label("999999") is None
    assert region_label(MAN_PORONG) is None  # a full NIK is not a region prefix


@pytest.mark.parametrize("nik", [MAN_PORONG, "3515 0412 0307 0003"])
def test_nik_is_masked_for_display(nik):
    assert mask_nik(nik) == "3515\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u20220003"


def test_nik_hash_is_stable_keyed_hmac_of_the_digits():
    expected = hmac.new(KEY, MAN_PORONG.encode(), hashlib.sha256).hexdigest()
    assert nik_hash(MAN_PORONG, KEY) == expected
    assert nik_hash("3515 0412 0307 0003", KEY) == expected
    assert nik_hash(MAN_PORONG, b"another-key") != expected
    assert nik_hash(WOMAN_PORONG, KEY) != expected


def test_nik_hash_refuses_an_empty_key():
    with pytest.raises(ValueError):
        nik_hash(MAN_PORONG, b"")


@pytest.mark.parametrize("nik", [MAN_PORONG, WOMAN_PORONG])
def test_parsed_nik_does_not_show_the_nik_in_logs(nik):
    info = parse_nik(nik, TODAY)
    for text in (repr(info), str(info)):
        assert nik not in text
        assert "2007" not in text  # with region and last4, the birth date would rebuild the NIK


def test_no_warning_when_stated_details_match_the_nik():
    info = parse_nik(WOMAN_PORONG, TODAY)
    assert nik_warnings(info) == []
    assert nik_warnings(info, date(2007, 3, 12), "f") == []


@pytest.mark.parametrize(
    "stated_date, stated_sex, expected",
    [
        (date(2007, 12, 3), None, ["birth_date_mismatch"]),
        (None, "M", ["sex_mismatch"]),
        (date(2007, 3, 13), "M", ["birth_date_mismatch", "sex_mismatch"]),
    ],
)
def test_stated_details_differing_from_nik_ask_for_confirmation(stated_date, stated_sex, expected):
    info = parse_nik(WOMAN_PORONG, TODAY)
    assert nik_warnings(info, stated_date, stated_sex) == expected


def test_stated_sex_must_be_f_or_m():
    with pytest.raises(ValueError):
        nik_warnings(parse_nik(MAN_PORONG, TODAY), stated_sex="X")


@pytest.mark.parametrize(
    "tz_name, expected",
    [
        ("Asia/Jakarta", date(2026, 11, 24)),
        ("Asia/Jayapura", date(2026, 11, 24)),
        ("UTC", date(2026, 11, 23)),
    ],
)
def test_today_is_taken_in_the_office_time_zone(tz_name, expected):
    assert today_in(tz_name, datetime(2026, 11, 23, 17, 30, tzinfo=UTC)) == expected


def test_today_defaults_to_jakarta_and_refuses_naive_times():
    assert today_in(now=datetime(2026, 11, 23, 16, 59, tzinfo=UTC)) == date(2026, 11, 23)
    assert isinstance(today_in(), date)
    with pytest.raises(ValueError):
        today_in("Asia/Jakarta", datetime(2026, 11, 23, 17, 30))
