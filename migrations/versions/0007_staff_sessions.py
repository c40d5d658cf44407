"""staff sessions: server-side sign-ins that logout, password change and disabling end

Revision ID: 0007_staff_sessions
Revises: 0006_retention
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models

revision = '0007_staff_sessions'
down_revision = '0006_retention'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', app.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_session_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_session_user_id'))

    op.drop_table('staff_session')
