"""Consistent copies of a running database: SQLite's online backup API, pg_dump for PostgreSQL."""
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from data_access.database import sqlite_file


class BackupError(Exception):
    """A backup that could not be made; the message says why in a sentence."""


def backup_database(engine: Engine, out: Path, overwrite: bool = False) -> dict:
    """Write a backup of the engine's database to `out`; returns what was written."""
    out = Path(out).resolve()
    if out.exists() and not overwrite:
        raise BackupError(f"{out.name} already exists; choose another file or pass --force")
    out.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        return _backup_sqlite(engine, out)
    if engine.dialect.name == "postgresql":
        return _backup_postgresql(engine, out)
    raise BackupError(f"no backup method for {engine.dialect.name}")


def _backup_sqlite(engine: Engine, out: Path) -> dict:
    source_path = sqlite_file(engine)
    if source_path is None or not source_path.exists():
        raise BackupError("the SQLite database file is missing: nothing to back up")
    if source_path == out:
        raise BackupError("the backup file would overwrite the database itself")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    # Read-only, never creating; the backup API copies a consistent snapshot page by page while
    # the app goes on reading and writing (a write during a step restarts that step).
    source = sqlite3.connect(f"{source_path.as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target, pages=4096)
        # A backup is one self-contained file: no -wal beside it to forget when copying it.
        target.execute("PRAGMA journal_mode=DELETE")
        verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
        observations = target.execute("SELECT COUNT(*) FROM observation").fetchone()[0]
    except sqlite3.Error as error:
        raise BackupError(f"the SQLite backup failed: {error}") from error
    finally:
        target.close()
        source.close()
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup copy failed its integrity check: {verdict}")
    os.replace(partial, out)
    return {"backend": "sqlite", "file": str(out), "bytes": out.stat().st_size, "observations": observations}


def _backup_postgresql(engine: Engine, out: Path) -> dict:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    # libpq takes the same URL without SQLAlchemy's driver suffix.
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    partial = out.with_name(out.name + ".partial")
    result = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(partial), "--dbname", url],
                            capture_output=True, text=True)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError("pg_dump failed: " + result.stderr.strip().splitlines()[-1] if result.stderr.strip()
                          else f"pg_dump failed with exit code {result.returncode}")
    os.replace(partial, out)
    return {"backend": "postgresql", "file": str(out), "bytes": out.stat().st_size, "format": "pg_dump custom"}
