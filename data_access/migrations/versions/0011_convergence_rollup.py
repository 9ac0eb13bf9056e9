"""convergence_rollup: villages per district by number of projects reaching them, per month (kept with the rollup).

A database upgraded from 0010 starts with the table empty: the pages count live (as before) until
the next import or `python -m dashboard rebuild-rollups` fills it.

Revision ID: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "convergence_rollup" in sa.inspect(op.get_bind()).get_table_names():
        return  # 0001 made it from the current schema module
    op.create_table(
        "convergence_rollup",
        sa.Column("period", sa.String(7), primary_key=True),
        sa.Column("district_code", sa.String(4), primary_key=True),
        sa.Column("n_projects", sa.Integer(), primary_key=True),
        sa.Column("n_villages", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("convergence_rollup")
