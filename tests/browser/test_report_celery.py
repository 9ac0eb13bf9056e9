"""The mission report through Celery and Redis, as deployed with several workers: a real worker
process takes the job, the page shows its progress and offers the files it made."""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from conftest import LiveServer, require_redis, screenshot, watched_page
from i18n import format_period, t
from pdf_text import pdf_text, squeezed

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AS_OF = "2022-11"


@pytest.fixture(scope="module")
def celery_settings(sqlite_demo_url):
    # A queue of our own: another test run (or a deployed dashboard) on the same Redis never takes our jobs.
    return {"DATABASE_URL": sqlite_demo_url, "CELERY_BROKER_URL": require_redis(),
            "CELERY_QUEUE": f"test-report-{uuid.uuid4().hex[:8]}", "CACHE_URL": "simple", "DEFAULT_LANGUAGE": "en"}


@pytest.fixture(scope="module")
def worker(celery_settings, tmp_path_factory):
    """`python -m dashboard worker` in its own process, with the settings the web app has."""
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {**os.environ, **celery_settings, "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "dashboard", "worker", "--concurrency", "1"],
                                   cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the Celery worker did not start:\n" + log.read_text()[-3000:])
        time.sleep(0.5)
    yield process, log
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def celery_server(celery_settings, worker):
    from dashboard.app import create_app

    app = create_app(celery_settings)
    with LiveServer(app) as server:
        yield server


def test_the_app_uses_celery_when_a_broker_is_set(celery_settings):
    from dash import CeleryManager, DiskcacheManager

    from dashboard.jobs import background_manager

    assert isinstance(background_manager(celery_settings), CeleryManager)
    assert isinstance(background_manager({**celery_settings, "CELERY_BROKER_URL": ""}), DiskcacheManager)


@pytest.mark.parametrize("lang", ["lo"])
def test_a_celery_worker_makes_the_report_the_page_offers(browser, celery_server, worker, lang):
    process, log = worker
    with watched_page(browser, celery_server) as page:
        page.goto(page.base_url + f"/report?lang={lang}")
        page.locator("#shell-period").click()
        page.locator(".dash-dropdown-search").fill(format_period(AS_OF, lang))
        page.get_by_role("option", name=format_period(AS_OF, lang), exact=True).click()
        page.locator("#shell-province").click()
        page.get_by_role("option", name="ຫົວພັນ", exact=True).click()
        expect(page.locator("#report-scope")).to_contain_text("ຫົວພັນ", timeout=20000)
        page.locator("#report-make").click()
        expect(page.locator("#report-progress")).to_be_visible(timeout=10000)
        link = page.locator("#report-pdf-link")
        expect(link).to_be_visible(timeout=180000)
        screenshot(page, f"report-celery-{lang}")
        with page.expect_download() as info:
            link.click()
        pdf = Path(info.value.path()).read_bytes()
    text = squeezed(pdf_text(pdf))
    assert squeezed(t("report.title", lang)) in text and squeezed("ຫົວພັນ") in text
    assert squeezed(t("alerts.title", lang)) in text
    # The worker, not the web process, made it: its log names the Dash task and its success.
    worker_log = log.read_text()
    assert "background_callback_" in worker_log and "succeeded" in worker_log, worker_log[-3000:]
    assert process.poll() is None
