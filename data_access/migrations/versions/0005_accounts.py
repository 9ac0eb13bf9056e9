"""Accounts, coordinators' provinces and the audit log.

Revision ID: 0005
"""
from alembic import op

from data_access.schema import metadata

revision = "0005"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("user_account", "user_province", "audit_log")


def upgrade() -> None:
    # 0001 creates the tables of the current schema.py on a fresh database; an existing one
    # gets them here, so checkfirst keeps both paths right.
    bind = op.get_bind()
    for name in TABLES:
        metadata.tables[name].create(bind, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for name in reversed(TABLES):
        metadata.tables[name].drop(bind, checkfirst=True)
