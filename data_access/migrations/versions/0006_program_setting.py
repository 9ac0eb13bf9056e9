"""Program settings for the Phase II proposal (transfer, take-up, months, delivery share, budget, rate override).

Revision ID: 0006
"""
import sqlalchemy as sa
from alembic import op

from data_access.program_settings import seed_program_settings

revision = "0006"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    # 0001 builds the current metadata, so on a fresh database the table already exists.
    if not sa.inspect(bind).has_table("program_setting"):
        op.create_table(
            "program_setting",
            sa.Column("key", sa.String(40), primary_key=True),
            sa.Column("value", sa.Float, nullable=True),
            sa.Column("source", sa.String(300), nullable=True),
            sa.Column("year", sa.Integer, nullable=True),
            sa.Column("updated_at", sa.DateTime, nullable=True),
            sa.Column("updated_by", sa.String(100), nullable=True),
        )
    seed_program_settings(bind)


def downgrade() -> None:
    op.drop_table("program_setting")
