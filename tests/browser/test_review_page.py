"""Review page in a browser: choose the Jul–Dec 2022 semester, read a figure and its change, switch to Lao;
and the Overview still works with a semester chosen."""
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import create_engine

from conftest import screenshot
from data_access.periods import period_window
from data_access.queries.catalogue import months_with_data
from data_access.queries.overview import headline_figures
from data_access.queries.review import review_figures
from i18n import format_period, format_value, t
from layouts.review import change_text, verdict_text

pytestmark = pytest.mark.browser

SEMESTER = "2022-S2"


@pytest.fixture(scope="module")
def expected(sqlite_demo_url):
    """What the pages should show, straight from the queries on the same database."""
    engine = create_engine(sqlite_demo_url)
    with engine.connect() as conn:
        review = review_figures(conn, None, SEMESTER)
        window = period_window(SEMESTER, months_with_data(conn))
        overview = headline_figures(conn, None, window.as_of)
    engine.dispose()
    return {"review": review, "window": window, "overview": overview}


def _choose(page, dropdown_id: str, label: str) -> None:
    # The list is long (months, quarters, semesters) and drawn only near what is visible: search it.
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-search").fill(label)
    page.get_by_role("option", name=label, exact=True).click()
    expect(page.locator(f"#{dropdown_id}-value")).to_have_text(label)


def _settled(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")


def test_semester_review_reads_a_figure_and_its_change_in_english_and_lao(page, expected):
    page.goto(page.base_url + "/review?lang=en")
    expect(page.locator("#review-hl-registered")).to_be_visible(timeout=120000)
    _choose(page, "shell-period", "Jul–Dec 2022")
    previous = expected["review"]["previous_window"]["code"]
    assert previous == "2022-S1"
    expect(page.locator("#review-title")).to_have_text(
        t("review.title", "en", place=t("common.national", "en"), period="Jul–Dec 2022", previous="Jan–Jun 2022"),
        timeout=120000)
    # The filter says which month stands for the semester on the other pages.
    expect(page.locator("#shell-period-rule")).to_contain_text(format_period(expected["window"].as_of, "en"))

    registered = expected["review"]["changes"]["registered"]
    assert registered["current"] is not None and registered["previous"] is not None
    row = page.locator("#review-hl-registered")
    expect(row.locator(".review-now")).to_have_text(format_value(registered["current"], "people", "en"))
    expect(row.locator(".review-then")).to_have_text(format_value(registered["previous"], "people", "en"))
    expect(row.locator(".review-change")).to_have_text(change_text(registered["change"], "people", "en"))
    # Compliance over the semester is a ratio of the semester's sums, with its change in points.
    compliance = expected["review"]["changes"]["compliance"]
    expect(page.locator("#review-hl-compliance .review-change")).to_have_text(
        change_text(compliance["change"], "percent", "en"))
    # Stunting is a survey estimate: no new round in 2022, so no change is claimed.
    stunting = page.locator("#review-hl-stunting .review-verdict")
    expect(stunting).to_have_text(verdict_text(expected["review"]["changes"]["stunting"]["verdict"], "en"))
    framework = expected["review"]["framework"].set_index("indicator_code")
    delay = framework.loc["CCT_PAY_DELAY"]
    expect(page.locator("#review-rf-CCT_PAY_DELAY .review-now")).to_have_text(format_value(delay["value_now"], "days", "en"))
    expect(page.locator("#review-rf-CCT_PAY_DELAY .review-status-now")).to_have_text(
        t(f"targets.status_{delay['status_now']}", "en"))
    _settled(page)
    screenshot(page, "review-2022-S2-en")

    page.click("#shell-lang-lo")
    expect(page.locator("#review-title")).to_contain_text(format_period(SEMESTER, "lo"), timeout=30000)
    expect(page.locator("#shell-period-value")).to_have_text(format_period(SEMESTER, "lo"))
    row = page.locator("#review-hl-registered")
    expect(row.locator(".review-now")).to_have_text(format_value(registered["current"], "people", "lo"))
    expect(row.locator(".review-change")).to_have_text(change_text(registered["change"], "people", "lo"))
    expect(page.locator("#review-rules summary")).to_have_text(t("review.rules_title", "lo"))
    _settled(page)
    screenshot(page, "review-2022-S2-lo")


def test_review_table_downloads_as_excel_with_the_semester_in_its_name(page, expected, tmp_path):
    page.goto(page.base_url + "/review?lang=en")
    expect(page.locator("#review-hl-registered")).to_be_visible(timeout=120000)
    _choose(page, "shell-period", "Jul–Dec 2022")
    expect(page.locator("#review-title")).to_contain_text("Jul–Dec 2022", timeout=120000)
    _settled(page)
    with page.expect_download() as download_info:
        page.click("#review-rf-export-xlsx")
    download = download_info.value
    assert download.suggested_filename == f"Lao-PDR_{SEMESTER}_review-results-framework.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[5:7] == ["Jan–Jun 2022", "Jul–Dec 2022"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    framework = expected["review"]["framework"].set_index("indicator_code")
    assert rows["CCT_REGISTERED"][6] == framework.loc["CCT_REGISTERED", "value_now"]
    assert rows["CCT_COMPLY_ALL"][5] == pytest.approx(framework.loc["CCT_COMPLY_ALL", "value_then"])


def test_overview_still_works_with_a_semester_chosen(page, expected):
    page.goto(page.base_url + "/?lang=en")
    page.wait_for_selector('[id*="overview-card-value"]', timeout=90000)
    _choose(page, "shell-period", "Jul–Dec 2022")
    as_of = expected["window"].as_of
    # The Overview reads the semester's as-of month, and says so under the filter.
    page.wait_for_function(
        "(period) => document.querySelector('#overview-title').innerText.includes(period)",
        arg=format_period(as_of, "en"), timeout=120000,
    )
    expect(page.locator("#shell-period-rule")).to_have_text(
        t("review.as_of_latest", "en", period="Jul–Dec 2022", month=format_period(as_of, "en")))
    registered = page.locator('[id*="overview-card-value"][id*="registered"]')
    expect(registered).to_have_text(format_value(expected["overview"]["registered"]["value"], "people", "en"))
    _settled(page)
    screenshot(page, "overview-semester-2022-S2-en")
