"""issue 11: the content stamp that kept answers watch (app/answers.py): a one-row count that
SQLite triggers on every watched table move in the writer's own transaction

Revision ID: 0018_change_stamp
Revises: 0015_admin
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

from app.models import CHANGE_STAMP_UNWATCHED, CONTENT_STAMP, change_stamp_triggers

revision = '0018_change_stamp'
down_revision = '0015_admin'
branch_labels = None
depends_on = None


def _watched(bind) -> list[str]:
    return sorted(set(sa.inspect(bind).get_table_names()) - CHANGE_STAMP_UNWATCHED)


def upgrade() -> None:
    op.create_table(
        'change_stamp',
        sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('n', sa.BigInteger(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('topic'),
    )
    op.execute(f"INSERT INTO change_stamp (topic, n) VALUES ('{CONTENT_STAMP}', 0)")
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return  # several machines share PostgreSQL: no worker keeps answers there
    for table in _watched(bind):
        for statement in change_stamp_triggers(table):
            op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for table in _watched(bind):
            for event in ('insert', 'update', 'delete'):
                op.execute(f'DROP TRIGGER IF EXISTS change_stamp_{table}_{event}')
    op.drop_table('change_stamp')
