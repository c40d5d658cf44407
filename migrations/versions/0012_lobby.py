"""issue 12: the lobby (kiosks, ticket counters, tickets, help calls)

Revision ID: 0012_lobby
Revises: 0010_report_place

Ticket numbers are a counter row per office, local day and lane (one UPDATE … RETURNING);
kiosks keep only hashes of their pairing code and device secret.
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models


revision = '0012_lobby'
down_revision = '0014_outreach'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kiosk',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('pairing_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('pairing_expires_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('secret_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paired_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['office_code'], ['office.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pairing_hash'),
    sa.UniqueConstraint('secret_hash')
    )
    with op.batch_alter_table('kiosk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_office_code'), ['office_code'], unique=False)

    op.create_table('ticket_counter',
    sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('lane', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.CheckConstraint("lane IN ('P', 'A', 'B')", name='ck_ticket_counter_lane'),
    sa.ForeignKeyConstraint(['office_code'], ['office.code'], ),
    sa.PrimaryKeyConstraint('office_code', 'day', 'lane')
    )
    op.create_table('help_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk.id'], ),
    sa.ForeignKeyConstraint(['office_code'], ['office.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('help_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_call_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_call_kiosk_id'), ['kiosk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_call_office_code'), ['office_code'], unique=False)

    op.create_table('ticket',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('lane', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('pool', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('due_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('counter', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('called_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('calls', sa.Integer(), nullable=False),
    sa.Column('done_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('skipped_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("lane IN ('P', 'A', 'B')", name='ck_ticket_lane'),
    sa.CheckConstraint("pool IN ('station', 'counter')", name='ck_ticket_pool'),
    sa.CheckConstraint("status IN ('waiting', 'called', 'done', 'skipped')", name='ck_ticket_status'),
    sa.CheckConstraint('number > 0', name='ck_ticket_number'),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['office_code'], ['office.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('booking_id'),
    sa.UniqueConstraint('office_code', 'day', 'lane', 'number', name='uq_ticket_number'),
    sa.UniqueConstraint('public_id')
    )
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_queue', ['office_code', 'day', 'pool', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_queue')

    op.drop_table('ticket')
    with op.batch_alter_table('help_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_call_office_code'))
        batch_op.drop_index(batch_op.f('ix_help_call_kiosk_id'))
        batch_op.drop_index(batch_op.f('ix_help_call_created_at'))

    op.drop_table('help_call')
    op.drop_table('ticket_counter')
    with op.batch_alter_table('kiosk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_office_code'))

    op.drop_table('kiosk')
