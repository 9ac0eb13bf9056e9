"""`python -m dashboard backup --out FILE`: a consistent copy of the running database."""
import argparse
import json
from pathlib import Path

from dashboard.cli import command
from dashboard.config import load_config


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, type=Path,
                        help="backup file to write (SQLite: a database file; PostgreSQL: a pg_dump custom-format archive)")
    parser.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


@command("backup", "write a consistent backup of the database while the dashboard runs (see docs/deploy.md)")(_arguments)
def backup(args: argparse.Namespace) -> int:
    from data_access.backup import BackupError, backup_database
    from data_access.database import make_engine

    engine = make_engine(load_config()["DATABASE_URL"])
    try:
        summary = backup_database(engine, args.out, overwrite=args.force)
    except BackupError as error:
        raise SystemExit(f"Backup not written: {error}") from None
    finally:
        engine.dispose()
    print(json.dumps(summary, indent=2))
    return 0
