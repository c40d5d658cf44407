"""issue 10 (H): where a reported request for money happened (misconduct_report.place)

Revision ID: 0010_report_place
Revises: 0009_office_settings_status
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0010_report_place'
down_revision = '0009_office_settings_status'
branch_labels = None
depends_on = None

PLACES = ('kecamatan', 'desa', 'pickup', 'outreach', 'elsewhere')
PLACE_CHECK = f"place IN ({', '.join(repr(p) for p in PLACES)})"


def upgrade() -> None:
    # Reports made before this revision keep NULL: nobody asked them where it happened.
    with op.batch_alter_table('misconduct_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=10),
                                      nullable=True))
        batch_op.create_check_constraint('ck_report_place', PLACE_CHECK)


def downgrade() -> None:
    with op.batch_alter_table('misconduct_report', schema=None) as batch_op:
        batch_op.drop_constraint('ck_report_place', type_='check')
        batch_op.drop_column('place')
