"""Engine creation and schema set-up for SQLite and PostgreSQL (+PostGIS)."""
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text

from data_access.schema import DatasetInfo, metadata


def make_engine(database_url: str) -> Engine:
    """An engine for the URL; SQLite gets foreign keys on and WAL so readers never block."""
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return create_engine(database_url, pool_pre_ping=True)


MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _alembic_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def init_db(engine: Engine) -> None:
    """Bring the schema to the latest migration (idempotent). On PostgreSQL, enable PostGIS first.

    A database created before migrations existed (tables but no alembic_version) is stamped
    at the baseline, then upgraded.
    """
    from alembic import command

    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    with engine.begin() as conn:
        config = _alembic_config(conn)
        inspector = inspect(conn)
        if inspector.has_table("observation") and not inspector.has_table("alembic_version"):
            command.stamp(config, "0001")
        command.upgrade(config, "head")


def migrate(engine: Engine) -> None:
    """Apply pending migrations (what `python -m dashboard migrate` runs)."""
    init_db(engine)


def drop_db(engine: Engine) -> None:
    """Drop every table of the schema and the migration stamp (used by tests and `demo`)."""
    metadata.drop_all(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def is_initialised(engine: Engine) -> bool:
    return inspect(engine).has_table("observation")


def database_is_reachable(engine: Engine) -> bool:
    """True when a trivial query succeeds: what /healthz reports."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def dataset_info(engine_or_conn) -> dict[str, str]:
    """The key/value facts of the loaded dataset ({} when the table is empty or missing)."""
    from sqlalchemy import select

    try:
        if isinstance(engine_or_conn, Engine):
            with engine_or_conn.connect() as conn:
                rows = conn.execute(select(DatasetInfo.key, DatasetInfo.value)).all()
        else:
            rows = engine_or_conn.execute(select(DatasetInfo.key, DatasetInfo.value)).all()
    except Exception:
        return {}
    return {key: value for key, value in rows}
