"""office settings (card print place and pickup address, days to card, minimum recording age)
and today's service status per office

Revision ID: 0009_office_settings_status
Revises: 0008_idempotency_attempts
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models

revision = '0009_office_settings_status'
down_revision = '0008_idempotency_attempts'
branch_labels = None
depends_on = None

# (column, SQL type, server default, constraint name, check) — the defaults fill existing rows.
OFFICE_COLUMNS = (
    ('card_print_place', 'VARCHAR(12)', "'kecamatan'", 'ck_office_card_print_place',
     "card_print_place IN ('kecamatan', 'disdukcapil')"),
    ('card_days', 'INTEGER', '14', 'ck_office_card_days', 'card_days BETWEEN 1 AND 365'),
    ('min_recording_age', 'INTEGER', '17', 'ck_office_min_recording_age',
     'min_recording_age BETWEEN 16 AND 17'),
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    # office is referenced by every table: on SQLite it is altered in place (ADD COLUMN with
    # its CHECK), not copied, since copying it would trip the foreign keys (as in 0006).
    for column, sql_type, default, name, check in OFFICE_COLUMNS:
        if _sqlite():
            op.execute(f'ALTER TABLE office ADD COLUMN {column} {sql_type} NOT NULL '
                       f'DEFAULT {default} CONSTRAINT {name} CHECK ({check})')
        else:
            kind = sa.Integer() if sql_type == 'INTEGER' else \
                sqlmodel.sql.sqltypes.AutoString(length=12)
            op.add_column('office', sa.Column(column, kind, nullable=False,
                                              server_default=sa.text(default)))
            op.create_check_constraint(name, 'office', check)
    op.add_column('office', sa.Column('card_pickup_address',
                                      sqlmodel.sql.sqltypes.AutoString(length=300),
                                      nullable=True))

    op.create_table(
        'office_status',
        sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column('recording', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('printing', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=280), nullable=False),
        sa.Column('updated_at', app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.CheckConstraint("recording IN ('normal', 'limited', 'stopped')",
                           name='ck_office_status_recording'),
        sa.CheckConstraint("printing IN ('normal', 'limited', 'stopped')",
                           name='ck_office_status_printing'),
        sa.ForeignKeyConstraint(['office_code'], ['office.code']),
        sa.PrimaryKeyConstraint('office_code'),
    )


def downgrade() -> None:
    op.drop_table('office_status')
    if _sqlite():
        op.execute('ALTER TABLE office DROP COLUMN card_pickup_address')
    else:
        op.drop_column('office', 'card_pickup_address')
    for column, _type, _default, name, _check in reversed(OFFICE_COLUMNS):
        if _sqlite():  # in place; the column's own CHECK goes with it
            op.execute(f'ALTER TABLE office DROP COLUMN {column}')
        else:
            op.drop_constraint(name, 'office', type_='check')
            op.drop_column('office', column)
