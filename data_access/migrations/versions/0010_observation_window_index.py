"""observation: the (indicator, period_start, admin_code) index also carries value and numerator.

The convergence analytic (which projects reached each village in the 12 months to a month)
reads ~100,000 village rows per request at national scale; with value and numerator in the
index it reads them from the index alone instead of one table row each. It replaces the old
index (same leading columns, so every query that used it still can), so an import maintains
one index there, as before.

Revision ID: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD = "ix_observation_indicator_period"
NEW = "ix_observation_indicator_period_values"


def _indexes(bind) -> set[str]:
    return {index["name"] for index in sa.inspect(bind).get_indexes("observation")}


def upgrade() -> None:
    present = _indexes(op.get_bind())
    if NEW not in present:
        op.create_index(NEW, "observation", ["indicator_code", "period_start", "admin_code", "value", "numerator"])
    if OLD in present:
        op.drop_index(OLD, table_name="observation")


def downgrade() -> None:
    present = _indexes(op.get_bind())
    if OLD not in present:
        op.create_index(OLD, "observation", ["indicator_code", "period_start", "admin_code"])
    if NEW in present:
        op.drop_index(NEW, table_name="observation")
