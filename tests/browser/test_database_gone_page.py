"""A visitor on an open page while the SQLite file disappears and comes back: a sentence, then the data again."""
import os
import sqlite3

import pytest
from conftest import LiveServer, screenshot, watched_page

pytestmark = pytest.mark.browser


@pytest.fixture
def fragile_server(sqlite_demo_url, tmp_path):
    from dashboard.app import create_app

    path = tmp_path / "fragile.sqlite"
    source, target = sqlite3.connect(sqlite_demo_url.removeprefix("sqlite:///")), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "CACHE_URL": "simple", "DEFAULT_LANGUAGE": "en"})
    with LiveServer(app) as server:
        server.database = path
        yield server


def _choose(page, dropdown_id: str, option: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.get_by_role("option", name=option).click()


def test_the_page_says_data_is_unavailable_and_recovers_without_restart(browser, fragile_server, tmp_path):
    with watched_page(browser, fragile_server) as page:
        page.goto(page.base_url + "/?lang=en")
        page.wait_for_selector('[id*="overview-card-value"]', timeout=30_000)
        assert not page.locator("#shell-error").is_visible()

        os.rename(fragile_server.database, tmp_path / "moved-away.sqlite")
        _choose(page, "shell-province", "Houaphan")
        banner = page.locator("#shell-error")
        banner.wait_for(state="visible", timeout=20_000)
        assert "temporarily unavailable" in banner.inner_text()
        assert "Traceback" not in page.content() and str(tmp_path) not in page.content()
        assert not fragile_server.database.exists(), "the app created an empty database file"
        screenshot(page, "database-gone-en")

        os.rename(tmp_path / "moved-away.sqlite", fragile_server.database)
        page.locator("#nav-trends").click()
        page.wait_for_selector("#trends-title", timeout=30_000)
        page.wait_for_function("() => document.querySelector('#trends-title').innerText.includes('Houaphan')",
                               timeout=30_000)
        assert not page.locator("#shell-error").is_visible()
