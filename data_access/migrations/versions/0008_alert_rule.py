"""alert_rule: thresholds of the alert rules as an admin set them, seeded with the code's defaults.

Revision ID: 0008
"""
import sqlalchemy as sa
from alembic import op

from data_access.alerts import DEFAULT_RULES

revision = "0008"
# The brief names "0001"; chained on the head of main (0005) so that `upgrade head` has one head.
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if not sa.inspect(bind).has_table("alert_rule"):
        # 0001 creates the tables from the current schema, which already holds this one.
        op.create_table(
            "alert_rule",
            sa.Column("code", sa.String(40), nullable=False),
            sa.Column("warning", sa.Float(), nullable=True),
            sa.Column("serious", sa.Float(), nullable=True),
            sa.Column("critical", sa.Float(), nullable=True),
            sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
            sa.Column("updated_at", sa.DateTime(), nullable=True),
            sa.PrimaryKeyConstraint("code", name="pk_alert_rule"),
        )
    present = {row[0] for row in bind.execute(sa.text("SELECT code FROM alert_rule"))}
    rows = [{"code": rule.code, "warning": rule.warning, "serious": rule.serious, "critical": rule.critical,
             "enabled": rule.enabled} for rule in DEFAULT_RULES.values() if rule.code not in present]
    if rows:
        bind.execute(sa.text("INSERT INTO alert_rule (code, warning, serious, critical, enabled) "
                             "VALUES (:code, :warning, :serious, :critical, :enabled)"), rows)


def downgrade() -> None:
    op.drop_table("alert_rule")
