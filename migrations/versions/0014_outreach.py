"""issue 14: outreach visits, invitations, coverage

Revision ID: 0014_outreach
Revises: 0010_report_place
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models


revision = '0014_outreach'
down_revision = '0017_ikm'
branch_labels = None
depends_on = None

OLD_POOLS = "pool IN ('station', 'counter')"
NEW_POOLS = "pool IN ('station', 'counter', 'mobile')"


def upgrade() -> None:
    # An outreach visit's slots are a pool of their own: the mobile sets the team brings.
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_constraint('ck_slot_pool', type_='check')
        batch_op.create_check_constraint('ck_slot_pool', NEW_POOLS)
    op.create_table('coverage_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('imported_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('imported_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['office_code'], ['office.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coverage_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_import_office_code'), ['office_code'], unique=False)

    op.create_table('coverage_problem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('desa_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['coverage_import.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coverage_problem', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_problem_import_id'), ['import_id'], unique=False)

    op.create_table('coverage_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('desa_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('desa_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('wajib', sa.Integer(), nullable=True),
    sa.Column('sudah', sa.Integer(), nullable=True),
    sa.Column('belum', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['desa_code'], ['desa.code'], ),
    sa.ForeignKeyConstraint(['import_id'], ['coverage_import.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coverage_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_row_import_id'), ['import_id'], unique=False)

    op.create_table('outreach_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('desa_code', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('place_kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts', sa.Time(), nullable=False),
    sa.Column('ends', sa.Time(), nullable=False),
    sa.Column('stations', sa.Integer(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("place_kind IN ('balai_desa', 'school', 'dusun', 'other')", name='ck_outreach_place_kind'),
    sa.CheckConstraint('starts < ends', name='ck_outreach_hours'),
    sa.CheckConstraint('stations BETWEEN 1 AND 20', name='ck_outreach_stations'),
    sa.ForeignKeyConstraint(['desa_code'], ['desa.code'], ),
    sa.ForeignKeyConstraint(['office_code'], ['office.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outreach_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_visit_desa_code'), ['desa_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_visit_office_code'), ['office_code'], unique=False)

    op.create_table('outreach_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('booking_code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('delivered_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('absence_reason', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("absence_reason IS NULL OR absence_reason IN ('sick', 'working', 'away', 'not_invited', 'moved', 'other')", name='ck_invitation_absence'),
    sa.ForeignKeyConstraint(['visit_id'], ['outreach_visit.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('visit_id', 'booking_code', name='uq_invitation_visit_booking')
    )
    with op.batch_alter_table('outreach_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_invitation_visit_id'), ['visit_id'], unique=False)

    op.create_table('outreach_slot',
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['slot_id'], ['slot.id'], ),
    sa.ForeignKeyConstraint(['visit_id'], ['outreach_visit.id'], ),
    sa.PrimaryKeyConstraint('slot_id')
    )
    with op.batch_alter_table('outreach_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_slot_visit_id'), ['visit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outreach_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_slot_visit_id'))

    op.drop_table('outreach_slot')
    with op.batch_alter_table('outreach_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_invitation_visit_id'))

    op.drop_table('outreach_invitation')
    with op.batch_alter_table('outreach_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_visit_office_code'))
        batch_op.drop_index(batch_op.f('ix_outreach_visit_desa_code'))

    op.drop_table('outreach_visit')
    with op.batch_alter_table('coverage_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_row_import_id'))

    op.drop_table('coverage_row')
    with op.batch_alter_table('coverage_problem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_problem_import_id'))

    op.drop_table('coverage_problem')
    with op.batch_alter_table('coverage_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_import_office_code'))

    op.drop_table('coverage_import')
    op.execute("DELETE FROM slot WHERE pool = 'mobile'")
    with op.batch_alter_table('slot', schema=None) as batch_op:
        batch_op.drop_constraint('ck_slot_pool', type_='check')
        batch_op.create_check_constraint('ck_slot_pool', OLD_POOLS)
