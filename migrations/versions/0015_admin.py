"""issue 15 (F): admin — the online cut-off as an office setting, extra sessions, the inbox's
handling of home-visit requests and misconduct reports (states, responses, the reporter's PIN)

Revision ID: 0015_admin
Revises: 0010_report_place
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models

revision = '0015_admin'
down_revision = '0016_capture'
branch_labels = None
depends_on = None


CUTOFF_CHECK = 'online_cutoff_minutes BETWEEN 0 AND 1440'
HOME_VISIT_OLD = "status IN ('new', 'scheduled', 'done', 'declined')"
HOME_VISIT_NEW = "status IN ('new', 'contacted', 'scheduled', 'done', 'declined')"
REPORT_OLD = "status IN ('new', 'in_review', 'closed')"
REPORT_NEW = "status IN ('new', 'in_review', 'answered', 'closed')"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade() -> None:
    # office is referenced by every table: on SQLite it is altered in place (as in 0006, 0009).
    if _sqlite():
        op.execute('ALTER TABLE office ADD COLUMN online_cutoff_minutes INTEGER NOT NULL '
                   f'DEFAULT 60 CONSTRAINT ck_office_online_cutoff CHECK ({CUTOFF_CHECK})')
    else:
        op.add_column('office', sa.Column('online_cutoff_minutes', sa.Integer(), nullable=False,
                                          server_default='60'))
        op.create_check_constraint('ck_office_online_cutoff', 'office', CUTOFF_CHECK)
    op.create_table(
        'extra_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('opens', sa.Time(), nullable=False),
        sa.Column('closes', sa.Time(), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.CheckConstraint('opens < closes', name='ck_extra_session_order'),
        sa.ForeignKeyConstraint(['office_code'], ['office.code']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('extra_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extra_session_office_code'), ['office_code'],
                              unique=False)
    # Neither table is referenced by another, so SQLite may copy them (batch mode).
    with op.batch_alter_table('home_visit_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response', sqlmodel.sql.sqltypes.AutoString(length=1000),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('planned_at', app.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('updated_at', app.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.drop_constraint('ck_home_visit_status', type_='check')
        batch_op.create_check_constraint('ck_home_visit_status', HOME_VISIT_NEW)
    with op.batch_alter_table('misconduct_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pin_hash', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))
        batch_op.add_column(sa.Column('response', sqlmodel.sql.sqltypes.AutoString(length=2000),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('answered_at', app.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('updated_at', app.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.drop_constraint('ck_report_status', type_='check')
        batch_op.create_check_constraint('ck_report_status', REPORT_NEW)


def downgrade() -> None:
    # States only this revision knows go back to their nearest older one.
    op.execute("UPDATE misconduct_report SET status = 'closed' WHERE status = 'answered'")
    op.execute("UPDATE home_visit_request SET status = 'new' WHERE status = 'contacted'")
    with op.batch_alter_table('misconduct_report', schema=None) as batch_op:
        batch_op.drop_constraint('ck_report_status', type_='check')
        batch_op.create_check_constraint('ck_report_status', REPORT_OLD)
        for column in ('updated_at', 'answered_at', 'response', 'pin_hash'):
            batch_op.drop_column(column)
    with op.batch_alter_table('home_visit_request', schema=None) as batch_op:
        batch_op.drop_constraint('ck_home_visit_status', type_='check')
        batch_op.create_check_constraint('ck_home_visit_status', HOME_VISIT_OLD)
        for column in ('updated_at', 'planned_at', 'response'):
            batch_op.drop_column(column)
    with op.batch_alter_table('extra_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extra_session_office_code'))
    op.drop_table('extra_session')
    if _sqlite():  # in place; the column's own CHECK goes with it
        op.execute('ALTER TABLE office DROP COLUMN online_cutoff_minutes')
    else:
        op.drop_constraint('ck_office_online_cutoff', 'office', type_='check')
        op.drop_column('office', 'online_cutoff_minutes')
