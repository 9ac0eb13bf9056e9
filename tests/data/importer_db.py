"""Fresh copies of the test-scale demo database for the importer tests, which write (one copy per test)."""
import atexit
import contextlib
import sqlite3
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from conftest import PG_ADMIN_URL, require_postgres

DATA_DIR = Path(__file__).resolve().parent
TABLES = ("observation", "observation_history", "import_batch", "observation_rollup", "admin_unit", "target")
_templates: dict[str, str] = {}


def _sqlite_template() -> str:
    from data_access.database import make_engine
    from data_access.demo import generate_demo

    if "sqlite" not in _templates:
        folder = Path(tempfile.mkdtemp(prefix="importer-template-"))
        path = folder / "demo.sqlite"
        engine = make_engine(f"sqlite:///{path}")
        generate_demo(engine, scale="test")
        engine.dispose()
        _templates["sqlite"] = str(path)
    return _templates["sqlite"]


def _postgres_template() -> str:
    from data_access.database import make_engine
    from data_access.demo import generate_demo

    if "postgresql" not in _templates:
        name = f"cm_import_template_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        engine = make_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
        generate_demo(engine, scale="test")
        engine.dispose()
        _templates["postgresql"] = name
        atexit.register(_drop_postgres, name)
    return _templates["postgresql"]


def _drop_postgres(name: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextlib.contextmanager
def demo_copy(backend: str, folder: Path):
    """An engine on a private copy of the test-scale demo (SQLite file or PostgreSQL database)."""
    from data_access.database import make_engine

    if backend == "sqlite":
        source = sqlite3.connect(_sqlite_template())
        path = Path(folder) / f"copy-{uuid.uuid4().hex[:6]}.sqlite"
        target = sqlite3.connect(path)
        source.backup(target)
        source.close()
        target.close()
        engine = make_engine(f"sqlite:///{path}")
        try:
            yield engine
        finally:
            engine.dispose()
        return
    require_postgres()
    template = _postgres_template()
    name = f"cm_import_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    engine = make_engine(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_template_path() -> str:
    """The SQLite demo file copies are made from (for tests that start their own app on a copy)."""
    return _sqlite_template()


def row_counts(engine: Engine) -> dict:
    """Rows per table the importers touch, plus the data version: equal before and after = nothing written."""
    with engine.connect() as conn:
        counts = {table: conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() for table in TABLES}
        counts["data_version"] = conn.execute(
            text("SELECT value FROM dataset_info WHERE key = 'data_version'")).scalar()
    return counts
