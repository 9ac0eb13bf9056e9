"""One import (or rollback) at a time, so that the rules checked against the database still hold when it writes.

Two imports checked at once could each find no clash (a district row in one file, its
villages in the other) and then both write: the rollup would count twice. The writing
transaction therefore takes a database-wide lock before it reads anything it checks:
PostgreSQL an advisory transaction lock, SQLite its write lock (BEGIN IMMEDIATE). A
second import waits up to LOCK_WAIT_SECONDS, then is told to try again.
"""
import time

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

# Any constant works; it only has to be the same for every process of the app.
ADVISORY_LOCK_KEY = 6_047_420_126
LOCK_WAIT_SECONDS = 30.0
_SQLITE_DEFAULT_BUSY_MS = 5000


class ImportBusy(Exception):
    """Another import held the lock for longer than the wait allows."""


def take_import_lock(conn: Connection, wait_seconds: float | None = None) -> None:
    """Wait for the import lock inside the caller's transaction (released when it ends); ImportBusy after the wait."""
    wait_seconds = LOCK_WAIT_SECONDS if wait_seconds is None else wait_seconds
    if conn.dialect.name == "postgresql":
        deadline = time.monotonic() + wait_seconds
        while not conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar():
            if time.monotonic() >= deadline:
                raise ImportBusy()
            time.sleep(0.1)
        return
    if conn.dialect.name == "sqlite":
        dbapi = conn.connection.driver_connection
        if dbapi.in_transaction:
            # The caller already writes in this transaction: SQLite holds its write lock.
            return
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(wait_seconds * 1000)}")
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as error:
            if is_busy_error(error):
                raise ImportBusy() from None
            raise
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout = {_SQLITE_DEFAULT_BUSY_MS}")


def is_busy_error(error: Exception) -> bool:
    """SQLite's "database is locked" / "busy", PostgreSQL's lock timeout: another writer, not a broken file."""
    message = str(getattr(error, "orig", error)).lower()
    return "database is locked" in message or "database is busy" in message or "lock timeout" in message
