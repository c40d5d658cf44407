"""Tables. Constraints that protect data live here (and so in the migrations), not in code.

Times are stored in UTC. Codes have no dots: office `351504`, desa `3515042001`,
station `351504-1`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; store aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_column(nullable: bool = False, **kwargs) -> sa.Column:
    return sa.Column(UTCDateTime(), nullable=nullable, **kwargs)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


STATION_STATES = ("active", "down", "maintenance")
POOLS = ("station", "counter")
STAFF_ROLES = ("admin", "officer", "desa_staff", "kiosk")
TOKEN_ROLES = ("kiosk", "officer", "capture_agent", "desa_staff", "admin")
TIMEZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


# --- issue 10 (I): office settings ---
CARD_PRINT_PLACES = ("kecamatan", "disdukcapil")


class Office(SQLModel, table=True):
    """A kecamatan office where people record."""

    __tablename__ = "office"
    __table_args__ = (
        sa.CheckConstraint(_in("timezone", TIMEZONES), name="ck_office_timezone"),
        sa.CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="ck_office_slot_minutes"),
        sa.CheckConstraint("recording_minutes BETWEEN 1 AND 240", name="ck_office_rec_minutes"),
        sa.CheckConstraint("counter_minutes BETWEEN 1 AND 240", name="ck_office_counter_minutes"),
        sa.CheckConstraint("held_back_percent BETWEEN 0 AND 100", name="ck_office_held_back"),
        sa.CheckConstraint("hold_release_hours >= 0", name="ck_office_hold_release"),
        sa.CheckConstraint("booking_horizon_days BETWEEN 1 AND 366", name="ck_office_horizon"),
        sa.CheckConstraint("no_show_grace_minutes >= 0", name="ck_office_grace"),
        # --- issue 9 (B): retention ---
        sa.CheckConstraint("retention_days BETWEEN 1 AND 3650", name="ck_office_retention_days"),
        # --- issue 10 (I): office settings ---
        sa.CheckConstraint(_in("card_print_place", CARD_PRINT_PLACES),
                           name="ck_office_card_print_place"),
        sa.CheckConstraint("card_days BETWEEN 1 AND 365", name="ck_office_card_days"),
        sa.CheckConstraint("min_recording_age BETWEEN 16 AND 17",
                           name="ck_office_min_recording_age"),
        # --- issue 15 (F): admin settings ---
        sa.CheckConstraint("online_cutoff_minutes BETWEEN 0 AND 1440",
                           name="ck_office_online_cutoff"),
    )

    code: str = Field(primary_key=True, max_length=6)
    name: str = Field(max_length=120)
    timezone: str = Field(max_length=40)
    address: str = Field(max_length=300)
    slot_minutes: int = 30
    recording_minutes: int = 10
    counter_minutes: int = 15
    # Share of each slot held back for priority visitors and walk-ins, in whole percent.
    held_back_percent: int = 30
    hold_release_hours: int = 2
    booking_horizon_days: int = 30
    no_show_grace_minutes: int = 30
    is_demo: bool = False
    # --- issue 9 (B): retention --- days after a booking ends until its personal data goes
    # (DESIGN §9, /privasi).
    retention_days: int = 90
    # --- issue 10 (I): office settings --- where cards are printed and picked up (DESIGN §3:
    # in three of five offices studied, at the kabupaten's Disdukcapil), with the pickup
    # address when it is not this office's; the days the office expects from recording to card;
    # the age from which it records (17 by law; some record from 16 on school outreach).
    card_print_place: str = Field(default="kecamatan", max_length=12)
    card_pickup_address: str | None = Field(default=None, max_length=300)
    card_days: int = 14
    min_recording_age: int = 17
    # --- issue 15 (F): admin settings --- online bookings close this long before a slot starts
    # (was the constant capacity.ONLINE_CUTOFF, one hour).
    online_cutoff_minutes: int = 60


class Desa(SQLModel, table=True):
    """A desa or kelurahan of an office's kecamatan."""

    __tablename__ = "desa"

    code: str = Field(primary_key=True, max_length=10)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    name: str = Field(max_length=120)


class Station(SQLModel, table=True):
    """One unit of an office's capacity: a recording station or a counter (loket)."""

    __tablename__ = "station"
    __table_args__ = (
        sa.CheckConstraint(_in("state", STATION_STATES), name="ck_station_state"),
        sa.CheckConstraint(_in("pool", POOLS), name="ck_station_pool"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=20)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    name: str = Field(max_length=80)
    pool: str = Field(default="station", max_length=10)
    state: str = Field(default="active", max_length=12)
    state_changed_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class OpeningHours(SQLModel, table=True):
    """A weekly service period in the office's own time zone; several a day are allowed."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_hours_weekday"),
        sa.CheckConstraint("opens < closes", name="ck_hours_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    weekday: int  # Monday = 0
    opens: time
    closes: time


class Closure(SQLModel, table=True):
    """A day the office is closed beyond the national holidays (entered by the admin)."""

    __tablename__ = "closure"
    __table_args__ = (sa.UniqueConstraint("office_code", "day", name="uq_closure_office_day"),)

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    day: date
    reason: str = Field(max_length=200)


class User(SQLModel, table=True):
    """A staff member (or a kiosk device) who signs in."""

    __tablename__ = "staff_user"
    __table_args__ = (
        sa.CheckConstraint(_in("role", STAFF_ROLES), name="ck_user_role"),
        sa.CheckConstraint("role <> 'desa_staff' OR desa_code IS NOT NULL", name="ck_user_desa"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, max_length=60)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    office_code: str | None = Field(default=None, foreign_key="office.code", max_length=6)
    desa_code: str | None = Field(default=None, foreign_key="desa.code", max_length=10)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class ApiToken(SQLModel, table=True):
    """A bearer token for the integration API; only its SHA-256 is kept."""

    __tablename__ = "api_token"
    __table_args__ = (
        sa.CheckConstraint(_in("role", TOKEN_ROLES), name="ck_token_role"),
        sa.CheckConstraint(
            "role NOT IN ('kiosk', 'officer', 'capture_agent') OR office_code IS NOT NULL",
            name="ck_token_office",
        ),
        sa.CheckConstraint("role <> 'desa_staff' OR desa_code IS NOT NULL", name="ck_token_desa"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    role: str = Field(max_length=20)
    office_code: str | None = Field(default=None, foreign_key="office.code", max_length=6)
    desa_code: str | None = Field(default=None, foreign_key="desa.code", max_length=10)
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    last_used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AuditEntry(SQLModel, table=True):
    """Append-only record of staff and system actions (triggers refuse UPDATE and DELETE).

    Holds no personal data: subjects are codes and ids, never a NIK or a name.
    """

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    actor: str = Field(max_length=60)  # "user:3", "token:7", "cli", "citizen", "system"
    action: str = Field(max_length=60)
    subject: str = Field(default="", max_length=120)
    detail: str = Field(default="", max_length=1000)


class Draft(SQLModel, table=True):
    """Server-side state of a multi-step form (wizard, booking); only its random id is in the
    cookie. Never holds a whole NIK: steps keep what they derived from it (hash, last 4 digits)."""

    __tablename__ = "form_draft"

    id: str = Field(primary_key=True, max_length=43)
    kind: str = Field(max_length=30)
    payload: str = Field(default="{}", sa_column=sa.Column(sa.Text(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column(index=True))


# --- issue 4: guidance (home-visit requests, misconduct reports) — models below this line ---

REQUESTERS = ("self", "family", "neighbour", "desa_staff")
# issue 15 (F): "contacted" — the office called back and is planning the visit.
HOME_VISIT_STATUSES = ("new", "contacted", "scheduled", "done", "declined")
REPORT_KINDS = ("money", "other")
# issue 15 (F): new = received, in_review = being handled, "answered" — the reporter can read
# the response at /lapor/{reference} with their PIN.
REPORT_STATUSES = ("new", "in_review", "answered", "closed")
# --- issue 10 (H): where a reported request for money happened (field studies: at the desa, at
# card pickup, on outreach visits, not only at the kecamatan office) ---
REPORT_PLACES = ("kecamatan", "desa", "pickup", "outreach", "elsewhere")


class HomeVisitRequest(SQLModel, table=True):
    """A request to record someone at home who cannot come to the office (bedridden, severely
    disabled): the field studies found these residents recorded at home by outreach teams."""

    __tablename__ = "home_visit_request"
    __table_args__ = (
        sa.CheckConstraint(_in("requester", REQUESTERS), name="ck_home_visit_requester"),
        sa.CheckConstraint(_in("status", HOME_VISIT_STATUSES), name="ck_home_visit_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=10)  # "KRM-7K2M9X", shown to the requester
    # The hidden one-time token of the form: a double submit finds the first request.
    submission_id: str = Field(unique=True, max_length=43)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    desa_code: str = Field(foreign_key="desa.code", max_length=10)
    name: str = Field(max_length=120)
    phone: str = Field(max_length=16)  # normalised +62…
    requester: str = Field(max_length=12)
    service: str = Field(max_length=20)
    details: str = Field(default="", max_length=500)
    status: str = Field(default="new", max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    # --- issue 9 (B): retention --- when the personal fields were emptied
    scrubbed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # --- issue 15 (F): the office's handling --- its note to the requester (read to them on
    # the phone), when the visit is planned, and when the status last changed.
    response: str = Field(default="", max_length=1000)
    planned_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    updated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class MisconductReport(SQLModel, table=True):
    """An anonymous report of a request for money or other misconduct (services are free: Pasal
    79A UU 23/2006). No client address is stored; the contact is optional."""

    __tablename__ = "misconduct_report"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", REPORT_KINDS), name="ck_report_kind"),
        sa.CheckConstraint(_in("status", REPORT_STATUSES), name="ck_report_status"),
        sa.CheckConstraint(_in("place", REPORT_PLACES), name="ck_report_place"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, max_length=10)  # "LPR-7K2M9X", shown to the reporter
    submission_id: str = Field(unique=True, max_length=43)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    event_date: date
    kind: str = Field(max_length=10)
    description: str = Field(max_length=2000)
    contact: str = Field(default="", max_length=200)
    status: str = Field(default="new", max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    # --- issue 9 (B): retention --- when the personal fields were emptied
    scrubbed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # --- issue 10 (H): where it happened; NULL for reports made before the question existed
    place: str | None = Field(default=None, max_length=10)
    # --- issue 15 (F): the reporter's PIN (a keyed hash only; NULL for reports made before
    # the PIN existed) and the answer they read at /lapor/{reference}.
    pin_hash: str | None = Field(default=None, max_length=64)
    response: str = Field(default="", max_length=2000)
    answered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    updated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))



# --- issue 5: booking (slots, bookings, outbox) — models below this line ---

BOOKING_STATUSES = ("booked", "checked_in", "in_capture", "recorded", "card_ready", "collected",
                    "cancelled", "no_show", "moved")
# Holding one of these blocks a second booking for the same NIK (DESIGN §3: one active booking).
ACTIVE_STATUSES = ("booked", "checked_in", "in_capture")
CHANNELS = ("web", "kiosk", "desa_staff", "officer", "api")
CONSENTS = ("present", "phone", "written")
# issue 9 (A): what a booking keeps of a person's age (app.domain.eligibility.AGE_BANDS).
AGE_BANDS = ("<17", "17-20", "21-59", "60+")
OUTBOX_STATUSES = ("pending", "sent", "failed", "no_recipient")


class Slot(SQLModel, table=True):
    """A bookable period of one office's pool. A row exists so that taking a place is a single
    conditional UPDATE of its counters (never read-then-write).

    `booked` counts active bookings; `booked_priority` those of them allowed into the held-back
    share (priority visitors, walk-ins on the day). Both always equal a recount of bookings.
    """

    __tablename__ = "slot"
    __table_args__ = (
        sa.UniqueConstraint("office_code", "pool", "starts_at", name="uq_slot_office_pool_start"),
        sa.CheckConstraint(_in("pool", POOLS), name="ck_slot_pool"),
        sa.CheckConstraint("starts_at < ends_at", name="ck_slot_order"),
        sa.CheckConstraint("capacity >= 0", name="ck_slot_capacity"),
        sa.CheckConstraint("held_back BETWEEN 0 AND capacity", name="ck_slot_held_back"),
        sa.CheckConstraint("booked >= 0", name="ck_slot_booked"),
        sa.CheckConstraint("booked_priority BETWEEN 0 AND booked", name="ck_slot_booked_priority"),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="office.code", max_length=6)
    pool: str = Field(max_length=10)
    starts_at: datetime = Field(sa_column=utc_column())
    ends_at: datetime = Field(sa_column=utc_column())
    capacity: int = 0
    held_back: int = 0
    booked: int = 0
    booked_priority: int = 0


class Booking(SQLModel, table=True):
    """A person's place in a slot. A reschedule keeps the code: the old row stays as `moved`
    history pointing at its replacement (`replaced_by_id`).

    Personal data per DESIGN §9: the NIK only as keyed hash + last 4 digits + what the rules
    decided from it at booking time (priority, age band). Never its birth date or sex: with the
    office's region code and the last 4 digits they would spell out the whole NIK.
    """

    __tablename__ = "booking"
    __table_args__ = (
        sa.CheckConstraint(_in("status", BOOKING_STATUSES), name="ck_booking_status"),
        sa.CheckConstraint(_in("channel", CHANNELS), name="ck_booking_channel"),
        sa.CheckConstraint(f"consent IS NULL OR {_in('consent', CONSENTS)}",
                           name="ck_booking_consent"),
        sa.CheckConstraint(f"age_band IS NULL OR {_in('age_band', AGE_BANDS)}",
                           name="ck_booking_age_band"),
        sa.CheckConstraint("length(code) = 8", name="ck_booking_code"),
        # One current booking per code; `moved` history rows share their successor's code.
        sa.Index("uq_booking_code_current", "code", unique=True,
                 sqlite_where=sa.text("status <> 'moved'"),
                 postgresql_where=sa.text("status <> 'moved'")),
        # One active booking per NIK, enforced by the schema, not by a query (DESIGN §3).
        sa.Index("uq_booking_nik_active", "nik_hash", unique=True,
                 sqlite_where=sa.text(_in("status", ACTIVE_STATUSES)),
                 postgresql_where=sa.text(_in("status", ACTIVE_STATUSES))),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, max_length=8)  # canonical: 8 Crockford base32, no hyphen
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    slot_id: int = Field(foreign_key="slot.id", index=True)
    service: str = Field(max_length=20)
    status: str = Field(default="booked", max_length=12)
    nik_hash: str = Field(index=True, max_length=64)
    nik_last4: str = Field(max_length=4)
    # On the day of booking, for statistics; None: not known (a row the 0005 migration found
    # without a birth date).
    age_band: str | None = Field(default=None, max_length=5)
    name: str = Field(max_length=120)
    phone: str | None = Field(default=None, max_length=16)  # normalised +62…
    desa_code: str | None = Field(default=None, foreign_key="desa.code", index=True,
                                  max_length=10)  # None: from outside this kecamatan
    needs: str = Field(default="[]", sa_column=sa.Column(sa.Text(), nullable=False))  # JSON list
    priority: bool = False  # age 60+ or a stated need other than a companion
    held_share: bool = False  # counted in slot.booked_priority
    channel: str = Field(default="web", max_length=12)
    consent: str | None = Field(default=None, max_length=10)  # how a resident agreed (desa staff)
    created_by: str = Field(default="citizen", max_length=60)  # "citizen", "token:7", "user:3"
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    reminded_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    checked_in_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    in_capture_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    recorded_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    card_ready_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    collected_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    cancelled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    no_show_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    moved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    replaced_by_id: int | None = Field(default=None, foreign_key="booking.id")
    suket_on: date | None = None  # temporary letter issued while blank cards are out
    # --- issue 9 (B): retention --- when the personal fields were emptied (app/domain/retention)
    scrubbed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class OutboxMessage(SQLModel, table=True):
    """A notification to a citizen. Always written here; delivered by a configured webhook
    (an SMS/WhatsApp gateway) when there is one."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.CheckConstraint(_in("status", OUTBOX_STATUSES), name="ck_outbox_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    kind: str = Field(max_length=30)  # "booked", "moved", "reminder", "cancelled", "no_show"
    recipient: str | None = Field(default=None, max_length=16)
    body: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # --- issue 9 (B): retention --- recipient and body emptied with the booking's data
    scrubbed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class UnplacedBooking(SQLModel, table=True):
    """A booking a lost station left without a place in the horizon: it keeps its old slot and
    the admin must call the person (nobody is silently dropped)."""

    __tablename__ = "unplaced_booking"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    cause: str = Field(max_length=60)  # e.g. "station 351504-1 down"
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    resolved_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))



# --- issue 6: receipts (signing keys, issued documents) — models below this line ---

RECEIPT_KINDS = ("booking", "recording")


class SigningKey(SQLModel, table=True):
    """An Ed25519 key that signs receipt tokens (DESIGN §4). The private part is sealed with a
    key derived from DATA_KEY; the public part is published in /.well-known/jwks.json from
    creation until `not_after`, the expiry of the last document it signed."""

    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=16)
    public_jwk: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))  # JSON
    private_sealed: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    retired_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    not_after: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Receipt(SQLModel, table=True):
    """An issued document: its token and, once rendered, the exact PDF bytes handed out.

    Its status is derived (booking state, newer receipts, expiry), so cancel and reschedule need
    no hook here.
    """

    __tablename__ = "receipt"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", RECEIPT_KINDS), name="ck_receipt_kind"),
        # A rendered PDF always has its hash; after retention only the hash stays (issue 9 B).
        sa.CheckConstraint("(pdf IS NULL) = (sha256 IS NULL) OR scrubbed_at IS NOT NULL",
                           name="ck_receipt_pdf_hash"),
        sa.CheckConstraint("(pdf_80mm IS NULL) = (sha256_80mm IS NULL) OR scrubbed_at IS NOT NULL",
                           name="ck_receipt_pdf_80mm_hash"),
        sa.CheckConstraint("token IS NOT NULL OR scrubbed_at IS NOT NULL",
                           name="ck_receipt_token"),
        sa.Index("ix_receipt_booking_kind", "booking_id", "kind", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id")
    kind: str = Field(max_length=10)
    # --- issue 9 (B): retention --- the token (it carries the name) is emptied after retention;
    # its SHA-256 stays, so /v/{token} still finds the row and says whether it was genuine.
    token: str | None = Field(default=None, unique=True, max_length=2048)
    token_sha256: str = Field(unique=True, max_length=64)
    kid: str = Field(foreign_key="signing_key.kid", max_length=16)
    issued_at: datetime = Field(sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    pdf: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary(), nullable=True))
    sha256: str | None = Field(default=None, max_length=64)
    rendered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    scrubbed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # issue 9 (D): the 80 mm print is rendered once and kept like the A5 (it was rendered on
    # every request: one address made 244 renders in 20 s).
    pdf_80mm: bytes | None = Field(default=None,
                                   sa_column=sa.Column(sa.LargeBinary(), nullable=True))
    sha256_80mm: str | None = Field(default=None, max_length=64)


# --- issue 9 (D): idempotency keys, wrong-NIK counts, health probe — models below this line ---

IDEMPOTENCY_STATES = ("in_flight", "done")


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to an API POST sent with an `Idempotency-Key` (IETF httpapi draft),
    per token. Holds a keyed hash of the request, never the request (it carries the NIK); the
    answer is stored in the same transaction as what it created."""

    __tablename__ = "idempotency_record"
    __table_args__ = (
        sa.CheckConstraint(_in("state", IDEMPOTENCY_STATES), name="ck_idempotency_state"),
        sa.CheckConstraint("(state = 'done') = (response_status IS NOT NULL)",
                           name="ck_idempotency_answer"),
        sa.UniqueConstraint("token_id", "key_hash", name="uq_idempotency_token_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(foreign_key="api_token.id")
    key_hash: str = Field(max_length=64)  # SHA-256 of the client's key
    request_hash: str = Field(max_length=64)  # HMAC(DATA_KEY, method, path, body)
    state: str = Field(default="in_flight", max_length=10)
    locked_until: datetime = Field(sa_column=utc_column())  # a crashed request's claim lapses
    response_status: int | None = None
    response_body: str | None = Field(default=None, sa_column=sa.Column(sa.Text(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column(index=True))


class ManageAttempt(SQLModel, table=True):
    """Wrong NIKs typed for a booking code over its whole life (DESIGN §3: the NIK is a weak
    secret), and the one-time code that managing then needs. A reschedule keeps the code, so
    the count survives it. Holds no personal data, only a hash of the one-time code."""

    __tablename__ = "manage_attempt"
    __table_args__ = (
        sa.CheckConstraint("failures >= 0 AND otp_tries >= 0", name="ck_manage_attempt_counts"),
    )

    code: str = Field(primary_key=True, max_length=8)
    failures: int = 0
    last_failure_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    warned_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    otp_hash: str | None = Field(default=None, max_length=64)
    otp_expires_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    otp_tries: int = 0


class HealthProbe(SQLModel, table=True):
    """One row /healthz updates: proof that the database takes a write."""

    __tablename__ = "health_probe"

    id: int = Field(primary_key=True)
    checked_at: datetime = Field(sa_column=utc_column())


# --- issue 9 (C): staff sessions — models below this line ---


class StaffSession(SQLModel, table=True):
    """A staff sign-in that the server can end (logout, password change, disabling). The signed
    cookie holds its random id; only the id's SHA-256 is kept here, like an API token's."""

    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    ended_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


# --- issue 10 (I): today's service status — models below this line ---

SERVICE_STATES = ("normal", "limited", "stopped")


class OfficeStatus(SQLModel, table=True):
    """What an office can do today (DESIGN §6): recording and card printing each normal,
    limited or stopped, and a short plain-text reason. No row: both normal."""

    __tablename__ = "office_status"
    __table_args__ = (
        sa.CheckConstraint(_in("recording", SERVICE_STATES), name="ck_office_status_recording"),
        sa.CheckConstraint(_in("printing", SERVICE_STATES), name="ck_office_status_printing"),
    )

    office_code: str = Field(primary_key=True, foreign_key="office.code", max_length=6)
    recording: str = Field(default="normal", max_length=10)
    printing: str = Field(default="normal", max_length=10)
    message: str = Field(default="", max_length=280)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_by: str = Field(default="", max_length=60)  # like AuditLog.actor: "token:7"


# --- issue 15 (F): admin — models below this line ---


class ExtraSession(SQLModel, table=True):
    """Hours on one date on top of the weekly ones (an evening, a Saturday): the studies ask for
    hours that suit people who work. Its slots are ordinary slots of the office's pools."""

    __tablename__ = "extra_session"
    __table_args__ = (sa.CheckConstraint("opens < closes", name="ck_extra_session_order"),)

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    day: date
    opens: time
    closes: time
    note: str = Field(default="", max_length=200)
