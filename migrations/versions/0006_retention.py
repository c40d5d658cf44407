"""retention: office.retention_days, scrubbed_at markers, receipts found by token hash

Revision ID: 0006_retention
Revises: 0005_privacy_nik
"""
import hashlib

from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models

revision = '0006_retention'
down_revision = '0005_privacy_nik'
branch_labels = None
depends_on = None

RETENTION_CHECK = 'retention_days BETWEEN 1 AND 3650'
SCRUBBED_TABLES = ('booking', 'outbox', 'home_visit_request', 'misconduct_report')


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    # office is referenced by every table: on SQLite it is altered in place (ADD COLUMN with
    # its CHECK), not copied, since copying it would trip the foreign keys.
    if _sqlite():
        op.execute('ALTER TABLE office ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 90 '
                   f'CONSTRAINT ck_office_retention_days CHECK ({RETENTION_CHECK})')
    else:
        op.add_column('office', sa.Column('retention_days', sa.Integer(), nullable=False,
                                          server_default='90'))
        op.create_check_constraint('ck_office_retention_days', 'office', RETENTION_CHECK)

    for table in SCRUBBED_TABLES:
        op.add_column(table, sa.Column('scrubbed_at', app.models.UTCDateTime(timezone=True),
                                       nullable=True))

    op.add_column('receipt', sa.Column('token_sha256',
                                       sqlmodel.sql.sqltypes.AutoString(length=64),
                                       nullable=True))
    op.add_column('receipt', sa.Column('scrubbed_at', app.models.UTCDateTime(timezone=True),
                                       nullable=True))
    receipt = sa.table('receipt', sa.column('id', sa.Integer()), sa.column('token', sa.String()),
                       sa.column('token_sha256', sa.String()))
    connection = op.get_bind()
    for receipt_id, token in connection.execute(sa.select(receipt.c.id, receipt.c.token)).all():
        connection.execute(sa.update(receipt).where(receipt.c.id == receipt_id).values(
            token_sha256=hashlib.sha256(token.encode()).hexdigest()))
    with op.batch_alter_table('receipt', schema=None, recreate='auto') as batch_op:
        batch_op.alter_column('token_sha256', existing_type=sqlmodel.sql.sqltypes.AutoString(
            length=64), nullable=False)
        batch_op.alter_column('token', existing_type=sqlmodel.sql.sqltypes.AutoString(
            length=2048), nullable=True)
        batch_op.create_unique_constraint('uq_receipt_token_sha256', ['token_sha256'])
        batch_op.drop_constraint('ck_receipt_pdf_hash', type_='check')
        batch_op.create_check_constraint(
            'ck_receipt_pdf_hash', '(pdf IS NULL) = (sha256 IS NULL) OR scrubbed_at IS NOT NULL')
        batch_op.create_check_constraint(
            'ck_receipt_token', 'token IS NOT NULL OR scrubbed_at IS NOT NULL')


def downgrade() -> None:
    # A scrubbed receipt has no token to give back: those rows cannot exist before this
    # revision, so they go (the booking rows stay, emptied).
    op.execute('DELETE FROM receipt WHERE token IS NULL')
    with op.batch_alter_table('receipt', schema=None, recreate='auto') as batch_op:
        batch_op.drop_constraint('ck_receipt_token', type_='check')
        batch_op.drop_constraint('ck_receipt_pdf_hash', type_='check')
        batch_op.create_check_constraint('ck_receipt_pdf_hash',
                                         '(pdf IS NULL) = (sha256 IS NULL)')
        batch_op.drop_constraint('uq_receipt_token_sha256', type_='unique')
        batch_op.alter_column('token', existing_type=sqlmodel.sql.sqltypes.AutoString(
            length=2048), nullable=False)
        batch_op.drop_column('scrubbed_at')
        batch_op.drop_column('token_sha256')

    for table in reversed(SCRUBBED_TABLES):
        if _sqlite():  # in place: copying booking would trip the foreign keys onto it
            op.execute(f'ALTER TABLE {table} DROP COLUMN scrubbed_at')
        else:
            op.drop_column(table, 'scrubbed_at')

    if _sqlite():
        op.execute('ALTER TABLE office DROP COLUMN retention_days')
    else:
        op.drop_constraint('ck_office_retention_days', 'office', type_='check')
        op.drop_column('office', 'retention_days')
