"""Views people share: a link opens the same view (place, month, indicator, drill, language), the
browser's Back goes one drill level up on the map, cards link to the page that explains them."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import shapely
from conftest import SCREENSHOT_DIR, screenshot, watched_page

from geo import levels

pytestmark = pytest.mark.browser

GRAPH = "#map-graph .js-plotly-plot"
MAP_READY = f"""() => {{
    const gd = document.querySelector('{GRAPH}');
    return !!(gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
              && gd._fullLayout.map._subplot.map.loaded());
}}"""
PIXEL = f"""([lon, lat]) => {{
    const map = document.querySelector('{GRAPH}')._fullLayout.map._subplot.map;
    const point = map.project([lon, lat]);
    const box = map.getCanvasContainer().getBoundingClientRect();
    return [box.left + point.x, box.top + point.y];
}}"""
DRAWN_CODES = f"""() => {{
    const gd = document.querySelector('{GRAPH}');
    if (!gd || !gd.data) return [];
    const codes = [];
    for (const trace of gd.data) {{
        if (trace.locations) codes.push(...trace.locations);
        else if (trace.customdata) codes.push(...trace.customdata.map(row => row[0]));
    }}
    return codes;
}}"""


def _inside(level: str, zoom: str, code: str) -> tuple[float, float]:
    point = shapely.point_on_surface(levels.layer(level, zoom, code).geometry.iloc[0])
    return point.x, point.y


def _wait_for_map(page, prefix: str, at_least: int) -> None:
    """The map draws at least `at_least` places, every one inside `prefix` ("" = anywhere)."""
    page.wait_for_function(
        f"""() => {{ const codes = ({DRAWN_CODES})();
                    return codes.length >= {at_least} && codes.every(code => code.startsWith('{prefix}')); }}""",
        timeout=90_000)
    page.wait_for_function(MAP_READY, timeout=90_000)


def _click_place(page, lon: float, lat: float) -> None:
    # Hover first and wait for the label: a bare click reports the last hovered feature (VERIFIED.md).
    x, y = page.evaluate(PIXEL, [lon, lat])
    page.mouse.move(x, y)
    page.wait_for_timeout(100)
    page.locator("#map-graph .hoverlayer .hovertext").first.wait_for(timeout=5_000)
    page.mouse.click(x, y)


def _breadcrumb(page) -> str:
    return " ".join(page.locator("#map-breadcrumb li:not([hidden])").all_inner_texts())


def _query(page) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}


def _wait_for_text(page, selector: str, text: str) -> None:
    page.wait_for_function("([selector, text]) => { const node = document.querySelector(selector);"
                           " return !!node && node.textContent.includes(text); }", arg=[selector, text], timeout=90_000)


def _wait_for_class(page, selector: str, name: str) -> None:
    page.wait_for_function("([selector, name]) => { const node = document.querySelector(selector);"
                           " return !!node && node.classList.contains(name); }", arg=[selector, name], timeout=90_000)


def _wait_for_query(page, **expected) -> None:
    """The address bar says each key=value (None: the key is absent)."""
    checks = " && ".join(
        f"q.get({key!r}) === {('null' if value is None else repr(value))}" for key, value in expected.items())
    page.wait_for_function(f"() => {{ const q = new URLSearchParams(window.location.search); return {checks}; }}",
                           timeout=90_000)


def test_deep_link_opens_the_lao_province_view_and_back_goes_up_one_level(page):
    page.goto(page.base_url + "/map?scope=07&period=2025-11&indicator=CCT_COMPLY_ANC&lang=lo")
    _wait_for_map(page, "07", 10)
    assert page.locator("html").get_attribute("lang") == "lo"
    assert _breadcrumb(page) == "ສປປ ລາວ ຫົວພັນ"
    assert page.locator("#shell-province-value").inner_text().strip() == "ຫົວພັນ"
    heading = page.locator("#map-heading").inner_text()
    assert "2025" in heading and "ເມືອງ" in heading
    assert "ການຝາກທ້ອງ" in heading   # the Lao name of CCT_COMPLY_ANC, the link's indicator
    _wait_for_query(page, scope="07", period="2025-11", indicator="CCT_COMPLY_ANC", lang="lo", drill=None)
    screenshot(page, "share_1_deep_link_lo_province")

    # Drill into a district by clicking it: a new history entry.
    entries = page.evaluate("() => window.history.length")
    _click_place(page, *_inside("district", "province", "0703"))
    _wait_for_map(page, "0703", 6)
    _wait_for_query(page, scope="07", drill="0703", indicator="CCT_COMPLY_ANC")
    assert page.evaluate("() => window.history.length") == entries + 1
    assert _breadcrumb(page) == "ສປປ ລາວ ຫົວພັນ ຫ້ຽມ"
    screenshot(page, "share_2_drilled_to_district")

    # The browser's Back: one level up, the province's districts again, same indicator and month.
    page.go_back()
    _wait_for_map(page, "07", 10)
    assert _breadcrumb(page) == "ສປປ ລາວ ຫົວພັນ"
    _wait_for_query(page, scope="07", drill=None, indicator="CCT_COMPLY_ANC", period="2025-11")
    assert "ເມືອງ" in page.locator("#map-heading").inner_text()
    # Forward goes back down.
    page.go_forward()
    _wait_for_map(page, "0703", 6)
    assert _breadcrumb(page) == "ສປປ ລາວ ຫົວພັນ ຫ້ຽມ"
    screenshot(page, "share_3_after_back_and_forward")


def test_national_drill_two_levels_and_back_twice(page):
    page.goto(page.base_url + "/map?lang=en")
    _wait_for_map(page, "", 18)
    _wait_for_query(page, scope="00", lang="en")
    _click_place(page, *_inside("province", "national", "07"))
    _wait_for_map(page, "07", 10)
    _wait_for_query(page, scope="00", drill="07")
    _click_place(page, *_inside("district", "province", "0703"))
    _wait_for_map(page, "0703", 6)
    _wait_for_query(page, scope="00", drill="0703")
    assert _breadcrumb(page) == "Lao PDR Houaphan Hiem"
    page.go_back()
    _wait_for_map(page, "07", 10)
    assert _breadcrumb(page) == "Lao PDR Houaphan"
    page.go_back()
    _wait_for_map(page, "", 18)
    assert _breadcrumb(page) == "Lao PDR"
    _wait_for_query(page, scope="00", drill=None)


def test_copied_link_reproduces_the_view_in_a_fresh_browser(browser, live_server, page):
    page.goto(page.base_url + "/map?lang=en")
    _wait_for_map(page, "", 18)
    page.locator("#shell-province").click()
    page.get_by_role("option", name="Houaphan").click()
    _wait_for_map(page, "07", 10)
    _click_place(page, *_inside("district", "province", "0703"))
    _wait_for_map(page, "0703", 6)
    page.get_by_text("Convergence: projects per village").click()
    _wait_for_text(page, "#map-heading", "Projects reaching")
    _wait_for_map(page, "0703", 1)
    _wait_for_query(page, scope="07", view="convergence", drill="0703")
    copied = page.url
    heading = page.locator("#map-heading").inner_text()

    with watched_page(browser, live_server) as fresh:
        fresh.goto(copied)
        _wait_for_map(fresh, "0703", 1)
        assert _breadcrumb(fresh) == "Lao PDR Houaphan Hiem"
        assert fresh.locator("#map-heading").inner_text() == heading
        assert fresh.locator("#shell-province-value").inner_text().strip() == "Houaphan"
        assert fresh.locator("#map-view input[value='convergence']").is_checked()
        screenshot(fresh, "share_4_copied_link_fresh_context")


def test_overview_card_opens_its_trend_with_indicator_and_place(page):
    page.goto(page.base_url + "/?scope=07&period=2025-11&lang=en")
    _wait_for_text(page, "#overview-title", "Houaphan")
    assert "November 2025" in page.locator("#overview-title").inner_text()
    screenshot(page, "share_5_overview_deep_link")
    page.locator('[id*="overview-card-link"][id*="compliance"]').click()
    page.wait_for_url(re.compile(r"/trends\?"), timeout=90_000)
    _wait_for_query(page, scope="07", period="2025-11", indicator="CCT_COMPLY_ALL")
    _wait_for_text(page, "#trends-title", "Houaphan")
    _wait_for_class(page, "#trends-card-compliance", "view-focus")
    assert page.locator("#shell-period-value").inner_text().strip() == "November 2025"
    # The screen the reader lands on (the whole Trends page is long and slow to capture).
    page.screenshot(path=str(SCREENSHOT_DIR / "share_6_trend_of_the_card.png"))

    # The stunting card chooses the survey indicator; a link naming another survey chooses that one.
    page.go_back()
    page.locator('[id*="overview-card-link"][id*="stunting"]').click()
    _wait_for_query(page, indicator="STUNTING", scope="07")
    page.goto(page.base_url + "/trends?scope=07&period=2025-11&indicator=WASTING&lang=en")
    _wait_for_class(page, "#trends-card-survey", "view-focus")
    assert page.locator("#trends-survey-indicator input[value='WASTING']").is_checked()


@pytest.mark.parametrize("query", [
    "scope=99&period=2099-13&indicator=NOPE&view=x&drill=9999",
    "scope=%3Cscript%3Ealert(1)%3C%2Fscript%3E&period=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E&lang=%22%3E",
    "scope=07';--&drill=07%00&indicator=" + "A" * 500,
])
def test_hostile_or_unknown_values_give_the_default_view(page, query):
    page.goto(page.base_url + "/map?lang=en")
    _wait_for_map(page, "", 18)
    default_heading = page.locator("#map-heading").inner_text()
    page.goto(page.base_url + "/map?" + query)
    _wait_for_map(page, "", 18)
    assert _breadcrumb(page) == "Lao PDR"
    assert page.locator("#map-heading").inner_text() == default_heading
    # Nothing of the link is echoed: the address is rewritten with valid values only.
    _wait_for_query(page, scope="00", drill=None)
    assert "script" not in page.url and "img" not in page.url and "NOPE" not in page.url
    assert not page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length")
