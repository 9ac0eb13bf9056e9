"""Phase II proposal in headless Chromium: move a weight, tick a district, read the cost change, download the Excel."""
import io
import re

import openpyxl
import pytest

from conftest import screenshot, watched_page

pytestmark = pytest.mark.browser


def _settled(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=20000)
    page.wait_for_timeout(300)


def _amount(text: str) -> int:
    return int(re.sub(r"[^0-9]", "", text))


def _open(page, query: str) -> None:
    page.goto(page.base_url + "/phase2?" + query)
    # the first visit of a session also loads plotly.js and fills the query cache: give it time
    page.wait_for_selector("#phase2-table .ag-row", timeout=60000)
    page.wait_for_selector("#phase2-cost-usd", timeout=60000)
    _settled(page)


def _cell(page, row_index: int, column: str):
    return page.locator(f"#phase2-table .ag-center-cols-container .ag-row[row-index=\"{row_index}\"] "
                        f".ag-cell[col-id=\"{column}\"], #phase2-table .ag-pinned-left-cols-container "
                        f".ag-row[row-index=\"{row_index}\"] .ag-cell[col-id=\"{column}\"]").first


def _slide_to_zero(page, slider_id: str) -> None:
    handle = page.locator(f"#{slider_id} [role=slider]")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    rail = page.locator(f"#{slider_id}").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(rail["x"] - 20, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()


def test_weight_tick_cost_and_excel(page, browser, live_server):
    _open(page, "lang=en")
    cost_before = _amount(page.locator("#phase2-cost-usd").inner_text())
    assert cost_before > 0
    assert "Demo data" in page.locator("#phase2-costs").inner_text()
    assert "exchange rate of" in page.locator("#phase2-costs").inner_text()
    assert "in the top 12 under" in page.locator("#phase2-robustness").inner_text()
    screenshot(page, "phase2-proposal-default-en")

    _slide_to_zero(page, "phase2-weight-stunting")
    page.wait_for_function("() => window.location.search.includes('w=0%2C')", timeout=20000)
    _settled(page)
    cost_weights = _amount(page.locator("#phase2-cost-usd").inner_text())
    assert cost_weights != cost_before  # another top 12 costs something else

    # tick the 15th-ranked district (outside the top 12): the cost grows by exactly its cost
    assert _cell(page, 14, "selected").inner_text().strip() == "☐"
    district_cost = _amount(_cell(page, 14, "cost_usd").inner_text())
    _cell(page, 14, "selected").click()
    page.wait_for_function("() => document.querySelector('#phase2-mode-note').innerText.includes('13 districts')",
                           timeout=20000)
    _settled(page)
    cost_ticked = _amount(page.locator("#phase2-cost-usd").inner_text())
    # each figure is rounded to a dollar on the page, so the sum may differ by one
    assert abs(cost_ticked - (cost_weights + district_cost)) <= 1
    assert "pick=" in page.evaluate("() => window.location.search")
    screenshot(page, "phase2-proposal-ticked-en")

    with page.expect_download() as download_info:
        page.locator("#phase2-export").click()
    download = download_info.value
    assert re.fullmatch(r"phase2-proposal-\d{4}-\d{2}\.xlsx", download.suggested_filename)
    book = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    proposal, costs = book["proposal"], book["costs"]
    header = [cell.value for cell in proposal[1]]
    code_column = header.index("District code") + 1
    codes = [row[0] for row in proposal.iter_rows(min_row=2, min_col=code_column, max_col=code_column)]
    assert len(codes) == 148
    assert all(cell.data_type == "s" and len(cell.value) == 4 for cell in codes)
    assert any(cell.value.startswith("0") for cell in codes)
    totals = {row[0].value: row[1].value for row in costs.iter_rows(min_row=2)}
    assert round(totals["Cost a year (USD)"]) == cost_ticked
    assert totals["Districts selected"] == 13
    notes = " ".join(str(row[0].value) for row in book["notes"].iter_rows())
    assert "Demo data" in notes and "Vientiane time" in notes

    # the address carries the selection: a second visitor opening it sees the same cost
    shared = page.url
    with watched_page(browser, live_server) as other:
        other.goto(shared)
        other.wait_for_selector("#phase2-cost-usd")
        _settled(other)
        assert _amount(other.locator("#phase2-cost-usd").inner_text()) == cost_ticked
        assert "13 districts" in other.locator("#phase2-mode-note").inner_text()


def test_reset_goes_back_to_the_top_n_and_lao_page(page):
    _open(page, "lang=lo&w=50,25,25&n=6&pick=0201,0207")
    assert _amount(page.locator("#phase2-n-selected").inner_text()) == 2
    page.locator("#phase2-reset-ticks").click()
    page.wait_for_function("() => !window.location.search.includes('pick=')", timeout=20000)
    _settled(page)
    assert _amount(page.locator("#phase2-n-selected").inner_text()) == 6
    assert "ງົບປະມານ" in page.locator("#phase2-budget").inner_text()
    screenshot(page, "phase2-proposal-lo")


def _district_pixel(page, code: str) -> dict:
    """The page pixel of a point inside the district's polygon (the mean of its outer ring's vertices)."""
    return page.evaluate(
        """(code) => {
            const gd = document.querySelector('#phase2-map .js-plotly-plot');
            // The figure names its boundaries by URL; plotly.js keeps what it fetched by that URL.
            const source = gd.data[0].geojson;
            const collection = typeof source === 'string' ? window.PlotlyGeoAssets[source] : source;
            const feature = collection.features.find(f => f.id === code);
            let ring = feature.geometry.coordinates[0];
            if (feature.geometry.type === 'MultiPolygon') ring = ring[0];
            const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
            const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
            const map = gd._fullLayout.map._subplot.map;
            const point = map.project([lon, lat]);
            const box = map.getCanvasContainer().getBoundingClientRect();
            return {x: box.left + point.x, y: box.top + point.y};
        }""", code)


def test_clicking_a_district_on_the_map_ticks_it(page):
    _open(page, "lang=en&w=50,25,25&n=12")
    page.wait_for_function(
        """() => { const gd = document.querySelector('#phase2-map .js-plotly-plot');
                   return gd && gd._fullLayout.map && gd._fullLayout.map._subplot.map.loaded(); }""", timeout=20000)
    cost_before = _amount(page.locator("#phase2-cost-usd").inner_text())
    # the 15th-ranked district: outside the top 12, so a click adds it
    code = page.locator("#phase2-table .ag-center-cols-container .ag-row[row-index=\"14\"]").get_attribute("row-id")
    page.locator("#phase2-map").scroll_into_view_if_needed()
    pixel = _district_pixel(page, code)
    page.mouse.move(pixel["x"], pixel["y"])
    page.wait_for_selector("#phase2-map .hoverlayer .hovertext", timeout=5000)
    page.mouse.click(pixel["x"], pixel["y"])
    page.wait_for_function("() => new URLSearchParams(window.location.search).has('pick')", timeout=20000)
    _settled(page)
    picked = page.evaluate("() => new URLSearchParams(window.location.search).get('pick').split(',')")
    assert len(picked) == 13 and code in picked
    assert _amount(page.locator("#phase2-cost-usd").inner_text()) != cost_before
    assert f"{len(picked)} districts" in page.locator("#phase2-mode-note").inner_text()


def test_an_administrator_changes_the_transfer_and_the_cost_follows(page, sqlite_demo_url):
    from data_access.database import make_engine
    from data_access.program_settings import program_settings, save_program_settings

    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        original = program_settings(conn).set_index("key").loc["transfer_lak"]
    try:
        _open(page, "lang=en")
        cost_before = _amount(page.locator("#phase2-cost-lak").inner_text())
        field = page.locator("input[name='transfer_lak-value']")
        field.scroll_into_view_if_needed()
        page.wait_for_function("() => document.querySelector(\"input[name='transfer_lak-value']\").value !== ''")
        # a bad value is refused with a sentence, and nothing changes
        field.fill("lots")
        page.locator("#phase2-settings-save").click()
        page.wait_for_function("() => document.querySelector('#phase2-settings-message').innerText.includes('not a number')")
        assert _amount(page.locator("#phase2-cost-lak").inner_text()) == cost_before
        field.fill("200000")
        page.locator("input[name='transfer_lak-source']").fill("Phase II design note (test)")
        page.locator("#phase2-settings-save").click()
        page.wait_for_function("() => document.querySelector('#phase2-settings-message').innerText.includes('Saved')")
        _settled(page)
        # twice the transfer, twice the cost (transfers and delivery both scale)
        cost_after = _amount(page.locator("#phase2-cost-lak").inner_text())
        assert cost_after == 2 * cost_before
        assert "Phase II design note (test)" in page.locator("#phase2-method").inner_text()
        screenshot(page, "phase2-settings-saved-en")
    finally:
        save_program_settings(engine, {"transfer_lak": {"value": original["value"], "source": original["source"],
                                                        "year": original["year"]}})
        engine.dispose()
