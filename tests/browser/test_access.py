"""Accounts in a browser: sign in (Lao and English), the navbar names the person, a viewer is refused
the admin page, an admin adds a user on /admin and reads the audit log, sign out."""
import sqlite3

import pytest

from conftest import LiveServer, click_in_navbar, screenshot, watched_page
from data.importer_db import sqlite_template_path

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def accounts_server(tmp_path):
    from access.accounts import create_account
    from dashboard.app import create_app
    from data_access.database import make_engine

    path = tmp_path / "accounts.sqlite"
    source, target = sqlite3.connect(sqlite_template_path()), sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        create_account(conn, "ana", PASSWORD, "admin", "Ana Phommachanh")
        create_account(conn, "vic", PASSWORD, "viewer", "Vilay Sisouk")
    engine.dispose()
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "AUTH": "on", "DEFAULT_LANGUAGE": "en",
                      "SECRET_KEY": "browser-test-secret"})
    with LiveServer(app) as server:
        yield server


def sign_in(page, username: str, lang: str, password: str = PASSWORD) -> None:
    page.goto(f"{page.base_url}/?lang={lang}")
    page.wait_for_selector("#login-form")
    page.fill("#login-username", username)
    page.fill("#login-password", password)
    page.click("#login-submit")
    page.wait_for_selector("#shell-account")
    page.wait_for_load_state("networkidle")


def test_sign_in_in_lao_see_the_name_and_sign_out(browser, accounts_server):
    with watched_page(browser, accounts_server) as page:
        page.goto(f"{page.base_url}/targets?lang=lo")
        page.wait_for_selector("#login-form")
        assert page.locator("h2").inner_text() == "ເຂົ້າສູ່ລະບົບ"
        assert page.locator("html").get_attribute("lang") == "lo"
        page.fill("#login-username", "vic")
        page.fill("#login-password", "wrong password")
        page.click("#login-submit")
        page.wait_for_selector("#login-message")
        assert "ລະຫັດຜ່ານບໍ່ຖືກຕ້ອງ" in page.locator("#login-message").inner_text()
        screenshot(page, "access-login-lo-failed")
        # The wrong password answered 401: the browser logs that, and it is expected here.
        page.watch.errors = [error for error in page.watch.errors if "401" not in error]
        page.fill("#login-password", PASSWORD)
        page.click("#login-submit")
        page.wait_for_selector("#shell-account")
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/targets?lang=lo")
        account = page.locator("#shell-account").inner_text()
        assert "Vilay Sisouk" in account and "ຜູ້ເບິ່ງຂໍ້ມູນ" in account
        assert page.locator("#nav-importer").count() == 0 and page.locator("#nav-admin").count() == 0
        screenshot(page, "access-signed-in-lo-viewer")
        click_in_navbar(page, "#shell-logout")
        page.wait_for_selector("#login-form")
        page.goto(f"{page.base_url}/map")
        page.wait_for_selector("#login-form")


def test_a_viewer_is_refused_the_admin_page(browser, accounts_server):
    with watched_page(browser, accounts_server) as page:
        sign_in(page, "vic", "en")
        response = page.goto(f"{page.base_url}/admin")
        assert response.status == 403
        assert "Only administrators" in page.locator("#login-refused").inner_text()
        screenshot(page, "access-viewer-refused-admin")
        page.watch.errors = [error for error in page.watch.errors if "403" not in error]
        page.click("text=Back to the overview")
        page.wait_for_selector("#shell-account")


def test_an_admin_adds_a_coordinator_and_reads_the_audit_log(browser, accounts_server):
    with watched_page(browser, accounts_server) as page:
        sign_in(page, "ana", "en")
        assert "Ana Phommachanh" in page.locator("#shell-account").inner_text()
        click_in_navbar(page, "#nav-admin")
        page.wait_for_selector("#admin-users table")
        page.fill("#admin-new-username", "kham")
        page.fill("#admin-new-name", "Khamla Vongsa")
        page.select_option("#admin-new-role", "coordinator")
        page.locator("#admin-new-provinces").click()
        page.get_by_role("option", name="Houaphan").click()
        page.keyboard.press("Escape")
        page.fill("#admin-new-password", "a long new password")
        page.click("#admin-add")
        page.wait_for_selector("#admin-result")
        assert "User “kham” added." in page.locator("#admin-result").inner_text()
        row = page.locator('#admin-users tr[data-username="kham"]').inner_text()
        assert "Khamla Vongsa" in row and "province coordinator" in row and "Houaphan" in row
        assert page.locator('#admin-audit tr[data-action="user_add"]').count() == 1
        assert page.locator('#admin-audit tr[data-action="login"]').count() >= 1
        assert page.inner_text("#admin-new-password") == "" and page.input_value("#admin-new-password") == ""
        screenshot(page, "access-admin-page-en")
        page.click("#shell-lang-lo")
        page.wait_for_selector('#admin-users tr[data-username="kham"]')
        page.wait_for_load_state("networkidle")
        assert "ຜູ້ປະສານງານແຂວງ" in page.locator('#admin-users tr[data-username="kham"]').inner_text()
        assert "ເພີ່ມຜູ້ໃຊ້" in page.locator('#admin-audit tr[data-action="user_add"]').inner_text()
        screenshot(page, "access-admin-page-lo")
        click_in_navbar(page, "#shell-logout")
        page.wait_for_selector("#login-form")
    with watched_page(browser, accounts_server) as page:
        sign_in(page, "kham", "en", "a long new password")
        assert page.locator("#nav-importer").count() == 1 and page.locator("#nav-admin").count() == 0
        screenshot(page, "access-signed-in-en-coordinator")
