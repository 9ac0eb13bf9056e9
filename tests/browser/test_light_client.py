"""Light on a poor link: a repeat visit downloads almost nothing, and a graph that waits says so."""
import json
import time

import pytest

from conftest import LiveServer, PageWatch, screenshot
from dashboard.cli_bench_first_visit import DRAWN, visit

pytestmark = pytest.mark.browser

REPEAT_VISIT_BUDGET = 100_000  # bytes, issue 15
SLOW_SECONDS = 8.0  # long enough to be seen on a busy machine


def _poll_steady(page, predicate: str, seconds: float, steady: float) -> None:
    """Wait until the predicate has been truthy for `steady` seconds in a row."""
    deadline = time.monotonic() + seconds
    since = None
    while time.monotonic() < deadline:
        if page.evaluate(predicate):
            since = since or time.monotonic()
            if time.monotonic() - since >= steady:
                return
        else:
            since = None
        page.wait_for_timeout(100)
    raise AssertionError(f"never steadily true within {seconds} s: {predicate}")


@pytest.mark.parametrize("path", ["/", "/targets"])
def test_a_repeat_visit_downloads_under_100_kB(browser, live_server, path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        first = visit(context, f"{live_server.url}{path}?lang=en", timeout=60)
        repeat = visit(context, f"{live_server.url}{path}?lang=en", timeout=60)
        page = context.new_page()
        watch = PageWatch(page, live_server.url)
        page.goto(f"{live_server.url}{path}?lang=en")
        page.wait_for_function(DRAWN, timeout=60000)
        screenshot(page, f"light-client-repeat-visit{path.replace('/', '-') or '-overview'}")
        page.close()
    finally:
        context.close()
    assert first["drawn_ms"] and repeat["drawn_ms"], (first, repeat)
    assert not first["errors"] and not repeat["errors"], (first["errors"], repeat["errors"])
    watch.assert_clean()
    # The first visit really downloaded the scripts (plotly.js alone is ~800 kB), so the count works.
    assert first["bytes"] > 1_000_000, first
    assert repeat["bytes"] <= REPEAT_VISIT_BUDGET, repeat
    # What was not downloaded again was answered by the cache or with a 304, not skipped.
    assert repeat["from_cache"] + repeat["not_modified"] >= 10, repeat


def test_the_partial_plotly_bundle_draws_the_map(page):
    page.goto(page.base_url + "/?lang=en")
    _poll_steady(page, DRAWN, seconds=60.0, steady=2.0)
    loaded = page.evaluate("() => ({version: window.Plotly.version, traces: Object.keys(window.Plotly.PlotSchema.get().traces)})")
    assert loaded["version"] == "4.1.1"
    assert sorted(loaded["traces"]) == ["bar", "choroplethmap", "heatmap", "scatter", "scattermap"]
    assert _rendered_polygons(page) > 0


def _rendered_polygons(page, graph: str = "#overview-map") -> int:
    """How many features MapLibre has drawn in the map of `graph`."""
    return page.evaluate("""(graph) => {
        const gd = document.querySelector(graph + ' .js-plotly-plot');
        return gd._fullLayout.map._subplot.map.queryRenderedFeatures().length;
    }""", graph)


def _waits_visibly_then_release(page, held: list, marker: str, name: str) -> dict:
    """With one file held back (`held`: its routes): the element `marker` shows the loading overlay and the
    page is not counted as drawn; then the file is let through. Returns the overlay as it was."""
    _poll(page, f"() => !!document.querySelector({json.dumps(marker)})")
    page.wait_for_timeout(600)  # the overlay appears after 250 ms
    waiting = _overlay(page, marker)
    screenshot(page, name)
    assert waiting["content"] == '"Loading…"' and waiting["visibility"] == "visible", waiting
    assert not page.evaluate(DRAWN)  # not counted as drawn
    assert len(held) == 1
    held[0].continue_()
    return waiting


def test_maplibre_comes_only_with_a_map_and_the_map_says_it_waits_for_it(page):
    """MapLibre (280 kB compressed) is fetched by the first map drawn, never by a page without one."""
    maplibre_requests = []
    page.on("request", lambda request: "plotly-maplibre" in request.url and maplibre_requests.append(request.url))
    held = []
    page.goto(f"{page.base_url}/targets?lang=en")
    page.wait_for_function(DRAWN, timeout=60000)
    assert page.evaluate("() => document.querySelectorAll('#_pages_content .js-plotly-plot').length") >= 1
    assert maplibre_requests == [] and page.evaluate("() => window.__dashboardMaplibre === undefined")
    # Held back, as on a slow link: the map shows the loading state meanwhile, then draws.
    page.route("**/plotly-maplibre.min.js*", lambda route: held.append(route))
    page.goto(f"{page.base_url}/?lang=en")
    _waits_visibly_then_release(page, held, "#overview-map .js-plotly-plot[data-maplibre-loading]",
                                "light-client-map-waits-for-maplibre")
    page.wait_for_function(DRAWN, timeout=60000)
    assert _rendered_polygons(page) > 0
    assert _overlay(page, "#overview-map .js-plotly-plot")["content"] == "none"
    assert len(maplibre_requests) == 1


def test_ag_grid_comes_only_with_a_table_and_the_table_says_it_waits_for_it(page):
    """AG Grid's bundle (284 kB compressed) is fetched by the first table shown, not by every page."""
    grid_requests = []
    page.on("request", lambda request: "/dash_ag_grid/" in request.url and grid_requests.append(request.url))
    held = []
    page.goto(f"{page.base_url}/?lang=en")
    _poll_steady(page, DRAWN, seconds=60.0, steady=2.0)  # every chart drawn before the page is left
    assert grid_requests == []
    page.route("**/dash_ag_grid/dash_ag_grid.*", lambda route: held.append(route))
    # To a page with a table inside the app (the namespace stands in until the bundle is there).
    page.click("a.nav-link[href^='/targets']")
    waiting = _waits_visibly_then_release(page, held, "#_pages_content [data-ag-grid-loading]",
                                          "light-client-table-waits-for-ag-grid")
    assert waiting["height"] > 50, waiting
    page.wait_for_function(DRAWN, timeout=60000)
    page.wait_for_selector("#_pages_content .ag-row", timeout=60000)  # AG Grid's own chunk comes next
    assert page.locator("[data-ag-grid-loading]").count() == 0
    # What the renderer read before the bundle came is what the bundle's AgGrid says.
    statics = page.evaluate("""() => {
        const shim = window.dash_ag_grid.AgGrid, real = window.dash_ag_grid.BundledAgGrid;
        return [JSON.stringify(shim.dashPersistence), JSON.stringify(real.dashPersistence),
                shim.dashRenderType, real.dashRenderType, typeof window.dash_ag_grid.getApi];
    }""")
    assert statics[0] == statics[1] and statics[2] == statics[3] and statics[4] == "function", statics
    # A table on the next page, once the bundle is there, renders at once and fetches nothing more.
    _poll_steady(page, DRAWN, seconds=60.0, steady=2.0)
    page.click("a.nav-link[href^='/districts']")
    page.wait_for_selector("#_pages_content .ag-row", timeout=60000)
    assert page.locator("[data-ag-grid-loading]").count() == 0
    bundles = [url for url in grid_requests if "/dash_ag_grid/dash_ag_grid." in url]
    assert len(bundles) == 1, grid_requests


@pytest.fixture(scope="module")
def slow_overview_server(sqlite_demo_url):
    """The dashboard with the Overview callback slowed down, as on a slow link or a busy server."""
    from dashboard.app import create_app

    from data_access.queries.overview import district_map_data

    app = create_app({"DATABASE_URL": sqlite_demo_url, "CACHE_URL": "simple", "DEFAULT_LANGUAGE": "en"})
    store = app.server.extensions["data_store"]
    read = store.read

    def slow_read(query, *args, **kwargs):
        if query is district_map_data:  # the Overview callback's map query
            time.sleep(SLOW_SECONDS)
        return read(query, *args, **kwargs)

    store.read = slow_read
    with LiveServer(app) as server:
        yield server


def _poll(page, predicate: str, seconds: float = 60.0):
    """The predicate's first truthy value, checked every 100 ms (the machine may be busy)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = page.evaluate(predicate)
        if value:
            return value
        page.wait_for_timeout(100)
    raise AssertionError(f"never true within {seconds} s: {predicate}")


def _overlay(page, selector: str) -> dict:
    return page.evaluate("""(selector) => {
        const element = document.querySelector(selector);
        const after = getComputedStyle(element, '::after');
        const ring = getComputedStyle(element, '::before');
        const box = element.getBoundingClientRect();
        return {content: after.content, visibility: after.visibility, ring: ring.visibility,
                height: box.height, loading: element.getAttribute('data-dash-is-loading')};
    }""", selector)


@pytest.mark.parametrize("lang, label", [("en", "Loading…"), ("lo", "ກຳລັງໂຫຼດ…")])
def test_a_graph_that_waits_shows_a_loading_state_in_the_page_language(browser, slow_overview_server, lang, label):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = PageWatch(page, slow_overview_server.url)
    try:
        page.goto(f"{slow_overview_server.url}/?lang={lang}")
        _poll(page, """() => !!document.querySelector('#overview-map[data-dash-is-loading="true"]')""")
        page.wait_for_timeout(600)  # the overlay appears after 250 ms, so quick updates do not flash
        waiting = _overlay(page, "#overview-map")
        screenshot(page, f"light-client-map-loading-{lang}")
        assert waiting["loading"] == "true"
        assert waiting["content"] == f'"{label}"', waiting
        assert waiting["visibility"] == "visible" and waiting["ring"] == "visible"
        _poll_steady(page, DRAWN, seconds=60.0, steady=2.0)  # both rounds (see the cards' test below)
        done = _overlay(page, "#overview-map")
        assert done["loading"] is None and done["content"] == "none", done
        assert abs(done["height"] - waiting["height"]) < 1  # the overlay moved nothing
        screenshot(page, f"light-client-map-drawn-{lang}")
    finally:
        context.close()
    watch.assert_clean()


def test_the_cards_show_dash_loading_while_they_wait(browser, slow_overview_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = PageWatch(page, slow_overview_server.url)
    try:
        page.goto(f"{slow_overview_server.url}/?lang=en")
        spinner = _poll(page, """() => {
            const spinner = document.querySelector('div:has(> div > #overview-cards) .dash-spinner');
            if (!spinner) return null;
            const box = spinner.getBoundingClientRect();
            return {visibility: getComputedStyle(spinner).visibility, width: box.width};
        }""")
        assert spinner and spinner["visibility"] == "visible" and spinner["width"] > 0, spinner
        # The address then takes the page's place and month and the cards answer again (here slowly too):
        # the spinners show again meanwhile; once everything has answered they are gone for good.
        _poll_steady(page, DRAWN, seconds=60.0, steady=2.0)
        assert page.locator(".dash-spinner").count() == 0
        assert page.locator('[id*="overview-card-value"]').count() >= 4
    finally:
        context.close()
    watch.assert_clean()
