"""The mission report as a mission member makes it: choose the place and month, press the button, wait, download.

The numbers are read from the pages in the browser (Overview cards, Targets grid, Trends
facts) and must appear in the PDF's text: the report and the pages show the same figures.
"""
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from conftest import follow_nav, screenshot
from i18n import format_period, t
from pdf_text import pdf_text, squeezed

pytestmark = pytest.mark.browser

AS_OF = "2022-11"
PLACE = {"en": "Houaphan", "lo": "ຫົວພັນ"}


def _choose(page, dropdown_id: str, label: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    # The period list is long (months, quarters, semesters) and drawn only near what is visible: search it.
    page.locator(".dash-dropdown-search").fill(label)
    page.get_by_role("option", name=label, exact=True).click()
    expect(page.locator(f"#{dropdown_id}-value")).to_have_text(label)


def _settled(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")
    # Every chart drawn (plotly.js keeps its pending drawing in gd._promises): leaving a page while a chart
    # is still being drawn makes plotly.js throw from the unmounted chart (a console error, seen once in 2).
    page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')].every(
        gd => gd._fullLayout && (!gd._promises || gd._promises.length === 0))""", timeout=30000)


def _go(page, path: str, lang: str) -> None:
    """Follow the navbar like a person (the shared filters stay as chosen)."""
    follow_nav(page, path)
    _settled(page)


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_the_report_carries_the_numbers_the_pages_show(page, lang):
    page.goto(page.base_url + f"/?lang={lang}")
    page.wait_for_selector('[id*="overview-card-value"]', timeout=30000)
    _choose(page, "shell-period", format_period(AS_OF, lang))
    _choose(page, "shell-province", PLACE[lang])
    expect(page.locator("#overview-title")).to_contain_text(PLACE[lang], timeout=20000)
    _settled(page)
    cards = page.locator('[id*="overview-card-value"]').all_inner_texts()
    assert len(cards) == 5

    _go(page, "targets", lang)
    expect(page.locator("#targets-scope")).to_contain_text(PLACE[lang], timeout=20000)
    _settled(page)
    indicators = page.locator("#targets-grid .ag-center-cols-container .ag-cell[col-id='indicator']").all_inner_texts()
    actuals = page.locator("#targets-grid .ag-center-cols-container .ag-cell[col-id='actual']").all_inner_texts()
    assert len(indicators) >= 5 and len(actuals) == len(indicators)

    _go(page, "trends", lang)
    expect(page.locator("#trends-title")).to_contain_text(PLACE[lang], timeout=20000)
    page.wait_for_selector('[id*="trends-fact"]', timeout=30000)
    _settled(page)
    facts = page.locator('[id*="trends-fact"]').all_inner_texts()

    _go(page, "report", lang)
    expect(page.locator("#report-scope")).to_contain_text(PLACE[lang])
    page.locator("#report-make").click()
    expect(page.locator("#report-progress")).to_be_visible(timeout=10000)
    link = page.locator("#report-pdf-link")
    expect(link).to_be_visible(timeout=120000)
    screenshot(page, f"report-page-{lang}")
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == f"Houaphan_{AS_OF}_mission-report-{lang}.pdf"
    pdf = open(info.value.path(), "rb").read()
    with page.expect_download() as info:
        page.locator("#report-xlsx-link").click()
    workbook = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))

    text = squeezed(pdf_text(pdf))
    for shown in cards + indicators + [value for value in actuals if value] + facts:
        assert squeezed(shown) in text, shown
    assert squeezed(t("report.section_framework", lang)) in text
    cover = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(values_only=True)}
    assert cover[t("export.note_place", lang)] == PLACE[lang]
