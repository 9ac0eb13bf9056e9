"""Shared fixtures: demo databases on SQLite and PostgreSQL, a live app, a headless browser."""
import os
import socket
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SCREENSHOT_DIR = Path(__file__).parent / "screenshots"


def _postgres_unavailable_reason() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error.__class__.__name__}: {str(error)[:200]}"


def require_postgres() -> None:
    """Skip (or, with CI=true, fail) when no PostgreSQL server is reachable."""
    reason = _postgres_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(f"{reason} (set CI=true to make this a failure)")


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def require_redis() -> str:
    """The test Redis URL; skip (or, with CI=true, fail) when no Redis answers there."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2).ping()
        return REDIS_URL
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        reason = f"Redis not reachable at {REDIS_URL}: {error.__class__.__name__}: {str(error)[:200]}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(f"{reason} (set CI=true to make this a failure)")


class TemporaryPostgresDatabase:
    """A fresh database on the server, dropped afterwards, so parallel runs never collide."""

    def __init__(self, prefix: str = "cm_test"):
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def __enter__(self) -> str:
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name

    def __exit__(self, *exc) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="session")
def sqlite_demo_url(tmp_path_factory) -> str:
    """A SQLite file with the test-scale demo dataset (built once per session)."""
    from data_access.database import make_engine
    from data_access.demo import generate_demo

    path = tmp_path_factory.mktemp("db") / "demo.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    generate_demo(engine, scale="test")
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def postgresql_demo_url():
    """A PostgreSQL database with the test-scale demo dataset (built once per session)."""
    require_postgres()
    from data_access.database import make_engine
    from data_access.demo import generate_demo

    with TemporaryPostgresDatabase() as url:
        engine = make_engine(url)
        generate_demo(engine, scale="test")
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def postgres_demo_url(postgresql_demo_url):
    """Alias of postgresql_demo_url."""
    return postgresql_demo_url


@pytest.fixture(params=["sqlite", "postgresql"])
def demo_engine(request):
    """The test-scale demo database on each backend: use it for every data_access test."""
    from data_access.database import make_engine

    url = request.getfixturevalue(f"{request.param}_demo_url")
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    """An empty schema (tables only) on each backend, for tests that build their own rows."""
    from data_access.database import init_db, make_engine

    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
        init_db(engine)
        yield engine
        engine.dispose()
        return
    require_postgres()
    with TemporaryPostgresDatabase() as url:
        engine = make_engine(url)
        init_db(engine)
        yield engine
        engine.dispose()


# ---------------------------------------------------------------- browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, app.server, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()


@pytest.fixture(scope="session")
def live_server(sqlite_demo_url, tmp_path_factory):
    """The dashboard on the test-scale demo SQLite database, served on a free local port."""
    from dashboard.app import create_app

    app = create_app({"DATABASE_URL": sqlite_demo_url, "CACHE_URL": "simple", "DEFAULT_LANGUAGE": "en"})
    with LiveServer(app) as server:
        yield server


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but Chromium is missing at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}; `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


class PageWatch:
    """Collects console errors, page errors and requests to any host but 127.0.0.1."""

    def __init__(self, page, allowed_origin: str):
        self.errors: list[str] = []
        self.foreign_requests: list[str] = []
        page.on("console", lambda msg: self.errors.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

        def check_request(request):
            url = request.url
            if not (url.startswith("http://127.0.0.1") or url.startswith("data:") or url.startswith("blob:")):
                self.foreign_requests.append(url)

        page.on("request", check_request)

    def assert_clean(self) -> None:
        assert not self.foreign_requests, f"requests left the host: {self.foreign_requests}"
        assert not self.errors, f"browser console errors: {self.errors}"


@contextmanager
def watched_page(browser, server):
    """A fresh 1400x1000 page on `server`; leaving it fails on console errors or foreign requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.watch = PageWatch(page, server.url)
    page.base_url = server.url
    yield page
    context.close()
    page.watch.assert_clean()


@pytest.fixture
def page(browser, live_server):
    """A browser page on the test-scale demo whose console errors and foreign requests fail the test."""
    with watched_page(browser, live_server) as page:
        yield page


def click_in_navbar(page, selector: str) -> None:
    """Click a navbar item like a person: opening first the menu it is in ("More", the account menu)."""
    item = page.locator(selector)
    if not item.is_visible():
        toggle = item.locator("xpath=ancestor::*[contains(concat(' ', @class, ' '), ' dropdown ')][1]/*[contains(@class, 'dropdown-toggle')]")
        if toggle.count():
            toggle.click()
            item.wait_for(state="visible")
    item.click()


def follow_nav(page, name: str) -> None:
    """Click the navbar's link to page `name`, through "More" when it is listed there."""
    click_in_navbar(page, f"#nav-{name}")


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG under tests/screenshots/ (look at it: a chart nobody saw is not done)."""
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
