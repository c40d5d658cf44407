"""The satisfaction index (Indeks Kepuasan Masyarakat, PermenPANRB 14/2017), computed exactly.

Each element (unsur) is answered on a 1–4 scale; an element's mean is the mean of its answers;
IKM = the mean of the element means × 25, so 25–100. Arithmetic is in `Fraction` throughout and
rounded only for display, half-up to two decimals; the grade is read from that rounded index
(76.605 → 76.61 → B), so the bands have no gaps. The element list is configurable, as the
regulation allows an office to adapt its questionnaire (`IKM_ELEMENTS`, app/config.py).

Anonymity: one answer per visit through a single-use token on a slip that is never stored. The
server keeps only the token's SHA-256 in a pool per office and month, with no booking, ticket,
time or order beside it (the key is the hash itself, so rows do not even say which came first);
an answer keeps its office and month only, under a random id. So no stored row leads from an
answer to a visit or a person.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, select

from ..i18n import N_
from ..models import Booking, Office, SurveyAnswer, SurveyResponse, SurveyToken

# --- the questionnaire ------------------------------------------------------------------------


@dataclass(frozen=True)
class Element:
    code: str
    name: str  # the regulation's name of the unsur
    question: str
    labels: tuple[str, str, str, str]  # answer 1 … 4, in the regulation's order


# The nine unsur of PermenPANRB 14/2017, with the answer labels of its sample questionnaire.
ELEMENTS: dict[str, Element] = {e.code: e for e in (
    Element("persyaratan", N_("Persyaratan"),
            N_("Apakah persyaratan layanan sesuai dengan layanan yang Anda terima?"),
            (N_("Tidak sesuai"), N_("Kurang sesuai"), N_("Sesuai"), N_("Sangat sesuai"))),
    Element("prosedur", N_("Sistem, mekanisme dan prosedur"),
            N_("Apakah prosedur layanan mudah diikuti?"),
            (N_("Tidak mudah"), N_("Kurang mudah"), N_("Mudah"), N_("Sangat mudah"))),
    Element("waktu", N_("Waktu penyelesaian"),
            N_("Apakah layanan diberikan dengan cepat?"),
            (N_("Tidak cepat"), N_("Kurang cepat"), N_("Cepat"), N_("Sangat cepat"))),
    # Answered by the respondent, never scored 4 automatically: a demand for money must show.
    Element("biaya", N_("Biaya/tarif"),
            N_("Berapa yang Anda bayar untuk layanan ini?"),
            (N_("Sangat mahal"), N_("Cukup mahal"), N_("Murah"), N_("Gratis"))),
    Element("produk", N_("Produk spesifikasi jenis pelayanan"),
            N_("Apakah hasil layanan sesuai dengan yang dijanjikan?"),
            (N_("Tidak sesuai"), N_("Kurang sesuai"), N_("Sesuai"), N_("Sangat sesuai"))),
    Element("kompetensi", N_("Kompetensi pelaksana"),
            N_("Apakah petugas menguasai pekerjaannya?"),
            (N_("Tidak kompeten"), N_("Kurang kompeten"), N_("Kompeten"),
             N_("Sangat kompeten"))),
    Element("perilaku", N_("Perilaku pelaksana"),
            N_("Apakah petugas sopan dan ramah?"),
            (N_("Tidak sopan dan ramah"), N_("Kurang sopan dan ramah"), N_("Sopan dan ramah"),
             N_("Sangat sopan dan ramah"))),
    Element("pengaduan", N_("Penanganan pengaduan, saran dan masukan"),
            N_("Bagaimana kantor menangani pengaduan, saran dan masukan?"),
            (N_("Tidak ada"), N_("Ada tetapi tidak berfungsi"), N_("Berfungsi kurang maksimal"),
             N_("Dikelola dengan baik"))),
    Element("sarana", N_("Sarana dan prasarana"),
            N_("Bagaimana ruang tunggu, alat dan fasilitas kantor?"),
            (N_("Buruk"), N_("Cukup"), N_("Baik"), N_("Sangat baik"))),
)}
DEFAULT_ELEMENTS: tuple[str, ...] = tuple(ELEMENTS)
SCALE = (1, 2, 3, 4)


def element_list(codes: Iterable[str] | str | None) -> tuple[str, ...]:
    """The configured elements, in order: a comma-separated setting or a sequence of codes from
    ELEMENTS. Unknown codes are a configuration error, said at start-up, not a silent skip."""
    if codes is None or codes == "":
        return DEFAULT_ELEMENTS
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(",") if c.strip()]
    chosen = tuple(dict.fromkeys(codes))
    unknown = [c for c in chosen if c not in ELEMENTS]
    if unknown or not chosen:
        raise ValueError(f"unknown IKM elements: {', '.join(unknown) or '(none)'}; "
                         f"choose from {', '.join(ELEMENTS)}")
    return chosen


# SERVQUAL (Parasuraman et al.), as the Medan Baru study frames the service: expectation and
# perception per dimension, optional questions of the same survey, on a 1–5 scale.
@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    statement: str


DIMENSIONS: dict[str, Dimension] = {d.code: d for d in (
    Dimension("tangibles", N_("Bukti fisik"),
              N_("Ruang tunggu, alat perekam dan penampilan petugas")),
    Dimension("reliability", N_("Keandalan"),
              N_("Layanan diberikan tepat, sesuai janji dan jadwal")),
    Dimension("responsiveness", N_("Daya tanggap"),
              N_("Petugas sigap membantu dan cepat menanggapi pertanyaan")),
    Dimension("assurance", N_("Jaminan"),
              N_("Petugas menguasai tugasnya dan Anda merasa aman dilayani")),
    Dimension("empathy", N_("Empati"),
              N_("Petugas memperhatikan kebutuhan Anda, juga bila Anda perlu bantuan")),
)}
SERVQUAL_SCALE = (1, 2, 3, 4, 5)
SERVQUAL_LABELS = (N_("Sangat buruk"), N_("Buruk"), N_("Cukup"), N_("Baik"), N_("Sangat baik"))
EXPECTATION, PERCEPTION = "expectation", "perception"


# --- the arithmetic -----------------------------------------------------------------------------

def mean(values: Sequence[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def ikm(element_means: Iterable[Fraction | None]) -> Fraction | None:
    """IKM = mean of the element means × 25 (elements nobody answered are left out)."""
    means = [m for m in element_means if m is not None]
    if not means:
        return None
    return sum(means, Fraction(0)) / len(means) * 25


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Exact half-up rounding of a non-negative fraction (Decimal of a float would not be)."""
    scale = 10 ** places
    units = math.floor(value * scale + Fraction(1, 2))
    return Decimal(units).scaleb(-places).quantize(Decimal(1).scaleb(-places))


# The regulation's bands, on the index rounded to two decimals: lower edges, best first.
GRADES: tuple[tuple[str, Decimal, str], ...] = (
    ("A", Decimal("88.31"), N_("Sangat baik")),
    ("B", Decimal("76.61"), N_("Baik")),
    ("C", Decimal("65.00"), N_("Kurang baik")),
    ("D", Decimal("25.00"), N_("Tidak baik")),
)
GRADE_NAMES = {letter: name for letter, _edge, name in GRADES}


def grade(index: Fraction | Decimal) -> str:
    shown = round_half_up(Fraction(index))  # Fraction(Decimal) is exact
    if not Decimal("25.00") <= shown <= Decimal("100.00"):
        raise ValueError(f"an IKM lies within 25–100, not {shown}")
    for letter, edge, _name in GRADES:
        if shown >= edge:
            return letter
    raise AssertionError("unreachable: D starts at 25.00")


# The regulation's sample-size table (Krejcie and Morgan, 5 % error) by population served.
SAMPLE_TABLE: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44),
    (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76),
    (100, 80), (110, 86), (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118),
    (180, 123), (190, 127), (200, 132), (210, 136), (220, 140), (230, 144), (240, 148),
    (250, 152), (260, 155), (270, 159), (280, 162), (290, 165), (300, 169), (320, 175),
    (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
    (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254),
    (800, 260), (850, 265), (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291),
    (1300, 297), (1400, 302), (1500, 306), (1600, 310), (1700, 313), (1800, 317), (1900, 320),
    (2000, 322), (2200, 327), (2400, 331), (2600, 335), (2800, 338), (3000, 341), (3500, 346),
    (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368),
    (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381),
    (75000, 382), (100000, 384),
)


def sample_needed(population: int) -> int:
    """Responses needed for a population served: the table's row at or above it (so never
    fewer than the table asks); a population under 10 must all answer."""
    if population <= 0:
        return 0
    for rows, sample in SAMPLE_TABLE:
        if population <= rows:
            return min(sample, population)
    return SAMPLE_TABLE[-1][1]


# --- periods ------------------------------------------------------------------------------------

PERIOD_KINDS = ("month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter | year
    year: int
    number: int = 1  # the month 1–12 or quarter 1–4; 1 for a year

    def __post_init__(self):
        limit = {"month": 12, "quarter": 4, "year": 1}.get(self.kind)
        if limit is None or not 1 <= self.number <= limit or not 2000 <= self.year <= 2100:
            raise ValueError(f"no such period: {self.kind} {self.year}/{self.number}")

    @property
    def months(self) -> tuple[date, ...]:
        first = {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]
        count = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return tuple(date(self.year, m, 1) for m in range(first, first + count))

    @property
    def start(self) -> date:
        return self.months[0]

    @property
    def end(self) -> date:  # exclusive
        last = self.months[-1]
        return date(last.year + (last.month == 12), last.month % 12 + 1, 1)

    @property
    def slug(self) -> str:
        return {"month": f"{self.year}-{self.number:02d}", "quarter": f"{self.year}-T{self.number}",
                "year": f"{self.year}"}[self.kind]


def month_of(moment: datetime, timezone: str) -> date:
    local = moment.astimezone(ZoneInfo(timezone))
    return date(local.year, local.month, 1)


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


# --- tokens -------------------------------------------------------------------------------------

TOKEN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # noqa: S105 (Crockford base32: no I, L, O, U)
TOKEN_LENGTH = 12  # 60 bits: guessing one is hopeless, and the form is rate-limited too
# A slip from a visit on the 31st can still be answered next month; older slips are stale.
ANSWER_MONTHS = 2
MAX_TOKENS_PER_CALL = 100


class SurveyError(Exception):
    """A survey answer refused; `code` names why: unknown, used, expired, incomplete."""

    def __init__(self, code: str, fields: Sequence[str] = ()):
        super().__init__(code)
        self.code, self.fields = code, tuple(fields)


def normalise_token(text: str | None) -> str | None:
    """As typed from a slip: any case, with or without hyphens or spaces, Crockford's aliases."""
    if not text:
        return None
    cleaned = "".join(text.split()).replace("-", "").upper()
    cleaned = cleaned.translate(str.maketrans({"I": "1", "L": "1", "O": "0"}))
    if len(cleaned) != TOKEN_LENGTH or any(c not in TOKEN_ALPHABET for c in cleaned):
        return None
    return cleaned


def display_token(token: str) -> str:
    return "-".join(token[i:i + 4] for i in range(0, len(token), 4))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue_survey_tokens(session: Session, office_code: str, count: int = 1,
                        now: datetime | None = None) -> list[str]:
    """New single-use survey tokens for an office's pool of this month (in its zone), for the
    counter, the kiosk or the check-out screen to print or show once. The caller must not store
    them: only their hashes are kept, with the office and month and nothing else."""
    if not 1 <= count <= MAX_TOKENS_PER_CALL:
        raise ValueError(f"issue 1–{MAX_TOKENS_PER_CALL} tokens at a time")
    office = session.get(Office, office_code)
    if office is None:
        raise LookupError(office_code)
    month = month_of(now or datetime.now(UTC), office.timezone)
    tokens = ["".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
              for _ in range(count)]
    session.add_all(SurveyToken(token_hash=token_hash(t), office_code=office_code, month=month)
                    for t in tokens)
    session.flush()
    return tokens


@dataclass(frozen=True)
class TokenCheck:
    state: str  # ok | unknown | used | expired
    office_code: str | None = None
    month: date | None = None


def _stale(month: date, office: Office, now: datetime) -> bool:
    return month_of(now, office.timezone) >= add_months(month, ANSWER_MONTHS)


def check_token(session: Session, text: str | None, now: datetime | None = None) -> TokenCheck:
    """Whether a typed or scanned token may still answer (reads only; the answer decides)."""
    token = normalise_token(text)
    row = session.get(SurveyToken, token_hash(token)) if token else None
    if row is None:
        return TokenCheck("unknown")
    if row.used:
        return TokenCheck("used", row.office_code, row.month)
    if _stale(row.month, session.get(Office, row.office_code), now or datetime.now(UTC)):
        return TokenCheck("expired", row.office_code, row.month)
    return TokenCheck("ok", row.office_code, row.month)


def submit_response(session: Session, text: str | None, answers: Mapping[str, int],
                    *, elements: Sequence[str] = DEFAULT_ELEMENTS,
                    servqual: Mapping[tuple[str, str], int] | None = None,
                    suggestion: str = "", now: datetime | None = None) -> SurveyResponse:
    """Store one answer with its token, which is spent in the same single conditional UPDATE
    (so the same token sent twice at once counts once). `answers` maps element code → 1–4 for
    every configured element; `servqual` maps (dimension, expectation|perception) → 1–5."""
    missing = [c for c in elements if answers.get(c) not in SCALE]
    if missing:
        raise SurveyError("incomplete", missing)
    servqual = {k: v for k, v in (servqual or {}).items()
                if k[0] in DIMENSIONS and k[1] in (EXPECTATION, PERCEPTION)}
    if any(v not in SERVQUAL_SCALE for v in servqual.values()):
        raise SurveyError("incomplete", [f"{d}_{k}" for (d, k), v in servqual.items()
                                         if v not in SERVQUAL_SCALE])
    check = check_token(session, text, now)
    if check.state != "ok":
        raise SurveyError(check.state)
    spent = session.execute(
        sa.update(SurveyToken)
        .where(SurveyToken.token_hash == token_hash(normalise_token(text)),
               SurveyToken.used.is_(False))
        .values(used=True)
        .execution_options(synchronize_session=False))
    if spent.rowcount != 1:  # another answer with this token was quicker
        raise SurveyError("used")
    response = SurveyResponse(id=uuid.uuid4().hex, office_code=check.office_code,
                              month=check.month, suggestion=suggestion.strip()[:1000])
    session.add(response)
    session.flush()
    session.add_all([SurveyAnswer(response_id=response.id, kind="element", code=c,
                                  value=answers[c]) for c in elements])
    session.add_all([SurveyAnswer(response_id=response.id, kind=k, code=d, value=v)
                     for (d, k), v in sorted(servqual.items())])
    session.flush()
    return response


# --- the index of a period ------------------------------------------------------------------


@dataclass(frozen=True)
class ElementResult:
    code: str
    name: str
    count: int
    total: int
    mean: Fraction | None


@dataclass(frozen=True)
class GapResult:
    code: str
    name: str
    expectation: Fraction | None
    perception: Fraction | None
    count: int

    @property
    def gap(self) -> Fraction | None:
        if self.expectation is None or self.perception is None:
            return None
        return self.perception - self.expectation


@dataclass(frozen=True)
class IndexReport:
    office_code: str
    period: Period
    elements: tuple[ElementResult, ...]
    responses: int
    population: int
    index: Fraction | None
    servqual: tuple[GapResult, ...] = field(default=())
    suggestions: tuple[str, ...] = field(default=())

    @property
    def index_shown(self) -> Decimal | None:
        return round_half_up(self.index) if self.index is not None else None

    @property
    def grade(self) -> str | None:
        return grade(self.index) if self.index is not None else None

    @property
    def sample_needed(self) -> int:
        return sample_needed(self.population)

    @property
    def too_few(self) -> bool:
        """Too few answers to mean much (the regulation's table for the population served)."""
        return self.responses < max(self.sample_needed, 1)


def utc_bounds(period: Period, timezone: str) -> tuple[datetime, datetime]:
    """The period's start and end (exclusive) as UTC moments, its days in the office's zone."""
    zone = ZoneInfo(timezone)
    return (datetime.combine(period.start, time(0), zone).astimezone(UTC),
            datetime.combine(period.end, time(0), zone).astimezone(UTC))


def population_served(session: Session, office_code: str, period: Period) -> int:
    """People served in the period, for the sample-size table: each is handed one slip, turned
    away or not, so the pool's issued tokens count them — or the bookings checked in, when an
    office handed out fewer slips than it served."""
    slips = session.execute(
        sa.select(sa.func.count()).select_from(SurveyToken)
        .where(SurveyToken.office_code == office_code,
               SurveyToken.month >= period.start, SurveyToken.month < period.end)).scalar_one()
    start, end = utc_bounds(period, session.get(Office, office_code).timezone)
    visits = session.execute(
        sa.select(sa.func.count()).select_from(Booking)
        .where(Booking.office_code == office_code, Booking.checked_in_at >= start,
               Booking.checked_in_at < end)).scalar_one()
    return max(slips, visits)


def index_report(session: Session, office_code: str, period: Period,
                 elements: Sequence[str] = DEFAULT_ELEMENTS) -> IndexReport:
    """Element means, IKM, response count and SERVQUAL gaps of an office for a period."""
    in_period = (SurveyResponse.office_code == office_code,
                 SurveyResponse.month >= period.start, SurveyResponse.month < period.end)
    rows = session.execute(
        sa.select(SurveyAnswer.kind, SurveyAnswer.code, sa.func.count(),
                  sa.func.sum(SurveyAnswer.value))
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(*in_period)
        .group_by(SurveyAnswer.kind, SurveyAnswer.code)).all()
    sums = {(kind, code): (int(count), int(total)) for kind, code, count, total in rows}
    results = []
    for code in elements:
        count, total = sums.get(("element", code), (0, 0))
        results.append(ElementResult(code, ELEMENTS[code].name, count, total,
                                     Fraction(total, count) if count else None))
    gaps = []
    for code, dimension in DIMENSIONS.items():
        e_count, e_total = sums.get((EXPECTATION, code), (0, 0))
        p_count, p_total = sums.get((PERCEPTION, code), (0, 0))
        gaps.append(GapResult(code, dimension.name,
                              Fraction(e_total, e_count) if e_count else None,
                              Fraction(p_total, p_count) if p_count else None,
                              min(e_count, p_count)))
    responses = session.execute(sa.select(sa.func.count()).select_from(SurveyResponse)
                                .where(*in_period)).scalar_one()
    suggestions = session.exec(
        select(SurveyResponse.suggestion).where(*in_period, SurveyResponse.suggestion != "")
        .order_by(SurveyResponse.month, SurveyResponse.suggestion)).all()
    return IndexReport(office_code, period, tuple(results), responses,
                       population_served(session, office_code, period),
                       ikm(r.mean for r in results), tuple(gaps), tuple(suggestions))


def latest_month(session: Session, office_code: str) -> date | None:
    return session.execute(sa.select(sa.func.max(SurveyResponse.month))
                           .where(SurveyResponse.office_code == office_code)).scalar_one()


@dataclass(frozen=True)
class PublicSummary:
    """What an office must display: the latest month's IKM and its year so far."""

    month: IndexReport | None
    year: IndexReport | None


def public_summary(session: Session, office_code: str,
                   elements: Sequence[str] = DEFAULT_ELEMENTS) -> PublicSummary:
    month = latest_month(session, office_code)
    if month is None:
        return PublicSummary(None, None)
    return PublicSummary(
        index_report(session, office_code, Period("month", month.year, month.month), elements),
        index_report(session, office_code, Period("year", month.year), elements))


def report_table(report: IndexReport, element_names: Mapping[str, str] | None = None
                 ) -> list[list]:
    """The report's figures as rows, the same for the CSV and the XLSX (so both open with the
    same numbers): element rows, then the index, grade, responses and sample size. Figures are
    rounded half up to two decimals here, and only here."""
    names = element_names or {}

    def shown(value: Fraction | None) -> Decimal | None:
        return round_half_up(value) if value is not None else None

    rows: list[list] = [["unsur", "kode", "nama", "jawaban", "rata_rata", "nilai_x25"]]
    for number, e in enumerate(report.elements, start=1):
        rows.append([f"U{number}", e.code, names.get(e.code, e.name), e.count, shown(e.mean),
                     shown(e.mean * 25 if e.mean is not None else None)])
    rows += [[], ["ikm", shown(report.index)], ["mutu", report.grade or ""],
             ["jawaban", report.responses], ["dilayani", report.population],
             ["sampel_minimal", report.sample_needed],
             ["cukup", "tidak" if report.too_few else "ya"], [],
             ["dimensi_servqual", "jawaban", "harapan", "kenyataan", "selisih"]]
    for g in report.servqual:
        rows.append([g.code, g.count, shown(g.expectation), shown(g.perception),
                     None if g.gap is None else (round_half_up(g.gap) if g.gap >= 0
                                                 else -round_half_up(-g.gap))])
    return rows
