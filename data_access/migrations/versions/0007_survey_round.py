"""survey_round: the day each survey round became known (fieldwork end or release).

Existing databases get an empty table: their rounds count from the end of their period until
an import gives them a date.

Revision ID: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if sa.inspect(bind).has_table("survey_round"):
        # 0001 creates the tables from the current schema, which already holds this one.
        return
    op.create_table(
        "survey_round",
        sa.Column("indicator_code", sa.String(40),
                  sa.ForeignKey("indicator.code", name="fk_survey_round_indicator_code_indicator"), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("available_on", sa.Date(), nullable=False),
        sa.Column("batch_id", sa.Integer(), sa.ForeignKey("import_batch.id", name="fk_survey_round_batch_id_import_batch"),
                  nullable=True),
        sa.PrimaryKeyConstraint("indicator_code", "period", name="pk_survey_round"),
    )


def downgrade() -> None:
    op.drop_table("survey_round")
