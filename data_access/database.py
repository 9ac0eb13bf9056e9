"""Engine creation and schema set-up for SQLite and PostgreSQL (+PostGIS)."""
import sqlite3

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


def init_db(engine: Engine) -> None:
    """Create every table (idempotent). On PostgreSQL, enable PostGIS first."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    metadata.create_all(engine)


def drop_db(engine: Engine) -> None:
    """Drop every table of the schema (used by tests and `demo --force`)."""
    metadata.drop_all(engine)


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
