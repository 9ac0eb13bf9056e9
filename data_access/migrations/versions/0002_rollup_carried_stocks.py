"""Rollup rows say how much of a stock is carried forward from earlier reports, and from when.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # 0001 creates the tables from the current schema module, so a fresh database already
    # has these columns; only a database created before this revision lacks them.
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("observation_rollup")}
    if "carried_units" in present:
        return
    with op.batch_alter_table("observation_rollup") as batch:
        batch.add_column(sa.Column("carried_value", sa.Float(), nullable=True))
        batch.add_column(sa.Column("carried_units", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("oldest_carried_period", sa.String(7), nullable=True))
    # Existing rollup rows were built without carry-forward; the next import or
    # `python -m dashboard rebuild-rollups` rebuilds them with the configured cap.


def downgrade() -> None:
    with op.batch_alter_table("observation_rollup") as batch:
        batch.drop_column("oldest_carried_period")
        batch.drop_column("carried_units")
        batch.drop_column("carried_value")
