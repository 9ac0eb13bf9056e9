"""Map page in a browser: drill province -> district -> village by clicking, breadcrumb, hover, legend, downloads."""
import csv
import io
import json

import pytest
import shapely
from conftest import screenshot

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
# Codes drawn by the map's data trace: polygons' locations, or points' customdata[0].
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
LEGEND = f"Array.from(document.querySelectorAll('{GRAPH} .colorbar text')).map(node => node.textContent)"


def _inside(level: str, zoom: str, code: str) -> tuple[float, float]:
    shape = levels.layer(level, zoom, code).geometry.iloc[0]
    point = shapely.point_on_surface(shape)
    return point.x, point.y


def _wait_for_map(page, codes_prefix: str, count_at_least: int = 1) -> None:
    page.wait_for_function(
        f"""() => {{ const codes = ({DRAWN_CODES})();
                    return codes.length >= {count_at_least} && codes.every(code => code.startsWith('{codes_prefix}')); }}""",
        timeout=20_000)
    page.wait_for_function(MAP_READY, timeout=20_000)


def _hover(page, lon: float, lat: float) -> str:
    x, y = page.evaluate(PIXEL, [lon, lat])
    page.mouse.move(x, y)
    page.wait_for_timeout(100)
    hover = page.locator("#map-graph .hoverlayer .hovertext").first
    hover.wait_for(timeout=5_000)
    return hover.text_content()


def _click(page, lon: float, lat: float) -> None:
    _hover(page, lon, lat)
    x, y = page.evaluate(PIXEL, [lon, lat])
    page.mouse.click(x, y)


def _breadcrumb(page) -> str:
    return " ".join(page.locator("#map-breadcrumb li:not([hidden])").all_inner_texts())


def test_drill_down_by_clicking_and_back_in_english(page):
    page.goto(page.base_url + "/map?lang=en")
    _wait_for_map(page, "", 18)
    page.wait_for_function("() => document.querySelector('#map-heading').textContent.includes('by province')")
    legend = page.evaluate(LEGEND)
    assert "no data" in legend and "90–100 %" in legend and "Percent" in legend
    assert _breadcrumb(page) == "Lao PDR"
    assert page.locator("#map-back").is_disabled()

    houaphan = _inside("province", "national", "07")
    hover = _hover(page, *houaphan)
    assert "ຫົວພັນ" in hover and "Houaphan" in hover
    assert "Compliance with all CCT conditions:" in hover and "%" in hover
    assert "Numerator / denominator:" in hover and "Period: December 2025" in hover
    assert "Reporting:" in hover and "villages" in hover
    screenshot(page, "map_en_1_provinces")

    _click(page, *houaphan)
    _wait_for_map(page, "07", 10)
    page.wait_for_function("() => document.querySelector('#map-heading').textContent.includes('by district')")
    assert _breadcrumb(page) == "Lao PDR Houaphan"
    hiem = _inside("district", "province", "0703")
    hover = _hover(page, *hiem)
    assert "Hiem" in hover and "ຫ້ຽມ" in hover
    screenshot(page, "map_en_2_districts")

    _click(page, *hiem)
    _wait_for_map(page, "0703", 6)
    page.wait_for_function("() => document.querySelector('#map-heading').textContent.includes('by village')")
    assert _breadcrumb(page) == "Lao PDR Houaphan Hiem"
    # A village with a value (class > 0) and one without (grey, "no data").
    with_value, without = page.evaluate(f"""() => {{
        const t = document.querySelector('{GRAPH}')._fullData[1];
        const colours = Array.from(t.marker.color);
        return [colours.findIndex(c => c > 0), colours.findIndex(c => c === 0)].map(i => i < 0 ? null : [t.lon[i], t.lat[i]]);
    }}""")
    hover = _hover(page, *with_value)
    assert "(demo)" in hover and "(ຕົວຢ່າງ)" in hover and "Period: December 2025" in hover
    if without is not None:
        assert "no data" in _hover(page, *without)
    assert "Each point is a village." in page.locator("#map-notes").inner_text()
    screenshot(page, "map_en_3_villages")

    page.click("#map-back")
    _wait_for_map(page, "07", 10)
    assert _breadcrumb(page) == "Lao PDR Houaphan"
    page.click("#map-crumb-national")
    _wait_for_map(page, "", 18)
    assert _breadcrumb(page) == "Lao PDR"


def test_drill_follows_the_shared_filter_then_convergence_and_download(page):
    page.goto(page.base_url + "/map?lang=en")
    _wait_for_map(page, "", 18)
    page.locator("#shell-province").click()
    page.get_by_role("option", name="Houaphan").click()
    _wait_for_map(page, "07", 10)
    assert _breadcrumb(page) == "Lao PDR Houaphan"

    # Another month over the same districts: only values travel (a Patch), not the geometry.
    with page.expect_response(lambda response: "_dash-update-component" in response.url
                              and "map-graph.figure" in (response.request.post_data or "")) as response_info:
        page.locator("#shell-period").click()
        page.get_by_role("option", name="November 2025").click()
    body = response_info.value.text()
    assert "__dash_patch_update" in body
    # No district polygons, no context outlines: the whole figure is about 150 kB.
    assert '"locations"' not in body and '"Feature","id"' not in body and len(body) < 40_000
    page.wait_for_function("() => document.querySelector('#map-heading').textContent.includes('November 2025')")
    assert _breadcrumb(page) == "Lao PDR Houaphan"
    page.locator("#shell-period").click()
    page.get_by_role("option", name="December 2025").click()
    page.wait_for_function("() => document.querySelector('#map-heading').textContent.includes('December 2025')")

    page.get_by_text("Convergence: projects per village").click()
    page.wait_for_function("() => document.querySelector('#map-heading').textContent.includes('Projects reaching each village')")
    _wait_for_map(page, "07", 10)
    legend = page.evaluate(LEGEND)
    assert "none" in legend and "all 5" in legend and "Projects" in legend
    assert page.locator("#map-indicator").get_attribute("class") is not None
    table = page.locator("#map-convergence-table table")
    table.wait_for(timeout=10_000)
    assert "Reached by all 5" in table.inner_text() and "Hiem" in table.inner_text()
    assert page.locator("#map-convergence-chart .bars path").count() > 0
    hover = _hover(page, *page.evaluate(
        f"() => {{ const t = document.querySelector('{GRAPH}')._fullData.at(-1); return [t.lon[0], t.lat[0]]; }}"))
    assert "Reached by" in hover and "projects" in hover
    screenshot(page, "map_en_4_convergence")

    with page.expect_download() as download_info:
        page.click("#map-download-csv")
    download = download_info.value
    assert download.suggested_filename == "Houaphan_2025-12_convergence.csv"
    content = open(download.path(), encoding="utf-8").read()
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert rows[0][:4] == ["code", "level", "name (English)", "name (Lao)"]
    assert "RRPM reaches (1 = yes)" in rows[0]
    assert len(rows) > 1 and all(row[0].startswith("07") for row in rows[1:])

    page.get_by_text("Indicator values").click()
    _wait_for_map(page, "07", 10)
    with page.expect_download() as download_info:
        page.click("#map-download-geojson")
    assert download_info.value.suggested_filename == "Houaphan_2025-12_CCT-COMPLY-ALL.geojson"
    collection = json.load(open(download_info.value.path(), encoding="utf-8"))
    features = {feature["id"]: feature for feature in collection["features"]}
    assert set(features) == set(levels.layer("district", "district", "07")["code"])
    assert features["0703"]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert {"value", "numerator", "denominator", "name_lo", "n_reporting"} <= set(features["0703"]["properties"])

    # Choosing a district in the shared filter opens its villages.
    page.locator("#shell-district").click()
    page.get_by_role("option", name="Hiem").click()
    _wait_for_map(page, "0703", 6)
    assert _breadcrumb(page) == "Lao PDR Houaphan Hiem"


def test_map_in_lao(page):
    page.goto(page.base_url + "/map?lang=lo")
    _wait_for_map(page, "", 18)
    legend = page.evaluate(LEGEND)
    assert "ບໍ່ມີຂໍ້ມູນ" in legend and "ສ່ວນຮ້ອຍ" in legend
    assert _breadcrumb(page) == "ສປປ ລາວ"
    houaphan = _inside("province", "national", "07")
    hover = _hover(page, *houaphan)
    assert hover.index("ຫົວພັນ") < hover.index("Houaphan")
    assert "ຕົວເສດ / ຕົວພູດ:" in hover and "ໄລຍະເວລາ:" in hover
    screenshot(page, "map_lo_1_provinces")
    _click(page, *houaphan)
    _wait_for_map(page, "07", 10)
    assert _breadcrumb(page) == "ສປປ ລາວ ຫົວພັນ"
    _click(page, *_inside("district", "province", "0703"))
    _wait_for_map(page, "0703", 6)
    assert _breadcrumb(page) == "ສປປ ລາວ ຫົວພັນ ຫ້ຽມ"
    screenshot(page, "map_lo_2_villages")
    page.get_by_text("ການລວມສູນ: ຈຳນວນໂຄງການຕໍ່ບ້ານ").click()
    page.locator("#map-convergence-table table").wait_for(timeout=10_000)
    _wait_for_map(page, "0703", 6)
    legend = page.evaluate(LEGEND)
    assert "ບໍ່ມີ" in legend and "ທັງ 5 ໂຄງການ" in legend
    screenshot(page, "map_lo_3_convergence")
