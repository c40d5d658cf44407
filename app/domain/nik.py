"""The NIK (Nomor Induk Kependudukan): `PPKKCC DDMMYY SSSS`.

The NIK is personal data (UU 27/2022): nothing here logs it, error messages carry only a rule code,
and the objects returned keep neither the full NIK nor anything that rebuilds it in their repr.
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.domain.regions import kecamatan_name, province_name

NIK_LENGTH = 16
# Women's NIKs carry the day of birth plus 40 (day 41–71).
FEMALE_DAY_OFFSET = 40
# A two-digit year is read as the most recent past year; nobody recording is older than this.
MAX_AGE_YEARS = 120
_ASCII_DIGITS = frozenset("0123456789")


class NikError(ValueError):
    """A NIK that cannot have been issued. `code` names the rule; the NIK itself is never kept."""

    CODES = ("empty", "digits", "length", "province", "date", "serial")

    def __init__(self, code: str) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown NikError code {code!r}")
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class NikInfo:
    province_code: str
    region_code: str
    region_known: bool
    # Hidden from repr: with region_code and last4 they would spell out the whole NIK in a log.
    birth_date: date = field(repr=False)
    sex: str = field(repr=False)
    last4: str


def normalise_nik(raw: str) -> str:
    """The 16 digits of a NIK as typed, allowing spaces or dots between groups (35.15.04.…, as
    printed on some cards and KKs), but not hyphens or letters."""
    if raw is None or not raw.strip():
        raise NikError("empty")
    # str.split() also drops the non-breaking spaces that come with a NIK pasted from a PDF.
    nik = "".join(raw.split()).replace(".", "")
    # Only ASCII digits: str.isdigit() would also accept e.g. Arabic-Indic or full-width digits.
    if not set(nik) <= _ASCII_DIGITS:
        raise NikError("digits")
    if len(nik) != NIK_LENGTH:
        raise NikError("length")
    return nik


def _birth_date(day: int, month: int, yy: int, today: date) -> date:
    # The most recent year ending in yy that is not after today; go back a century while the date
    # is in the future or does not exist that year (29 Feb 2000 exists, 29 Feb 1900 does not).
    year = today.year - (today.year - yy) % 100
    while today.year - year <= MAX_AGE_YEARS:
        try:
            born = date(year, month, day)
        except ValueError:
            born = None
        if born is not None and born <= today:
            return born
        year -= 100
    raise NikError("date")


def parse_nik(raw: str, today: date) -> NikInfo:
    """Check a NIK against the issuing rules; raise NikError naming the first rule it breaks.

    There is no check digit, and an unknown kabupaten/kecamatan code is not an error: regions
    split and merge, but a NIK is never reissued.
    """
    nik = normalise_nik(raw)
    province_code, region_code = nik[:2], nik[:6]
    if province_name(province_code) is None:
        raise NikError("province")
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "M"
    if day > FEMALE_DAY_OFFSET:
        sex, day = "F", day - FEMALE_DAY_OFFSET
    birth_date = _birth_date(day, month, yy, today)
    if nik[12:] == "0000":
        raise NikError("serial")
    return NikInfo(
        province_code=province_code,
        region_code=region_code,
        region_known=kecamatan_name(region_code) is not None,
        birth_date=birth_date,
        sex=sex,
        last4=nik[12:],
    )


def mask_nik(nik: str) -> str:
    """For display: first 4 and last 4 digits, e.g. 3515••••••••0003."""
    nik = normalise_nik(nik)
    return nik[:4] + "\u2022" * 8 + nik[-4:]


def nik_hash(nik: str, key: bytes) -> str:
    """Keyed hash for lookups and uniqueness; a plain hash of 16 digits is trivially brute-forced."""
    if not key:
        raise ValueError("nik_hash needs a non-empty secret key")
    return hmac.new(key, normalise_nik(nik).encode("ascii"), hashlib.sha256).hexdigest()


def nik_warnings(
    info: NikInfo, stated_birth_date: date | None = None, stated_sex: str | None = None
) -> list[str]:
    """Differences between what the person states and their NIK, for them to confirm.

    These are warnings, not rejections: the date in a NIK is never corrected after issue, so a
    wrong one stays wrong for life.
    """
    warnings = []
    if stated_birth_date is not None and stated_birth_date != info.birth_date:
        warnings.append("birth_date_mismatch")
    if stated_sex is not None:
        sex = stated_sex.strip().upper()
        if sex not in ("F", "M"):
            raise ValueError("stated_sex must be 'F' or 'M'")
        if sex != info.sex:
            warnings.append("sex_mismatch")
    return warnings


def today_in(tz_name: str = "Asia/Jakarta", now: datetime | None = None) -> date:
    """Today's date in the office's time zone: ages change at local midnight, not UTC midnight."""
    tz = ZoneInfo(tz_name)
    if now is None:
        return datetime.now(tz).date()
    if now.tzinfo is None:
        # A naive datetime would be read in the server's zone, which is not the office's.
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date()
