"""issue 9 (D): idempotency records, wrong-NIK counts per booking code, the health probe row,
and the stored 80 mm receipt print

Revision ID: 0008_idempotency_attempts
Revises: 0007_staff_sessions
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models

revision = '0008_idempotency_attempts'
down_revision = '0007_staff_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('request_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('locked_until', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.Text(), nullable=True),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('in_flight', 'done')", name='ck_idempotency_state'),
    sa.CheckConstraint("(state = 'done') = (response_status IS NOT NULL)",
                       name='ck_idempotency_answer'),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_id', 'key_hash', name='uq_idempotency_token_key')
    )
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_record_expires_at'), ['expires_at'],
                              unique=False)

    op.create_table('manage_attempt',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('warned_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('otp_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('otp_expires_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('otp_tries', sa.Integer(), nullable=False),
    sa.CheckConstraint('failures >= 0 AND otp_tries >= 0', name='ck_manage_attempt_counts'),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('health_probe',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checked_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pdf_80mm', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('sha256_80mm', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))
        batch_op.create_check_constraint('ck_receipt_pdf_80mm_hash',
                                         '(pdf_80mm IS NULL) = (sha256_80mm IS NULL) OR scrubbed_at IS NOT NULL')


def downgrade() -> None:
    with op.batch_alter_table('receipt', schema=None) as batch_op:
        batch_op.drop_constraint('ck_receipt_pdf_80mm_hash', type_='check')
        batch_op.drop_column('sha256_80mm')
        batch_op.drop_column('pdf_80mm')
    op.drop_table('health_probe')
    op.drop_table('manage_attempt')
    with op.batch_alter_table('idempotency_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_record_expires_at'))
    op.drop_table('idempotency_record')
