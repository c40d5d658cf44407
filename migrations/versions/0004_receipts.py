"""receipts: signing keys, issued documents

Revision ID: 0004_receipts
Revises: 0003_booking
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models

revision = '0004_receipts'
down_revision = '0003_booking'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
