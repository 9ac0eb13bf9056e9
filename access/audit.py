"""The audit log: who did what, when and from which address; take a connection, never commit."""
import datetime as dt
import json

import pandas as pd
from sqlalchemy import Connection, insert, select

from data_access.schema import AuditLog

ACTIONS = ("login", "login_failed", "logout", "import", "import_refused", "rollback", "user_add", "user_passwd",
           "user_grant", "user_disable", "user_enable", "user_remove")


def record(conn: Connection, action: str, username: str | None, address: str | None = None, **detail) -> None:
    """Add one entry (detail as JSON); the caller's transaction decides whether it stays."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(insert(AuditLog).values(
        at=dt.datetime.now(dt.UTC).replace(tzinfo=None), username=(username or "")[:64] or None, action=action,
        detail=json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True) if detail else None,
        address=(address or "")[:64] or None))


def recent_entries(conn: Connection, limit: int = 200) -> pd.DataFrame:
    """at, username, action, detail (JSON text), address: newest first."""
    rows = conn.execute(select(AuditLog.at, AuditLog.username, AuditLog.action, AuditLog.detail, AuditLog.address)
                        .order_by(AuditLog.id.desc()).limit(limit)).all()
    return pd.DataFrame([dict(row._mapping) for row in rows], columns=["at", "username", "action", "detail", "address"])
