"""Trends page in headless Chromium: choose a place and a month, pick a survey indicator, read the waiting."""
import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser

GRAPHS = ("trends-survey-graph", "trends-compliance-graph", "trends-operations-graph", "trends-backlog-graph",
          "trends-pipeline-heatmap", "trends-pipeline-steps", "trends-payments-graph", "trends-disbursement-graph",
          "trends-management-graph")


def _wait_for_graphs(page) -> None:
    for graph_id in GRAPHS:
        page.wait_for_function(
            f"() => {{ const gd = document.querySelector('#{graph_id} .js-plotly-plot');"
            " return gd && gd._fullLayout && gd.data !== undefined; }", timeout=20000)
    page.wait_for_load_state("networkidle")


def _trace_names(page, graph_id: str) -> list[str]:
    return page.evaluate(f"() => document.querySelector('#{graph_id} .js-plotly-plot').data.map(t => t.name)")


def _choose(page, dropdown_id: str, option: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-search").fill(option)
    page.get_by_role("option", name=option, exact=True).click()


def _fact(page, name: str) -> str:
    return page.locator(f'[id*="trends-fact"][id*="{name}"]').inner_text()


def test_trends_follow_the_place_and_month(page):
    page.goto(page.base_url + "/trends?lang=en")
    page.wait_for_selector('[id*="trends-fact"]')
    _wait_for_graphs(page)
    assert "Lao PDR" in page.locator("#trends-title").inner_text()
    compliance = _trace_names(page, "trends-compliance-graph")
    assert compliance[0] == "Compliance with all CCT conditions" and len(compliance) == 5
    assert compliance[-1].startswith("end-of-project target")
    # nationally, the four target provinces are drawn as reference lines
    assert any("(target province)" in (name or "") for name in _trace_names(page, "trends-survey-graph"))
    screenshot(page, "trends-national-en")

    _choose(page, "shell-province", "Houaphan")
    page.wait_for_function("() => document.querySelector('#trends-title').innerText.includes('Houaphan')")
    _wait_for_graphs(page)
    survey = _trace_names(page, "trends-survey-graph")
    assert "Houaphan" in survey and "Lao PDR" in survey
    # the pipeline narrows to Houaphan's three target districts
    page.wait_for_function(
        "() => { const gd = document.querySelector('#trends-pipeline-heatmap .js-plotly-plot');"
        " return gd && gd.data[0] && gd.data[0].y && gd.data[0].y.length === 3; }", timeout=20000)

    # a survey indicator chosen as a person would: by its label
    page.get_by_text("Wasting", exact=True).click()
    page.wait_for_function(
        "() => { const gd = document.querySelector('#trends-survey-graph .js-plotly-plot');"
        " return gd && gd.layout.yaxis.title.text.startsWith('Wasting'); }")

    # back to the 2022 approval bottleneck: cycles are waiting, for months
    _choose(page, "shell-period", "September 2022")
    page.wait_for_function("() => document.querySelector('#trends-title').innerText.includes('September 2022')")
    page.wait_for_selector("#trends-backlog-rows")
    _wait_for_graphs(page)
    waiting = int(_fact(page, "awaiting_approval")) + int(_fact(page, "approved_unpaid"))
    assert waiting > 0
    longest = int(_fact(page, "longest_wait").split()[0])
    assert longest > 30
    rows = page.locator("#trends-backlog-rows tbody tr")
    assert rows.count() == waiting
    backlog_bars = page.evaluate(
        "() => document.querySelector('#trends-backlog-graph .js-plotly-plot').data.filter(t => t.type === 'bar').length")
    assert backlog_bars >= 1
    screenshot(page, "trends-houaphan-2022-en")

    page.locator("label", has_text="LAK").first.click()
    page.wait_for_function(
        "() => { const gd = document.querySelector('#trends-disbursement-graph .js-plotly-plot');"
        " return gd && gd.layout.yaxis.title.text === 'LAK'; }")
    assert "exchange rate" in page.locator("#trends-disbursement-note").inner_text()


def test_trends_in_lao_with_a_district_without_its_own_survey(page):
    page.goto(page.base_url + "/trends?lang=lo")
    page.wait_for_selector('[id*="trends-fact"]')
    _wait_for_graphs(page)
    assert "ແນວໂນ້ມ" in page.locator("#shell-navbar").inner_text()
    _choose(page, "shell-province", "ຫົວພັນ")
    _choose(page, "shell-district", "ຊຳເໜືອ")
    page.wait_for_function("() => document.querySelector('#trends-title').innerText.includes('ຊຳເໜືອ')")
    _wait_for_graphs(page)
    note = page.locator("#trends-survey-note").inner_text()
    assert "ບໍ່ມີຕົວເລກຈາກການສຳຫຼວດຂອງຕົນເອງ" in note
    assert any("ຊຳເໜືອ" in (name or "") for name in _trace_names(page, "trends-survey-graph"))
    screenshot(page, "trends-xamneua-lo")
    page.goto(page.base_url + "/trends?lang=lo")
    page.wait_for_selector('[id*="trends-fact"]')
    _wait_for_graphs(page)
    screenshot(page, "trends-national-lo")
