"""Phase II targeting in headless Chromium: read the ranking, move a weight, see the ranking and the map follow."""
import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser


def _wait_for_map(page) -> None:
    page.wait_for_function(
        """() => { const gd = document.querySelector('#phase2-map .js-plotly-plot');
                   return gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
                          && gd._fullLayout.map._subplot.map.loaded(); }""", timeout=20000)


def _settled(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')", timeout=20000)
    page.wait_for_timeout(300)


def _top_rows(page, count: int = 5) -> list[dict]:
    return page.evaluate(
        f"""() => {{
            const rows = {{}};
            for (const cell of document.querySelectorAll('#phase2-table .ag-row .ag-cell')) {{
                const index = Number(cell.closest('.ag-row').getAttribute('row-index'));
                if (index >= {count}) continue;
                rows[index] = rows[index] || {{}};
                rows[index][cell.getAttribute('col-id')] = cell.innerText.trim();
            }}
            return Object.keys(rows).map(Number).sort((a, b) => a - b).map(i => rows[i]);
        }}"""
    )


def _slide_to_zero(page, slider_id: str) -> None:
    """Drag the slider's handle to the left end, as a person would."""
    handle = page.locator(f"#{slider_id} [role=slider]")
    handle.scroll_into_view_if_needed()
    box = handle.bounding_box()
    rail = page.locator(f"#{slider_id}").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(rail["x"] - 20, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()


def _selected_outline(page) -> list[str]:
    return page.evaluate(
        """() => { const gd = document.querySelector('#phase2-map .js-plotly-plot');
                   const trace = gd.data.find(t => t.marker && t.marker.line && t.marker.line.width === 3);
                   return trace ? Array.from(trace.locations) : []; }""")


def test_moving_a_weight_changes_ranking_and_map(page):
    page.goto(page.base_url + "/phase2?lang=en")
    page.wait_for_selector("#phase2-table .ag-row", timeout=60000)
    _wait_for_map(page)
    _settled(page)
    shares = page.locator("#phase2-weight-shares").inner_text()
    # without a poverty estimate in the data the page says so and its slider cannot be moved
    poverty_missing = page.locator("#phase2-weight-poverty [role=slider]").get_attribute("aria-disabled") == "true" \
        or page.locator("#phase2-weight-poverty [data-disabled]").count() > 0
    assert ("No data loaded" in page.locator("#phase2-explanation").inner_text()) == poverty_missing
    assert shares.startswith("Weights in force: stunting " + ("67 %" if poverty_missing else "50 %"))
    before = _top_rows(page)
    assert before[0]["rank"] == "1"
    scores = [float(row["score"].rstrip(" *")) for row in before]
    assert scores == sorted(scores, reverse=True)
    selected_before = _selected_outline(page)
    assert len(selected_before) >= 12
    assert "districts selected" in page.locator("#phase2-summary").inner_text()
    screenshot(page, "phase2-default-en")

    _slide_to_zero(page, "phase2-weight-stunting")
    if not poverty_missing:
        _slide_to_zero(page, "phase2-weight-poverty")
    page.wait_for_function(
        "() => document.querySelector('#phase2-weight-shares').innerText.includes('projects 100 %')", timeout=20000)
    _wait_for_map(page)
    _settled(page)
    after = _top_rows(page)
    # only the convergence gap counts now: the top districts are those no village of which has 4+ projects
    assert all(row["coverage"] == "0.0 %" for row in after if row["rank"] == "1")
    assert after[0]["score"] == "100.0"
    assert _selected_outline(page) != selected_before
    screenshot(page, "phase2-gap-only-en")

    page.get_by_text("Leave out the current (Phase I) target districts").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#phase2-table .ag-row[row-index=\"0\"] .ag-cell')]"
        ".some(c => c.getAttribute('col-id') === 'rank' && c.innerText.trim() === '1')")
    _settled(page)
    rows = _top_rows(page, 30)
    assert any(row["phase1"] == "yes" for row in rows if row["selected"] == "☑")


def test_phase2_in_lao(page):
    page.goto(page.base_url + "/phase2?lang=lo")
    page.wait_for_selector("#phase2-table .ag-row", timeout=60000)
    _wait_for_map(page)
    _settled(page)
    assert "ໄລຍະ II" in page.locator("#phase2-title").inner_text()
    assert "ຄະແນນ" in page.locator("#phase2-explanation").inner_text()
    legend = page.evaluate("() => document.querySelector('#phase2-map .js-plotly-plot').data.map(t => t.name)")
    assert any("ໄລຍະ I " in (name or "") for name in legend)
    screenshot(page, "phase2-default-lo")
