"""issue 17: the satisfaction survey (IKM): token pool per office and month (hashes only),
anonymous responses and their answers

Revision ID: 0017_ikm
Revises: 0010_report_place
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0017_ikm'
down_revision = '0013_officer_card'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'survey_token',
        sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('used', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['office_code'], ['office.code']),
        sa.PrimaryKeyConstraint('token_hash'),
        sqlite_with_rowid=False,  # no hidden rowid: nothing says which slip came first
    )
    op.create_table(
        'survey_response',
        sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('office_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('suggestion', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['office_code'], ['office.code']),
        sa.PrimaryKeyConstraint('id'),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_survey_response_office_month', 'survey_response',
                    ['office_code', 'month'])
    op.create_table(
        'survey_answer',
        sa.Column('response_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('value', sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('element', 'expectation', 'perception')",
                           name='ck_survey_answer_kind'),
        sa.CheckConstraint("(kind = 'element' AND value BETWEEN 1 AND 4) OR "
                           "(kind <> 'element' AND value BETWEEN 1 AND 5)",
                           name='ck_survey_answer_value'),
        sa.ForeignKeyConstraint(['response_id'], ['survey_response.id']),
        sa.PrimaryKeyConstraint('response_id', 'kind', 'code'),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table('survey_answer')
    op.drop_index('ix_survey_response_office_month', table_name='survey_response')
    op.drop_table('survey_response')
    op.drop_table('survey_token')
