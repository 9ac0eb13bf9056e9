"""Initial schema: admin units, projects, indicators, observations, rollups, targets, batches, payments.

Revision ID: 0001
"""
from alembic import op

from data_access.schema import metadata

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
