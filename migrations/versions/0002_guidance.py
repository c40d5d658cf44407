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
    pass


def downgrade() -> None:
    pass
