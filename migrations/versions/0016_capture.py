"""issue 16: capture — station keys, heartbeats, sealed records, imported bundles

Revision ID: 0016_capture
Revises: 0010_report_place
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

import app.models

revision = '0016_capture'
down_revision = '0012_lobby'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'capture_station_key',
        sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('public_jwk', sa.Text(), nullable=False),
        sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['station_code'], ['station.code']),
        sa.PrimaryKeyConstraint('kid'),
    )
    op.create_index('ix_capture_station_key_station_code', 'capture_station_key',
                    ['station_code'])
    op.create_table(
        'capture_heartbeat',
        sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('last_seen_at', app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('agent_version', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('devices', sa.Text(), nullable=False),
        sa.Column('outbox_queued', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['station_code'], ['station.code']),
        sa.PrimaryKeyConstraint('station_code'),
    )
    op.create_table(
        'capture_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('booking_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('meta', sa.Text(), nullable=False),
        sa.Column('packet', sa.LargeBinary(), nullable=True),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('announced_at', app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('stored_at', app.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.CheckConstraint("source IN ('network', 'bundle')", name='ck_capture_record_source'),
        sa.CheckConstraint('(packet IS NULL) = (stored_at IS NULL)',
                           name='ck_capture_record_packet'),
        sa.ForeignKeyConstraint(['station_code'], ['station.code']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('record_id'),
    )
    op.create_index('ix_capture_record_station_code', 'capture_record', ['station_code'])
    op.create_index('ix_capture_record_booking_code', 'capture_record', ['booking_code'])
    op.create_table(
        'capture_bundle',
        sa.Column('bundle_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('station_code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('previous_bundle_id', sqlmodel.sql.sqltypes.AutoString(length=64),
                  nullable=True),
        sa.Column('manifest_sha256', sqlmodel.sql.sqltypes.AutoString(length=64),
                  nullable=False),
        sa.Column('imported_at', app.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('imported_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('report', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['station_code'], ['station.code']),
        sa.PrimaryKeyConstraint('bundle_id'),
    )
    op.create_index('ix_capture_bundle_station_code', 'capture_bundle', ['station_code'])


def downgrade() -> None:
    op.drop_index('ix_capture_bundle_station_code', table_name='capture_bundle')
    op.drop_table('capture_bundle')
    op.drop_index('ix_capture_record_booking_code', table_name='capture_record')
    op.drop_index('ix_capture_record_station_code', table_name='capture_record')
    op.drop_table('capture_record')
    op.drop_table('capture_heartbeat')
    op.drop_index('ix_capture_station_key_station_code', table_name='capture_station_key')
    op.drop_table('capture_station_key')
