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
# --- issue 14: an outreach visit's own capacity: the mobile recording sets it brings ---
SLOT_POOLS = (*POOLS, "mobile")
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
        # --- issue 13: printing never takes a blank card that is not there
        sa.CheckConstraint("blangko_stock >= 0", name="ck_office_blangko_stock"),
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
    # --- issue 13: blank cards (blangko) on hand; printing takes one, the admin tops it up
    blangko_stock: int = 0
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
                    "cancelled", "no_show", "moved",
                    # issue 13: a counter visit done at the desk; the central system refused it
                    "served", "central_rejected")
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
        # issue 14: an outreach visit's slots are the "mobile" pool (app/domain/outreach.py).
        sa.CheckConstraint(_in("pool", SLOT_POOLS), name="ck_slot_pool"),
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
    status: str = Field(default="booked", max_length=20)  # issue 13: "central_rejected"
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
    # --- issue 13: the card's life (app/domain/card.py) and counter visits
    served_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # A counter visit the officer turned into a recording (the central record lacks biometrics):
    # it now goes to the station pool.
    needs_recording: bool = False
    rejected_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    rejected_reason: str | None = Field(default=None, max_length=20)  # card.REJECT_REASONS
    # Why a card was handed over without the recording receipt (lost); never a NIK.
    collect_note: str | None = Field(default=None, max_length=200)


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

RECEIPT_KINDS = ("booking", "recording", "service")  # issue 13: a counter visit's tanda terima


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


# --- issue 11: what kept answers watch (app/answers.py) ---

# Tables whose writes never change a public answer: bookkeeping that runs all day (messages
# sent, audit lines, staff sessions touched, health probes, idempotency records, wrong-NIK
# counts, form drafts, a token's last use). Every other table's writes move the stamp.
CHANGE_STAMP_UNWATCHED = frozenset({
    "alembic_version", "change_stamp", "outbox", "audit_log", "staff_session", "health_probe",
    "idempotency_record", "manage_attempt", "form_draft", "api_token",
})
CONTENT_STAMP = "content"


class ChangeStamp(SQLModel, table=True):
    """A count that SQLite triggers move with every INSERT, UPDATE and DELETE on a watched
    table, in the writer's own transaction: a worker that sees it unchanged may answer a public
    read from memory (app/answers.py). PostgreSQL has the table but no triggers (nothing is
    kept there)."""

    __tablename__ = "change_stamp"

    topic: str = Field(primary_key=True, max_length=40)
    n: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0"))


def change_stamp_triggers(table: str) -> list[str]:
    """The SQLite triggers that move the content stamp on a watched table (a migration that
    adds or rebuilds a table calls this again: SQLite's table rebuild drops triggers). The
    table names come from the schema, never from input."""
    body = f"UPDATE change_stamp SET n = n + 1 WHERE topic = '{CONTENT_STAMP}'"  # noqa: S608
    return [f"CREATE TRIGGER IF NOT EXISTS change_stamp_{table}_{event.lower()} AFTER {event} "
            f"ON {table} BEGIN {body}; END"
            for event in ("INSERT", "UPDATE", "DELETE")]


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


# --- issue 17: satisfaction survey (IKM) — models below this line ---

SURVEY_ANSWER_KINDS = ("element", "expectation", "perception")


class SurveyToken(SQLModel, table=True):
    """A single-use survey token, kept only as its SHA-256 in a pool per office and month.

    Nothing beside it leads to a visit: no booking or ticket id, no time of issue, not even an
    order (the hash is the key, so rows do not say which was handed out first)."""

    __tablename__ = "survey_token"
    # On SQLite, no hidden rowid either: stored in the order of the hashes, not of issue.
    __table_args__ = ({"sqlite_with_rowid": False},)

    token_hash: str = Field(primary_key=True, max_length=64)
    office_code: str = Field(foreign_key="office.code", max_length=6)
    month: date  # first day of the month in the office's zone
    used: bool = False


class SurveyResponse(SQLModel, table=True):
    """One anonymous answer: its office and month only, under a random id (no time, no order,
    no token), so it cannot be matched to a visit's check-out time."""

    __tablename__ = "survey_response"
    __table_args__ = (sa.Index("ix_survey_response_office_month", "office_code", "month"),
                      {"sqlite_with_rowid": False})

    id: str = Field(primary_key=True, max_length=32)
    office_code: str = Field(foreign_key="office.code", max_length=6)
    month: date
    suggestion: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))


class SurveyAnswer(SQLModel, table=True):
    """An answer to one question: an IKM element (1–4) or a SERVQUAL dimension's expectation
    or perception (1–5)."""

    __tablename__ = "survey_answer"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", SURVEY_ANSWER_KINDS), name="ck_survey_answer_kind"),
        sa.CheckConstraint("(kind = 'element' AND value BETWEEN 1 AND 4) OR "
                           "(kind <> 'element' AND value BETWEEN 1 AND 5)",
                           name="ck_survey_answer_value"),
        {"sqlite_with_rowid": False},
    )

    response_id: str = Field(foreign_key="survey_response.id", primary_key=True, max_length=32)
    kind: str = Field(primary_key=True, max_length=12)
    code: str = Field(primary_key=True, max_length=20)
    value: int

# --- issue 14: outreach visits, invitations, coverage — models below this line ---

OUTREACH_PLACES = ("balai_desa", "school", "dusun", "other")
ABSENCE_REASONS = ("sick", "working", "away", "not_invited", "moved", "other")


class OutreachVisit(SQLModel, table=True):
    """A pelayanan keliling (jemput bola): recording at a desa on one day, with the mobile
    recording sets the team brings. Its slots (pool "mobile") are bookable capacity of its own."""

    __tablename__ = "outreach_visit"
    __table_args__ = (
        sa.CheckConstraint(_in("place_kind", OUTREACH_PLACES), name="ck_outreach_place_kind"),
        sa.CheckConstraint("starts < ends", name="ck_outreach_hours"),
        sa.CheckConstraint("stations BETWEEN 1 AND 20", name="ck_outreach_stations"),
    )

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    desa_code: str = Field(foreign_key="desa.code", index=True, max_length=10)
    place: str = Field(max_length=200)  # "Balai Desa Kebonagung"
    place_kind: str = Field(default="balai_desa", max_length=12)
    day: date
    starts: time
    ends: time
    stations: int = 1
    created_by: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class OutreachSlot(SQLModel, table=True):
    """Which slots are a visit's (a slot belongs to at most one visit)."""

    __tablename__ = "outreach_slot"

    slot_id: int = Field(primary_key=True, foreign_key="slot.id")
    visit_id: int = Field(foreign_key="outreach_visit.id", index=True)


class Invitation(SQLModel, table=True):
    """The undangan of one booking on a visit: who handed it over and when (the Tanjung Lago
    study blames undelivered invitations for empty visits), and why the person stayed away."""

    __tablename__ = "outreach_invitation"
    __table_args__ = (
        sa.CheckConstraint(f"absence_reason IS NULL OR {_in('absence_reason', ABSENCE_REASONS)}",
                           name="ck_invitation_absence"),
        # A reschedule keeps the code: one invitation per visit the booking was on.
        sa.UniqueConstraint("visit_id", "booking_code", name="uq_invitation_visit_booking"),
    )

    id: int | None = Field(default=None, primary_key=True)
    visit_id: int = Field(foreign_key="outreach_visit.id", index=True)
    booking_code: str = Field(max_length=8)
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    delivered_by: str | None = Field(default=None, max_length=120)  # the person who handed it
    recorded_by: str | None = Field(default=None, max_length=60)  # "user:3"
    absence_reason: str | None = Field(default=None, max_length=12)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class CoverageImport(SQLModel, table=True):
    """One yearly coverage table (wajib, sudah, belum per desa) as the office keeps it."""

    __tablename__ = "coverage_import"

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    year: int
    filename: str = Field(default="", max_length=200)
    imported_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    imported_by: str = Field(max_length=60)


class CoverageRow(SQLModel, table=True):
    """A row as written in the table; `desa_code` is None when its name matched no desa."""

    __tablename__ = "coverage_row"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="coverage_import.id", index=True)
    row: int  # the data row's number in the file (1 = first row after the header)
    desa_name: str = Field(max_length=120)
    desa_code: str | None = Field(default=None, foreign_key="desa.code", max_length=10)
    wajib: int | None = None
    sudah: int | None = None
    belum: int | None = None


class CoverageProblem(SQLModel, table=True):
    """What the import found wrong with a row, reported and kept (never silently fixed)."""

    __tablename__ = "coverage_problem"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="coverage_import.id", index=True)
    row: int
    desa_name: str = Field(max_length=120)
    problem: str = Field(max_length=30)  # app.domain.coverage.PROBLEMS
    detail: str = Field(default="", max_length=300)
# --- issue 12: the lobby (kiosk devices, queue tickets, help calls) — models below this line ---

LANES = ("P", "A", "B")  # priority, booked and checked in, walk-in
TICKET_STATUSES = ("waiting", "called", "done", "skipped")


class Kiosk(SQLModel, table=True):
    """A paired lobby device. Only hashes of its one-time pairing code and of its long-lived
    device secret are kept; revoking it ends the device at its next request."""

    __tablename__ = "kiosk"

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    name: str = Field(max_length=60)
    pairing_hash: str | None = Field(default=None, unique=True, max_length=64)
    pairing_expires_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    secret_hash: str | None = Field(default=None, unique=True, max_length=64)
    created_by: str = Field(default="cli", max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    paired_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_seen_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class TicketCounter(SQLModel, table=True):
    """The last number given in one lane of one office on one local day: a ticket's number is
    one conditional UPDATE … RETURNING of this row (DESIGN §2: never max()+1)."""

    __tablename__ = "ticket_counter"
    __table_args__ = (sa.CheckConstraint(_in("lane", LANES), name="ck_ticket_counter_lane"),)

    office_code: str = Field(primary_key=True, foreign_key="office.code", max_length=6)
    day: date = Field(primary_key=True)
    lane: str = Field(primary_key=True, max_length=1)
    last_number: int = 0


class Ticket(SQLModel, table=True):
    """A place in the lobby queue of one pool, for one booking (walk-ins are bookings too).
    No name, no NIK: `/tiket/{public_id}` is public to whoever holds the printed QR."""

    __tablename__ = "ticket"
    __table_args__ = (
        sa.UniqueConstraint("office_code", "day", "lane", "number", name="uq_ticket_number"),
        sa.CheckConstraint(_in("lane", LANES), name="ck_ticket_lane"),
        sa.CheckConstraint(_in("status", TICKET_STATUSES), name="ck_ticket_status"),
        sa.CheckConstraint(_in("pool", POOLS), name="ck_ticket_pool"),
        sa.CheckConstraint("number > 0", name="ck_ticket_number"),
        sa.Index("ix_ticket_queue", "office_code", "day", "pool", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(unique=True, max_length=32)  # random: the ticket's capability
    booking_id: int = Field(foreign_key="booking.id", unique=True)
    office_code: str = Field(foreign_key="office.code", max_length=6)
    day: date  # the office's local day
    lane: str = Field(max_length=1)
    number: int
    pool: str = Field(max_length=10)
    status: str = Field(default="waiting", max_length=8)
    # Not called before this (a booked person early for their slot) unless the desk is idle.
    due_at: datetime = Field(sa_column=utc_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    counter: str | None = Field(default=None, max_length=20)  # station code of the desk
    called_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    calls: int = 0  # how often announced (recalls included)
    done_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    skipped_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class HelpCall(SQLModel, table=True):
    """"Saya perlu bantuan" pressed at a kiosk: shown to the office's officers until answered."""

    __tablename__ = "help_call"

    id: int | None = Field(default=None, primary_key=True)
    office_code: str = Field(foreign_key="office.code", index=True, max_length=6)
    kiosk_id: int = Field(foreign_key="kiosk.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(index=True))
    answered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    answered_by: str | None = Field(default=None, max_length=60)
# --- issue 16: capture (CAPTURE.md) — models below this line ---

CAPTURE_SOURCES = ("network", "bundle")


class CaptureStationKey(SQLModel, table=True):
    """A station's Ed25519 public key, registered by its agent's heartbeat (the capture_agent
    token of the station's office). It verifies the station's sealed records, bundles and
    provisional receipts, and is published in the JWKS so /v/ can check those receipts."""

    __tablename__ = "capture_station_key"

    kid: str = Field(primary_key=True, max_length=64)
    station_code: str = Field(foreign_key="station.code", index=True, max_length=20)
    public_jwk: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))  # JSON
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class CaptureHeartbeat(SQLModel, table=True):
    """The last heartbeat of a station's agent: a missed one raises an alarm, nothing more."""

    __tablename__ = "capture_heartbeat"

    station_code: str = Field(primary_key=True, foreign_key="station.code", max_length=20)
    last_seen_at: datetime = Field(sa_column=utc_column())
    agent_version: str = Field(default="", max_length=20)
    devices: str = Field(default="[]", sa_column=sa.Column(sa.Text(), nullable=False))  # JSON
    outbox_queued: int = 0


class CaptureRecord(SQLModel, table=True):
    """A station's sealed record: metadata in clear, the packet (a station-signed JWS whose
    biometric part is sealed to upstream) as bytes the portal cannot open. One row per
    record_id whichever way it came (network or bundle)."""

    __tablename__ = "capture_record"
    __table_args__ = (
        sa.CheckConstraint(_in("source", CAPTURE_SOURCES), name="ck_capture_record_source"),
        sa.CheckConstraint("(packet IS NULL) = (stored_at IS NULL)",
                           name="ck_capture_record_packet"),
    )

    id: int | None = Field(default=None, primary_key=True)
    record_id: str = Field(unique=True, max_length=64)
    station_code: str = Field(foreign_key="station.code", index=True, max_length=20)
    booking_code: str = Field(index=True, max_length=8)
    sha256: str = Field(max_length=64)
    size: int = 0
    meta: str = Field(default="{}", sa_column=sa.Column(sa.Text(), nullable=False))  # JSON
    packet: bytes | None = Field(default=None,
                                 sa_column=sa.Column(sa.LargeBinary(), nullable=True))
    source: str = Field(default="network", max_length=10)
    announced_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    stored_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # What the booking did when the record was stored: recorded, already, or why not.
    outcome: str = Field(default="", max_length=20)


class CaptureBundle(SQLModel, table=True):
    """An imported flashdisk bundle: its manifest hash keeps the chain checkable."""

    __tablename__ = "capture_bundle"

    bundle_id: str = Field(primary_key=True, max_length=64)
    station_code: str = Field(foreign_key="station.code", index=True, max_length=20)
    previous_bundle_id: str | None = Field(default=None, max_length=64)
    manifest_sha256: str = Field(max_length=64)
    imported_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    imported_by: str = Field(default="", max_length=60)
    report: str = Field(default="{}", sa_column=sa.Column(sa.Text(), nullable=False))  # JSON
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
