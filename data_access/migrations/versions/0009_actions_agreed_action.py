"""agreed_action and agreed_action_history: a mission's agreed actions and every change made to them.

Revision ID: 0009
"""
import sqlalchemy as sa
from alembic import op

from data_access.alerts import ACTION_DUE_SOON, ACTION_OVERDUE, DEFAULT_RULES
from data_access.schema import AgreedAction, AgreedActionHistory

revision = "0009"
# The brief names head 0008; the integrator re-chains at merge.
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    # 0001 creates the tables from the current schema, which already holds these two.
    for table in (AgreedAction.__table__, AgreedActionHistory.__table__):
        if not sa.inspect(bind).has_table(table.name):
            table.create(bind)
    # A database already at 0008 has alert_rule rows for the older rules only: add the two new ones.
    if sa.inspect(bind).has_table("alert_rule"):
        present = {row[0] for row in bind.execute(sa.text("SELECT code FROM alert_rule"))}
        rows = [{"code": code, "warning": DEFAULT_RULES[code].warning, "serious": DEFAULT_RULES[code].serious,
                 "critical": DEFAULT_RULES[code].critical, "enabled": DEFAULT_RULES[code].enabled}
                for code in (ACTION_OVERDUE, ACTION_DUE_SOON) if code not in present]
        if rows:
            bind.execute(sa.text("INSERT INTO alert_rule (code, warning, serious, critical, enabled) "
                                 "VALUES (:code, :warning, :serious, :critical, :enabled)"), rows)


def downgrade() -> None:
    op.execute(sa.text(f"DELETE FROM alert_rule WHERE code IN ('{ACTION_OVERDUE}', '{ACTION_DUE_SOON}')"))
    op.drop_table("agreed_action_history")
    op.drop_table("agreed_action")
