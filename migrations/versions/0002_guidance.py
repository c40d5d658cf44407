"""guidance: home-visit requests, misconduct reports

Revision ID: 0002_guidance
Revises: 0001_foundation
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models

revision = '0002_guidance'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('home_visit_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('submission_id', sqlmodel.sql.sqltypes.AutoString(length=43), nullable=False),
    sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('desa_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('requester', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('details', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("requester IN ('self', 'family', 'neighbour', 'desa_staff')", name='ck_home_visit_requester'),
    sa.CheckConstraint("status IN ('new', 'scheduled', 'done', 'declined')", name='ck_home_visit_status'),
    sa.ForeignKeyConstraint(['desa_code'], ['desa.code'], ),
    sa.ForeignKeyConstraint(['office_code'], ['office.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference'),
    sa.UniqueConstraint('submission_id')
    )
    with op.batch_alter_table('home_visit_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_visit_request_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_visit_request_office_code'), ['office_code'], unique=False)

    op.create_table('misconduct_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('submission_id', sqlmodel.sql.sqltypes.AutoString(length=43), nullable=False),
    sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('money', 'other')", name='ck_report_kind'),
    sa.CheckConstraint("status IN ('new', 'in_review', 'closed')", name='ck_report_status'),
    sa.ForeignKeyConstraint(['office_code'], ['office.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reference'),
    sa.UniqueConstraint('submission_id')
    )
    with op.batch_alter_table('misconduct_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_misconduct_report_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_misconduct_report_office_code'), ['office_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('misconduct_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_misconduct_report_office_code'))
        batch_op.drop_index(batch_op.f('ix_misconduct_report_created_at'))

    op.drop_table('misconduct_report')
    with op.batch_alter_table('home_visit_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_visit_request_office_code'))
        batch_op.drop_index(batch_op.f('ix_home_visit_request_created_at'))

    op.drop_table('home_visit_request')
