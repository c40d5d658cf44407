"""booking: slots, bookings, outbox

Revision ID: 0003_booking
Revises: 0002_guidance
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import app.models

revision = '0003_booking'
down_revision = '0002_guidance'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
