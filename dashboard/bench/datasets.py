"""The benchmark's datasets: the national demo (built when missing) and a copy with twice the months.

The doubled copy holds every observation and rollup row twice: as built, and shifted back by
SHIFT_YEARS (monthly, quarterly and yearly periods alike, so no period collides with a real one).
It is a copy (a file next to the source, or a PostgreSQL database made from it): the shared
national datasets are never written to.
"""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dashboard.config import REPO_ROOT

SHIFT_YEARS = 7  # the demo's months are 2019-07 .. 2025-12: 2012-07 .. 2018-12 is free
MARK = "bench_history_doubled"


def demo_command(url: str, scale: str = "national") -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "dashboard", "demo", "--scale", scale], check=True, env=env, cwd=REPO_ROOT)


def sqlite_path(url: str) -> Path | None:
    return Path(make_url(url).database) if url.startswith("sqlite") else None


def has_data(url: str) -> bool:
    path = sqlite_path(url)
    if path is not None and not path.exists():
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM observation_rollup")).scalar_one() > 0
    except Exception:  # noqa: BLE001 - no database, no table: build it
        return False
    finally:
        engine.dispose()


def ensure_dataset(url: str, scale: str = "national") -> None:
    """Build the demo at `scale` when the database is missing or empty (make bench on a fresh machine)."""
    if has_data(url):
        return
    if url.startswith("postgresql"):
        _create_pg_database(url)
    print(f"building the {scale} demo dataset in {make_url(url).render_as_string(hide_password=True)} ...", flush=True)
    demo_command(url, scale)


def _admin_url(url: str):
    return make_url(url).set(database="postgres")


def _create_pg_database(url: str, template: str | None = None) -> None:
    engine = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with engine.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    engine.dispose()


def doubled_url(url: str, copies_dir: Path | None = None) -> str:
    """Where the doubled copy of `url` lives (built by `ensure_doubled`): a SQLite file in
    `copies_dir` (default var/ of the repository), a PostgreSQL database named <db>_history2x."""
    path = sqlite_path(url)
    if path is not None:
        return f"sqlite:///{Path(copies_dir or REPO_ROOT / 'var') / (path.stem + '-history2x.sqlite')}"
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_history2x").render_as_string(hide_password=False)


def is_doubled(url: str) -> bool:
    if not has_data(url):
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT value FROM dataset_info WHERE key = :k"), {"k": MARK}).first() is not None
    finally:
        engine.dispose()


def ensure_doubled(url: str, copies_dir: Path | None = None, scale: str = "national") -> str:
    """A copy of `url` with twice the months (reused when it exists); returns its URL."""
    target = doubled_url(url, copies_dir)
    if is_doubled(target):
        return target
    path = sqlite_path(url)
    if path is not None:
        destination = sqlite_path(target)
        destination.parent.mkdir(parents=True, exist_ok=True)
        source = create_engine(url)
        # The online backup API copies a consistent snapshot even while others read the file.
        with source.connect() as conn:
            raw = conn.connection.dbapi_connection
            import sqlite3

            copy = sqlite3.connect(destination)
            raw.backup(copy)
            copy.close()
        source.dispose()
    else:
        try:
            _create_pg_database(target, template=make_url(url).database)
        except Exception:  # noqa: BLE001 - the template is in use: build the demo afresh instead
            _create_pg_database(target)
            demo_command(target, scale)
    shift_history(target)
    return target


def _shift_sql(dialect: str) -> tuple[str, str]:
    years = SHIFT_YEARS
    if dialect == "sqlite":
        period = f"printf('%04d', CAST(substr(period, 1, 4) AS INTEGER) - {years}) || substr(period, 5)"
        start = f"date(period_start, '-{years} years')"
    else:
        period = f"lpad((CAST(substr(period, 1, 4) AS INTEGER) - {years})::text, 4, '0') || substr(period, 5)"
        start = f"CAST(period_start - interval '{years} years' AS date)"
    return period, start


def shift_history(url: str) -> None:
    """Add every observation and rollup row again, SHIFT_YEARS earlier; mark the copy as doubled."""
    engine = create_engine(url)
    period, start = _shift_sql(engine.dialect.name)
    observation = ("indicator_code, admin_code, period, period_start, value, numerator, denominator, "
                   "std_error, source, batch_id")
    rollup = ("indicator_code, level, admin_code, period, period_start, value_sum, numerator, denominator, "
              "std_error, n_units, carried_value, carried_units, oldest_carried_period")
    shifted_obs = observation.replace("period, period_start", f"{period}, {start}")
    shifted_rollup = rollup.replace("period, period_start", f"{period}, {start}").replace(
        "oldest_carried_period", "CASE WHEN oldest_carried_period IS NULL THEN NULL ELSE "
        + period.replace("period", "oldest_carried_period") + " END")
    # Months only ("2023-05"): the survey rounds and yearly figures stay as they are (a survey
    # from 2012 exists already, and history is about the months a page may read).
    monthly = "WHERE substr(period, 5, 1) = '-' AND substr(period, 6, 1) <> 'Q'"
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO observation ({observation}) SELECT {shifted_obs} FROM observation {monthly}"))
        conn.execute(text(f"INSERT INTO observation_rollup ({rollup}) SELECT {shifted_rollup} FROM observation_rollup "
                          f"{monthly}"))
        # The kept convergence counts of the earlier months, as the rollup keeps its rows (period is the as-of month).
        convergence = "period, district_code, n_projects, n_villages"
        conn.execute(text(f"INSERT INTO convergence_rollup ({convergence}) SELECT {period}, district_code, n_projects, "
                          f"n_villages FROM convergence_rollup"))
        conn.execute(text("INSERT INTO dataset_info (key, value) VALUES (:k, :v)"), {"k": MARK, "v": str(SHIFT_YEARS)})
    if engine.dialect.name == "postgresql":
        # As the demo does: statistics, and the visibility map the covering indexes need.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    # SQLite: no ANALYZE, the copy keeps the planner statistics the source has (none, as built).
    engine.dispose()


def drop_copy(url: str) -> None:
    path = sqlite_path(url)
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(_admin_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
    engine.dispose()


