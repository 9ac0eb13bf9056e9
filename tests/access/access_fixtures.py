"""An app with accounts on over a private copy of the demo database, on SQLite and PostgreSQL."""
import pytest

from data.importer_db import demo_copy

PASSWORD = "correct horse battery"
ACCOUNTS = (("ana", "admin", ()), ("vic", "viewer", ()), ("kham", "coordinator", ("07",)),
            ("noy", "coordinator", ("02",)))


@pytest.fixture(params=["sqlite", "postgresql"])
def accounts_app(request, tmp_path):
    """(app, engine) with AUTH=on and four accounts: ana admin, vic viewer, kham coordinator of 07, noy of 02."""
    from access.accounts import create_account
    from dashboard.app import create_app

    with demo_copy(request.param, tmp_path) as engine:
        with engine.begin() as conn:
            for username, role, provinces in ACCOUNTS:
                create_account(conn, username, PASSWORD, role, username.title(), provinces)
        app = create_app({"DATABASE_URL": engine.url.render_as_string(hide_password=False), "AUTH": "on",
                          "DEFAULT_LANGUAGE": "en", "CACHE_URL": "simple", "SECRET_KEY": "test-secret",
                          "LOGIN_RATE_LIMIT": "1000 per minute"})
        yield app, engine
