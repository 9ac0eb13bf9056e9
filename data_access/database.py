"""Engine creation and schema set-up for SQLite and PostgreSQL (+PostGIS)."""
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc, inspect, text

from data_access.schema import DatasetInfo, metadata


def make_engine(database_url: str) -> Engine:
    """An engine for the URL; SQLite gets foreign keys on and WAL so readers never block.

    A SQLite file is opened read-write but never created here (see `_guard_sqlite_file`):
    only `init_db`/`drop_db` (the init-db and demo commands) create one.
    """
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        _guard_sqlite_file(engine)
        return engine
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return create_engine(database_url, pool_pre_ping=True)


def sqlite_file(engine: Engine) -> Path | None:
    """The database file of a file-backed SQLite engine (None for PostgreSQL or in-memory)."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve()


class DatabaseFileMissing(sqlite3.OperationalError):
    """The SQLite file is not there (deleted, renamed, or never created with init-db)."""


def _guard_sqlite_file(engine: Engine) -> None:
    """Never create a SQLite file by connecting, and drop pooled connections to a vanished file.

    sqlite3.connect creates a missing file, so a deleted database came back as an empty one;
    and a pooled connection keeps reading the unlinked inode, so a third of requests went on
    "working" on data nobody can see any more. Opening with mode=rw and checking the file's
    inode on every checkout makes a missing file an error until the file is back.
    """
    path = sqlite_file(engine)
    if path is None:
        return

    @event.listens_for(engine, "do_connect")
    def _open_existing_only(dialect, connection_record, cargs, cparams):
        if not path.exists():
            raise DatabaseFileMissing(f"database file is missing: {path.name}")
        cparams["uri"] = True
        cargs[:] = [f"{path.as_uri()}?mode=rw"]
        connection = dialect.dbapi.connect(*cargs, **cparams)
        connection_record.info["sqlite_inode"] = _inode(path)
        return connection

    @event.listens_for(engine, "checkout")
    def _still_the_same_file(dbapi_connection, connection_record, proxy):
        inode = _inode(path)
        if inode is None or inode != connection_record.info.get("sqlite_inode"):
            # The pool discards this connection and opens a new one (which fails while the file is missing).
            raise exc.DisconnectionError(f"database file {path.name} was removed or replaced")


def _inode(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def create_sqlite_file(engine: Engine) -> None:
    """Create the (empty) SQLite file of the engine if it is missing: init-db and demo only."""
    path = sqlite_file(engine)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(path).close()


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

    create_sqlite_file(engine)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    with engine.begin() as conn:
        config = _alembic_config(conn)
        inspector = inspect(conn)
        if inspector.has_table("observation") and not inspector.has_table("alembic_version"):
            command.stamp(config, "0001")
        command.upgrade(config, "head")


def migration_head() -> str:
    """The newest schema revision this code knows (what init_db and migrate bring a database to)."""
    from alembic.script import ScriptDirectory

    (head,) = ScriptDirectory.from_config(_alembic_config(None)).get_heads()
    return head


def migrate(engine: Engine) -> None:
    """Apply pending migrations (what `python -m dashboard migrate` runs)."""
    init_db(engine)


def drop_db(engine: Engine) -> None:
    """Drop every table of the schema and the migration stamp (used by tests and `demo`)."""
    create_sqlite_file(engine)
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


def is_database_unavailable(error: BaseException) -> bool:
    """True when `error` (or what caused it) means the database cannot be reached right now.

    A stopped PostgreSQL, a missing SQLite file, a dropped connection: what a visitor should
    read as "data temporarily unavailable" rather than as a fault of the page.
    """
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError,
                              exc.TimeoutError, DatabaseFileMissing)):
            return True
        if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
            return True
        error = error.__cause__ or error.__context__
    return False
