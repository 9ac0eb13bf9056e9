"""Downloads as a person gets them: click Excel or CSV beside a table, open the file, find what the page shows."""
import io

import pytest
from openpyxl import load_workbook

from conftest import screenshot

pytestmark = pytest.mark.browser


def _settled(page) -> None:
    # Nine charts keep the page's main thread busy for seconds on a loaded machine: let them draw first.
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=60000)


def _choose(page, dropdown_id: str, option: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-search").fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def _download(page, button_id: str):
    with page.expect_download(timeout=30000) as info:
        page.locator(f"#{button_id}").click()
    download = info.value
    return download.suggested_filename, open(download.path(), "rb").read()


def test_trends_waiting_table_downloads_with_codes_as_text_and_a_notes_sheet(page):
    page.set_default_timeout(60000)
    page.goto(page.base_url + "/trends?lang=en")
    page.wait_for_selector("#trends-backlog-rows tbody tr", timeout=60000)
    _settled(page)
    _choose(page, "shell-province", "Houaphan")
    page.wait_for_function("() => document.querySelector('#trends-title').innerText.includes('Houaphan')")
    page.wait_for_selector("#trends-backlog-rows tbody tr", timeout=30000)
    shown = page.locator("#trends-backlog-rows tbody tr").first.locator("td").all_inner_texts()
    screenshot(page, "exports-trends-en")

    name, content = _download(page, "trends-waiting-export-xlsx")
    assert name.startswith("Houaphan_") and name.endswith("_payment-backlog.xlsx"), name
    workbook = load_workbook(io.BytesIO(content))
    data, notes = workbook.worksheets
    first = [cell.value for cell in data[2]]
    assert first[1] == shown[0]  # district name as on the page
    assert str(first[6]) == shown[4].replace(",", "")  # days waited
    assert isinstance(first[0], str) and first[0].startswith("07") and data.cell(row=2, column=1).number_format == "@"
    labels = {row[0]: row[1] for row in notes.iter_rows(values_only=True)}
    assert labels["Place"] == "Houaphan" and "DEMO DATA" in labels["Demo data"] and "Lao time" in labels["Exported"]

    name, content = _download(page, "trends-disbursement-table-export-csv")
    assert name.endswith("_budget.csv")
    assert content.startswith(b"\xef\xbb\xbf")


def test_district_comparison_downloads_in_lao(page):
    page.set_default_timeout(60000)
    page.goto(page.base_url + "/districts?lang=lo")
    page.wait_for_selector("#districts-grid .ag-row", timeout=30000)
    name, content = _download(page, "districts-comparison-export-xlsx")
    assert name.endswith("_district-comparison.xlsx")
    workbook = load_workbook(io.BytesIO(content))
    data = workbook.worksheets[0]
    assert data.cell(row=1, column=2).value == "ເມືອງ"
    codes = [row[0] for row in data.iter_rows(min_row=2, values_only=True)]
    assert codes and all(isinstance(code, str) and len(code) == 4 for code in codes)
    grid_names = set(page.locator("#districts-grid .ag-pinned-left-cols-container [col-id='district']").all_inner_texts())
    exported = {row[1] for row in data.iter_rows(min_row=2, values_only=True)}
    assert {name.replace(" ●", "") for name in grid_names} <= exported
    assert workbook.worksheets[1].title == "ກ່ຽວກັບໄຟລ໌ນີ້"


def _png_facts(content: bytes):
    from PIL import Image

    image = Image.open(io.BytesIO(content)).convert("L")
    width, height = image.size
    title_band = image.crop((0, 0, width // 2, int(height * 0.07)))
    return image, title_band


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_a_chart_downloads_as_png_and_svg_with_its_title_place_and_demo_label(page, lang):
    from i18n import t

    page.set_default_timeout(60000)
    page.goto(page.base_url + f"/trends?lang={lang}")
    page.wait_for_function(
        "() => { const gd = document.querySelector('#trends-compliance-graph .js-plotly-plot');"
        " return gd && gd.data && gd.data.length > 0; }", timeout=60000)
    _settled(page)
    name, content = _download(page, "trends-compliance-graph-image-png")
    assert name.endswith("_compliance.png") and content.startswith(b"\x89PNG")
    image, title_band = _png_facts(content)
    assert image.getextrema()[0] < 100, "the image is blank"
    # the title is dark text on white at the top left, where the page's figure has nothing
    assert title_band.getextrema()[0] < 80 and title_band.getextrema()[1] == 255
    name, content = _download(page, "trends-compliance-graph-image-svg")
    svg = content.decode("utf-8")
    assert name.endswith(".svg") and svg.lstrip().startswith("<svg")
    assert t("trends.compliance_card", lang) in svg.replace("&amp;", "&")
    assert t("common.national", lang) in svg
    assert t("shell.demo_badge", lang) in svg
