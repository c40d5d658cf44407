"""issue 13: the officer's day and the card's life — counter visits (`served`), a record the
central system refused (`central_rejected`), the counter visit's own tanda terima (receipt kind
`service`), and the office's blank-card (blangko) stock

Revision ID: 0013_officer_card
Revises: 0010_report_place
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models

revision = '0013_officer_card'
down_revision = '0010_report_place'
branch_labels = None
depends_on = None

OLD_STATUSES = ('booked', 'checked_in', 'in_capture', 'recorded', 'card_ready', 'collected',
                'cancelled', 'no_show', 'moved')
NEW_STATUSES = OLD_STATUSES + ('served', 'central_rejected')
OLD_KINDS, NEW_KINDS = ('booking', 'recording'), ('booking', 'recording', 'service')
STOCK_CHECK = 'blangko_stock >= 0'


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _booking_status(statuses, length: int) -> None:
    # "central_rejected" is 16 characters: the column grows from 12 to 20.
    with op.batch_alter_table('booking', recreate='auto') as batch_op:
        batch_op.drop_constraint('ck_booking_status', type_='check')
        batch_op.alter_column('status', type_=sqlmodel.sql.sqltypes.AutoString(length=length),
                              existing_nullable=False)
        batch_op.create_check_constraint('ck_booking_status', _in('status', statuses))


def _receipt_kind(kinds) -> None:
    with op.batch_alter_table('receipt', recreate='auto') as batch_op:
        batch_op.drop_constraint('ck_receipt_kind', type_='check')
        batch_op.create_check_constraint('ck_receipt_kind', _in('kind', kinds))


BOOKING_COLUMNS = (
    ('served_at', lambda: app.models.UTCDateTime(timezone=True)),
    ('rejected_at', lambda: app.models.UTCDateTime(timezone=True)),
    ('rejected_reason', lambda: sqlmodel.sql.sqltypes.AutoString(length=20)),
    ('collect_note', lambda: sqlmodel.sql.sqltypes.AutoString(length=200)),
)


def upgrade() -> None:
    # office is referenced by every table: on SQLite altered in place, not copied (as in 0009).
    if _sqlite():
        op.execute('ALTER TABLE office ADD COLUMN blangko_stock INTEGER NOT NULL DEFAULT 0 '
                   f'CONSTRAINT ck_office_blangko_stock CHECK ({STOCK_CHECK})')
    else:
        op.add_column('office', sa.Column('blangko_stock', sa.Integer(), nullable=False,
                                          server_default=sa.text('0')))
        op.create_check_constraint('ck_office_blangko_stock', 'office', STOCK_CHECK)
    for column, kind in BOOKING_COLUMNS:
        op.add_column('booking', sa.Column(column, kind(), nullable=True))
    op.add_column('booking', sa.Column('needs_recording', sa.Boolean(), nullable=False,
                                       server_default=sa.false()))
    _booking_status(NEW_STATUSES, 20)
    _receipt_kind(NEW_KINDS)


def downgrade() -> None:
    # The states and the document kind this revision added cannot exist before it.
    op.execute("DELETE FROM receipt WHERE kind = 'service'")
    op.execute("UPDATE booking SET status = 'recorded' WHERE status = 'central_rejected'")
    op.execute("UPDATE booking SET status = 'recorded' WHERE status = 'served'")
    _receipt_kind(OLD_KINDS)
    _booking_status(OLD_STATUSES, 12)
    with op.batch_alter_table('booking', recreate='auto') as batch_op:
        batch_op.drop_column('needs_recording')
        for column, _kind in reversed(BOOKING_COLUMNS):
            batch_op.drop_column(column)
    if _sqlite():
        op.execute('ALTER TABLE office DROP COLUMN blangko_stock')
    else:
        op.drop_constraint('ck_office_blangko_stock', 'office', type_='check')
        op.drop_column('office', 'blangko_stock')
