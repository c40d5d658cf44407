"""receipts: signing keys, issued documents

Revision ID: 0004_receipts
Revises: 0003_booking
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models

revision = '0004_receipts'
down_revision = '0003_booking'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signing_key',
    sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('public_jwk', sa.Text(), nullable=False),
    sa.Column('private_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('not_after', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('kid')
    )
    op.create_table('receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=2048), nullable=False),
    sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('issued_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('rendered_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('booking', 'recording')", name='ck_receipt_kind'),
    sa.CheckConstraint('(pdf IS NULL) = (sha256 IS NULL)', name='ck_receipt_pdf_hash'),
    sa.ForeignKeyConstraint(['booking_id'], ['booking.id'], ),
    sa.ForeignKeyConstraint(['kid'], ['signing_key.kid'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token')
    )
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.create_index('ix_receipt_booking_kind', ['booking_id', 'kind', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.drop_index('ix_receipt_booking_kind')

    op.drop_table('receipt')
    op.drop_table('signing_key')
