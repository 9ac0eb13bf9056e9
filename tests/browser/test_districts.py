"""District comparison in headless Chromium: choose a province, rank, flag stale districts, pick districts anywhere."""
import json

import pytest
from sqlalchemy import create_engine, text

from conftest import screenshot

pytestmark = pytest.mark.browser


def _choose(page, dropdown_id: str, option: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-search").fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def _grid_rows(page) -> list[dict]:
    """Rows of the grid as shown, top to bottom: rank, district, and every cell's text by column id."""
    return page.evaluate(
        """() => {
            const rows = {};
            for (const cell of document.querySelectorAll('#districts-grid .ag-row .ag-cell')) {
                const row = cell.closest('.ag-row');
                const index = Number(row.getAttribute('row-index'));
                rows[index] = rows[index] || {};
                rows[index][cell.getAttribute('col-id')] = cell.innerText.trim();
            }
            return Object.keys(rows).map(Number).sort((a, b) => a - b).map(i => rows[i]);
        }"""
    )


def _wait_for_rows(page, count: int) -> None:
    page.wait_for_function(
        f"() => document.querySelectorAll('#districts-grid .ag-center-cols-container .ag-row').length === {count}",
        timeout=20000)


def _settled(page) -> None:
    """Wait until no callback is running (no loading overlay), so that a screenshot shows results."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=20000)
    page.wait_for_timeout(300)


def _number(text: str) -> float | None:
    digits = text.replace("▲", "").replace("▼", "").replace("days", "").replace("%", "").replace(",", "").strip()
    try:
        return float(digits)
    except ValueError:
        return None


def _stale_district(sqlite_demo_url: str) -> tuple[str, str]:
    engine = create_engine(sqlite_demo_url)
    with engine.connect() as conn:
        code = json.loads(conn.execute(text("SELECT report_json FROM import_batch WHERE kind = 'demo'")).scalar())[
            "stale_district"]
        province, name = conn.execute(text(
            "SELECT p.name_en, d.name_en FROM admin_unit d JOIN admin_unit p ON p.code = d.province_code "
            "WHERE d.code = :code"), {"code": code}).one()
    engine.dispose()
    return province, name


def test_compare_a_province_rank_and_flag_stale_districts(page, sqlite_demo_url):
    province, stale = _stale_district(sqlite_demo_url)
    page.goto(page.base_url + "/districts?lang=en")
    _wait_for_rows(page, 12)
    assert "target districts" in page.locator("#districts-selection-note").inner_text()

    _choose(page, "shell-province", province)
    page.wait_for_function(f"() => document.querySelector('#districts-selection-note').innerText.includes('{province}')")
    page.wait_for_function(
        f"() => document.querySelector('#districts-flags').innerText.includes('{stale}:')", timeout=20000)
    rows = _grid_rows(page)
    by_name = {row["district"].replace(" ●", ""): row for row in rows}
    assert by_name[stale]["status"].endswith("stale")
    assert by_name[stale]["CCT_COMPLY_ALL"] == "stale"
    # ranked by compliance: rank 1 holds the highest rate, the stale district is unranked at the bottom
    ranked = [row for row in rows if row["rank_order"]]
    rates = [_number(row["CCT_COMPLY_ALL"]) for row in ranked]
    assert rates == sorted(rates, reverse=True) and ranked[0]["rank_order"] == "1"
    assert rows[-1]["rank_order"] == ""
    _settled(page)
    screenshot(page, "districts-province-en")

    # rank by payment delay: lower is better
    _choose(page, "districts-rank-by",
            "Payment delay (days from compliance verification to payment, waiting cycles included)")
    # the small multiples follow the ranked indicator; the rows follow the new ranking
    page.wait_for_function(
        "() => document.querySelector('#districts-trend-indicator-value').innerText.startsWith('Payment delay')")
    page.wait_for_function(
        """() => { const cells = [...document.querySelectorAll('#districts-grid .ag-row[row-index="0"] .ag-cell')];
                   const delay = cells.find(c => c.getAttribute('col-id') === 'CCT_PAY_DELAY');
                   return delay && delay.innerText.includes('▲'); }""", timeout=20000)
    rows = _grid_rows(page)
    delays = [_number(row["CCT_PAY_DELAY"]) for row in rows if row["rank_order"]]
    assert delays and delays == sorted(delays)

    # a longer window: the stale district's last report counts again
    _choose(page, "districts-stale-periods", "12 periods without a report")
    page.wait_for_function(
        f"() => !document.querySelector('#districts-flags').innerText.includes('{stale}:')", timeout=20000)
    # The grid draws its new rows a moment after the flags change (AG Grid renders asynchronously).
    page.wait_for_function(
        """() => [...document.querySelectorAll('#districts-grid .ag-cell[col-id="status"]')]
                   .every(cell => !cell.innerText.endsWith('stale'))""", timeout=20000)
    by_name = {row["district"].replace(" ●", ""): row for row in _grid_rows(page)}
    assert by_name[stale]["status"] == "up to date"
    assert _number(by_name[stale]["CCT_COMPLY_ALL"]) is not None


def test_sort_by_clicking_a_column_and_read_a_small_multiple(page):
    page.goto(page.base_url + "/districts?lang=en")
    _wait_for_rows(page, 12)
    page.locator("#districts-grid .ag-header-cell[col-id=CCT_COMPLY_ANC] .ag-header-cell-label").click()
    page.wait_for_timeout(300)
    values = [_number(row["CCT_COMPLY_ANC"]) for row in _grid_rows(page)]
    present = [value for value in values if value is not None]
    assert present == sorted(present)

    _choose(page, "districts-trend-indicator", "Stunting prevalence (children under 5)")
    page.wait_for_function(
        "() => { const gd = document.querySelector('#districts-trends-graph .js-plotly-plot');"
        " return gd && gd.layout.annotations && gd.layout.annotations.length === 12 && gd.data.length > 12; }",
        timeout=20000)
    _settled(page)
    screenshot(page, "districts-targets-stunting-en")


def test_pick_districts_anywhere_in_lao(page):
    page.goto(page.base_url + "/districts?lang=lo")
    _wait_for_rows(page, 12)
    for name in ("ຫ້ຽມ (ຫົວພັນ)", "ໃໝ່ (ຜົ້ງສາລີ)", "ແປກ (ຊຽງຂວາງ)"):
        page.locator("#districts-picker").click()
        page.locator(".dash-dropdown-search").fill(name.split(" ")[0])
        page.get_by_role("option", name=name, exact=True).click()
        page.keyboard.press("Escape")
    _wait_for_rows(page, 3)
    assert "ເລືອກຢູ່ໃນໜ້ານີ້" in page.locator("#districts-selection-note").inner_text()
    rows = _grid_rows(page)
    districts = {row["district"].replace(" ●", "") for row in rows}
    assert districts == {"ຫ້ຽມ", "ໃໝ່", "ແປກ"}
    pek = next(row for row in rows if row["district"].startswith("ແປກ"))
    # no CCT in a non-target district: not stale, just never reported; stunting is the province's
    assert pek["CCT_COMPLY_ALL"] == "–"
    assert pek["STUNTING"].startswith("(")
    page.wait_for_function(
        "() => { const gd = document.querySelector('#districts-trends-graph .js-plotly-plot');"
        " return gd && gd.layout.annotations && gd.layout.annotations.length === 3; }", timeout=20000)
    titles = page.evaluate(
        "() => document.querySelector('#districts-trends-graph .js-plotly-plot').layout.annotations.map(a => a.text)")
    assert any("ແປກ" in title for title in titles)
    _settled(page)
    screenshot(page, "districts-picked-lo")
