"""Every date, time, zone and code as people read them, in one place (GOV.UK Notify's
`formatters.py`): pages, receipts (A5, 80 mm, HTML), the checklist PDF and the SMS texts all call
these, as functions or as the Jinja filters registered below.

Plain Python over Babel's CLDR data, no Flask and no app imports, so the domain, the faces and a
background job can all use it. The conventions come from the language's CLDR data, so a new
catalogue (Javanese, Sundanese) needs no change here: Indonesian writes 08.00 and
"Selasa, 1 Desember 2026". English is read here by Indonesians and visitors, so it follows the
British order ("1 December 2026", 08:00) rather than the American one ("December 1", 8:00 AM).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton, get_day_names
from jinja2 import pass_context

# Indonesia's three zones as people name them (Keppres 41/1987).
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
DEFAULT_LANG = "id"
_CLDR_LOCALES = {"en": "en_GB"}  # day before month, 24-hour clock (see the module docstring)
DASH = "\u2013"  # en dash between the two ends of a range: 08.00–08.30


@lru_cache(maxsize=32)
def _locale(lang: str | None) -> Locale:
    """The CLDR locale for a page language ("en", "en-GB", "jv"); Indonesian when unknown."""
    code = (str(lang or DEFAULT_LANG)).replace("-", "_")
    code = _CLDR_LOCALES.get(code, code)
    try:
        return Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return Locale.parse(DEFAULT_LANG)


def zone_name(timezone: str) -> str:
    """WIB, WITA or WIT for an office's zone; the zone's own name elsewhere."""
    return ZONE_NAMES.get(timezone, timezone)


def display_code(code: str) -> str:
    """How people see a booking code: two groups of four, K7Q2-M9XH (DESIGN §3)."""
    return f"{code[:4]}-{code[4:]}"


def masked_nik(last4: str) -> str:
    """Only the last 4 digits are kept (DESIGN §9); the rest shows as dots."""
    return "\u2022" * 12 + last4


def _in_zone(moment: datetime | time, tz: str | ZoneInfo | None) -> datetime | time:
    """The moment in the given zone; naive datetimes are UTC, as Rekam stores them."""
    if tz is None or not isinstance(moment, datetime):
        return moment
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone)


def local_time(moment: datetime | time, lang: str | None = DEFAULT_LANG,
               tz: str | ZoneInfo | None = None) -> str:
    """Hours and minutes, 24-hour: 08.00 in Indonesian, 08:00 in English."""
    return format_skeleton("Hm", _in_zone(moment, tz), locale=_locale(lang))


def local_date(moment: date | datetime, lang: str | None = DEFAULT_LANG,
               tz: str | ZoneInfo | None = None, *, weekday: bool = False,
               year: bool = True) -> str:
    """1 Desember 2026 / 1 December 2026; with ``weekday`` "Selasa, 1 Desember 2026"."""
    day = _in_zone(moment, tz)
    day = day.date() if isinstance(day, datetime) else day
    locale = _locale(lang)
    text = format_date(day, "long", locale=locale) if year else \
        format_skeleton("MMMMd", day, locale=locale)
    if weekday:
        text = f"{format_date(day, 'EEEE', locale=locale)}, {text}"
    return text


def time_range(start: datetime | time, end: datetime | time | None,
               lang: str | None = DEFAULT_LANG, tz: str | ZoneInfo | None = None) -> str:
    """08.00–08.30 (or just 08.00 when the end is unknown)."""
    first = local_time(start, lang, tz)
    return first if end is None else f"{first}{DASH}{local_time(end, lang, tz)}"


def slot_range(start: datetime, end: datetime | None, lang: str | None = DEFAULT_LANG,
               tz: str | ZoneInfo | None = None) -> str:
    """A slot as people read it: 08.00–08.30 WIB, in the zone given (else the start's own)."""
    zone = getattr(_in_zone(start, tz).tzinfo, "key", None)
    times = time_range(start, end, lang, tz)
    return f"{times} {zone_name(zone)}" if zone else times


def local_moment(moment: datetime, lang: str | None = DEFAULT_LANG,
                 tz: str | ZoneInfo | None = None) -> str:
    """A point in time with its zone: "Selasa, 1 Desember 2026, 08.00 WIB"."""
    shown = _in_zone(moment, tz)
    zone = getattr(shown.tzinfo, "key", "")
    return f"{local_date(shown, lang, weekday=True)}, {local_time(shown, lang)} " \
           f"{zone_name(zone)}".rstrip()


def weekday_names(lang: str | None = DEFAULT_LANG) -> list[str]:
    """Monday first, as `date.weekday()` counts: Senin … Minggu."""
    names = get_day_names("wide", locale=_locale(lang))
    return [names[i] for i in range(7)]


# --- Jinja filters --------------------------------------------------------------------------

FILTERS = {"local_time": local_time, "local_date": local_date, "time_range": time_range,
           "slot_range": slot_range, "local_moment": local_moment,
           "display_code": display_code, "masked_nik": masked_nik, "zone_name": zone_name}
_WITH_LANG = ("local_time", "local_date", "time_range", "slot_range", "local_moment")


def register_filters(env, current_lang: Callable[[], str]) -> None:
    """Install the filters; a template's own ``lang`` (the Indonesian print) wins over the
    request's language, so `{{ slot.starts_at|local_time }}` is right on pages and PDFs alike."""
    for name, function in FILTERS.items():
        env.filters[name] = _language_aware(function, current_lang) if name in _WITH_LANG \
            else function


def _language_aware(function, current_lang: Callable[[], str]):
    two_moments = function in (time_range, slot_range)

    @pass_context
    def filter_(context, value, *args, lang: str | None = None, **kwargs):
        chosen = lang or context.get("lang") or current_lang()
        if two_moments:  # {{ start|slot_range(end, tz=office.timezone) }}
            return function(value, args[0] if args else None, chosen, *args[1:], **kwargs)
        return function(value, chosen, *args, **kwargs)

    filter_.__name__ = function.__name__
    return filter_
