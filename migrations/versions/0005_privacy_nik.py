"""privacy: a booking keeps an age band, not the birth date and sex its NIK encodes

Region code + birth date (+40 for women) + last 4 digits *are* the NIK (DESIGN §9), so
`booking.birth_date` and `booking.sex` go. Existing rows get `age_band` computed from their birth
date on the day of the migration, in their office's time zone (`priority` was already stored).
Booking drafts in flight held the same two values in their JSON payload: they are discarded
(the person starts the booking again).

Downgrade restores `birth_date` and `sex` as NULLABLE, EMPTY columns (the values are gone by
design) with the old CHECK on sex, and drops `age_band`. A row without a birth date (one that
went through such a downgrade) gets no age band on the next upgrade: NULL, "not known".

Revision ID: 0005_privacy_nik
Revises: 0004_receipts
"""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision = '0005_privacy_nik'
down_revision = '0004_receipts'
branch_labels = None
depends_on = None

ACTIVE = "status IN ('booked', 'checked_in', 'in_capture')"
AGE_BANDS = "age_band IS NULL OR age_band IN ('<17', '17-20', '21-59', '60+')"


def _booking(with_birth_data: bool, with_age_band: bool) -> sa.Table:
    """The booking table as it is before the batch step: on SQLite the table is copied, and
    reflection would lose its CHECKs and the WHERE of its partial unique indexes."""
    columns = [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column('slot_id', sa.Integer(), nullable=False),
        sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('nik_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('nik_last4', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=False),
    ]
    if with_birth_data:
        columns += [sa.Column('birth_date', sa.Date(), nullable=True),
                    sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True)]
    if with_age_band:
        columns.append(sa.Column('age_band', sqlmodel.sql.sqltypes.AutoString(length=5),
                                 nullable=True))
    columns += [
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column('desa_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column('needs', sa.Text(), nullable=False),
        sa.Column('priority', sa.Boolean(), nullable=False),
        sa.Column('held_share', sa.Boolean(), nullable=False),
        sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('consent', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    ] + [sa.Column(f'{state}_at', app.models.UTCDateTime(timezone=True), nullable=True)
         for state in ('reminded', 'checked_in', 'in_capture', 'recorded', 'card_ready',
                       'collected', 'cancelled', 'no_show', 'moved')] + [
        sa.Column('replaced_by_id', sa.Integer(), nullable=True),
        sa.Column('suket_on', sa.Date(), nullable=True),
    ]
    constraints = [
        sa.CheckConstraint("channel IN ('web', 'kiosk', 'desa_staff', 'officer', 'api')",
                           name='ck_booking_channel'),
        sa.CheckConstraint("consent IS NULL OR consent IN ('present', 'phone', 'written')",
                           name='ck_booking_consent'),
        sa.CheckConstraint("status IN ('booked', 'checked_in', 'in_capture', 'recorded', "
                           "'card_ready', 'collected', 'cancelled', 'no_show', 'moved')",
                           name='ck_booking_status'),
        sa.CheckConstraint('length(code) = 8', name='ck_booking_code'),
        sa.ForeignKeyConstraint(['desa_code'], ['desa.code']),
        sa.ForeignKeyConstraint(['office_code'], ['office.code']),
        sa.ForeignKeyConstraint(['replaced_by_id'], ['booking.id']),
        sa.ForeignKeyConstraint(['slot_id'], ['slot.id']),
        sa.PrimaryKeyConstraint('id'),
    ]
    if with_birth_data:
        constraints.append(sa.CheckConstraint("sex IN ('M', 'F')", name='ck_booking_sex'))
    if with_age_band and not with_birth_data:
        constraints.append(sa.CheckConstraint(AGE_BANDS, name='ck_booking_age_band'))
    indexes = [sa.Index(f'ix_booking_{column}', column)
               for column in ('code', 'desa_code', 'nik_hash', 'office_code', 'slot_id')]
    indexes += [
        sa.Index('uq_booking_code_current', 'code', unique=True,
                 sqlite_where=sa.text("status <> 'moved'"),
                 postgresql_where=sa.text("status <> 'moved'")),
        sa.Index('uq_booking_nik_active', 'nik_hash', unique=True,
                 sqlite_where=sa.text(ACTIVE), postgresql_where=sa.text(ACTIVE)),
    ]
    return sa.Table('booking', sa.MetaData(), *columns, *constraints, *indexes)


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _band(age: int) -> str:
    # app.domain.eligibility.age_band, frozen here as it was when this migration was written.
    if age < 17:
        return '<17'
    if age <= 20:
        return '17-20'
    return '21-59' if age < 60 else '60+'


def upgrade() -> None:
    op.add_column('booking', sa.Column('age_band', sqlmodel.sql.sqltypes.AutoString(length=5),
                                       nullable=True))
    bind = op.get_bind()
    booking = sa.table('booking', sa.column('id', sa.Integer()),
                       sa.column('office_code', sa.String()), sa.column('birth_date', sa.Date()),
                       sa.column('age_band', sa.String()))
    office = sa.table('office', sa.column('code', sa.String()), sa.column('timezone', sa.String()))
    now = datetime.now(ZoneInfo('UTC'))
    rows = bind.execute(sa.select(booking.c.id, booking.c.birth_date, office.c.timezone)
                        .join(office, office.c.code == booking.c.office_code)).all()
    by_band: dict[str, list[int]] = {}
    for booking_id, born, timezone in rows:
        if born is None:  # emptied by a downgrade: not known
            continue
        today = now.astimezone(ZoneInfo(timezone)).date()
        by_band.setdefault(_band(max(_age(born, today), 0)), []).append(booking_id)
    for band, ids in by_band.items():
        for start in range(0, len(ids), 500):
            bind.execute(booking.update().where(booking.c.id.in_(ids[start:start + 500]))
                         .values(age_band=band))
    # Booking drafts in flight carry birth date and sex in their payload (issue 9).
    bind.execute(sa.text("DELETE FROM form_draft WHERE kind = 'booking'"))

    with op.batch_alter_table('booking', copy_from=_booking(True, True),
                              recreate='auto') as batch_op:
        batch_op.drop_constraint('ck_booking_sex', type_='check')
        batch_op.drop_column('sex')
        batch_op.drop_column('birth_date')
        batch_op.create_check_constraint('ck_booking_age_band', sa.text(AGE_BANDS))


def downgrade() -> None:
    with op.batch_alter_table('booking', copy_from=_booking(False, True),
                              recreate='auto') as batch_op:
        batch_op.drop_constraint('ck_booking_age_band', type_='check')
        batch_op.drop_column('age_band')
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=1),
                                      nullable=True))
        batch_op.create_check_constraint('ck_booking_sex', sa.text("sex IN ('M', 'F')"))
