"""`python -m dashboard backup`: a consistent, self-contained copy of a database that is being used."""
import sqlite3
import subprocess

import pytest
from sqlalchemy import text

from conftest import TemporaryPostgresDatabase
from dashboard.cli import main
from data_access.backup import BackupError, backup_database
from data_access.database import make_engine


def _counts(engine) -> dict:
    with engine.connect() as conn:
        return {table: conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in ("observation", "admin_unit", "observation_rollup", "dataset_info")}


@pytest.fixture
def live_sqlite(sqlite_demo_url, tmp_path):
    source = sqlite3.connect(sqlite_demo_url.removeprefix("sqlite:///"))
    path = tmp_path / "live db.sqlite"  # a space in the path on purpose
    target = sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return path


def test_sqlite_backup_while_a_write_is_open_holds_only_committed_data(live_sqlite, tmp_path):
    engine = make_engine(f"sqlite:///{live_sqlite}")
    before = _counts(engine)
    writer = sqlite3.connect(live_sqlite)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM observation")  # uncommitted while the backup runs
    summary = backup_database(engine, tmp_path / "backup.sqlite")
    writer.rollback()
    writer.close()

    raw = sqlite3.connect(f"{(tmp_path / 'backup.sqlite').as_uri()}?mode=ro", uri=True)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal to forget
    raw.close()
    assert not (tmp_path / "backup.sqlite-wal").exists()
    copy = make_engine(f"sqlite:///{tmp_path / 'backup.sqlite'}")
    assert _counts(copy) == before and summary["observations"] == before["observation"]
    copy.dispose()
    engine.dispose()


def test_backup_command_writes_the_file_and_refuses_to_overwrite(live_sqlite, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{live_sqlite}")
    out = tmp_path / "nightly" / "convergence.sqlite"
    assert main(["backup", "--out", str(out)]) == 0
    assert '"observations"' in capsys.readouterr().out
    with pytest.raises(SystemExit, match="already exists"):
        main(["backup", "--out", str(out)])
    assert main(["backup", "--out", str(out), "--force"]) == 0


@pytest.mark.parametrize("target", ["same", "missing"])
def test_backup_refuses_the_database_itself_and_a_missing_file(live_sqlite, tmp_path, target):
    if target == "same":
        engine, out, expected = make_engine(f"sqlite:///{live_sqlite}"), live_sqlite, "overwrite the database"
    else:
        engine, out, expected = make_engine(f"sqlite:///{tmp_path / 'gone.sqlite'}"), tmp_path / "b.sqlite", "missing"
    with pytest.raises(BackupError, match=expected):
        backup_database(engine, out, overwrite=True)
    assert not (tmp_path / "gone.sqlite").exists()


def test_postgresql_backup_restores_into_an_identical_database(postgresql_demo_url, tmp_path):
    engine = make_engine(postgresql_demo_url)
    summary = backup_database(engine, tmp_path / "convergence.dump")
    assert summary["bytes"] > 10_000
    with TemporaryPostgresDatabase("cm_restore") as url:
        restore_url = make_engine(url).url.set(drivername="postgresql").render_as_string(hide_password=False)
        result = subprocess.run(["pg_restore", "--no-owner", "--dbname", restore_url, str(tmp_path / "convergence.dump")],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-2000:]
        restored = make_engine(url)
        assert _counts(restored) == _counts(engine)
        restored.dispose()
    engine.dispose()
