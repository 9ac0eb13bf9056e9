"""A planner's Phase II selection, carried from the /phase2 page into the mission report by its link.

The cost is read from the /phase2 page in the browser and must appear in the report's PDF text.
"""
import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from conftest import screenshot
from i18n import t
from pdf_text import pdf_text, squeezed

pytestmark = pytest.mark.browser

CHOICE = "w=40,30,30&n=12&x1=1&pick=0201,0207,0303"


def _settled(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=20000)


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_the_report_carries_the_selection_and_cost_the_phase2_page_shows(page, lang):
    page.goto(page.base_url + f"/phase2?lang={lang}&{CHOICE}")
    page.wait_for_selector("#phase2-cost-lak", timeout=60000)
    _settled(page)
    cost_lak = page.locator("#phase2-cost-lak").inner_text()
    cost_usd = page.locator("#phase2-cost-usd").inner_text()
    assert page.locator("#phase2-n-selected").inner_text() == "3"

    page.locator("#phase2-to-report").click()
    expect(page.locator("#report-phase2-line")).to_have_text(t("report.phase2_from_page", lang), timeout=20000)
    _settled(page)
    assert "/report?phase2=" in page.url
    page.locator("#report-make").click()
    link = page.locator("#report-pdf-link")
    expect(link).to_be_visible(timeout=120000)
    screenshot(page, f"report-phase2-{lang}")
    with page.expect_download() as info:
        link.click()
    text = squeezed(pdf_text(open(info.value.path(), "rb").read()))
    assert squeezed(t("report.section_phase2", lang)) in text
    assert squeezed(cost_lak) in text and squeezed(cost_usd) in text, (cost_lak, cost_usd)
    with page.expect_download() as info:
        page.locator("#report-xlsx-link").click()
    sheet = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))[t("report.phase2_sheet", lang)]
    codes = [row[1] for row in sheet.iter_rows(min_row=2)][:-1]
    assert [cell.value for cell in codes] == ["0201", "0207", "0303"] and all(cell.data_type == "s" for cell in codes)
