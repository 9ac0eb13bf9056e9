"""Every page on a 390 x 844 phone, in both languages: nothing wider than the screen, a folded navbar,
legends clear of the data, the page title in the reader's language, the filters the page reads."""
from contextlib import contextmanager

import pytest

from conftest import PageWatch, screenshot
from dashboard.pages import page_modules, page_title
from layouts.navigation import FILTER_COLUMN, FILTERS

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Discovered from the page registry, not listed: a page added tomorrow is checked tomorrow.
PAGE_MODULES = page_modules()
PAGES = [module.PAGE for module in PAGE_MODULES]
PAGE_NAMES = [module.__name__.rsplit(".", 1)[-1] for module in PAGE_MODULES]
# The folded navbar: one row of brand, demo label, alert count and menu button (it was 43 % of the screen).
NAVBAR_MAX_HEIGHT = 80

# Callbacks run in waves (page, then the cards, then the charts) with quiet moments between them:
# "settled" must hold for several polls in a row. `_dash-loading-callback` is Dash's own marker of
# callbacks in flight; `.dash-spinner` a dcc.Loading still waiting.
SETTLED = """() => {
    const content = document.querySelector('#_pages_content');
    if (!content || content.childElementCount === 0) return false;
    if (document.querySelector('[data-dash-is-loading="true"], ._dash-loading-callback, .dash-spinner')) return false;
    return [...document.querySelectorAll('.js-plotly-plot')].every(gd => gd._fullLayout);
}"""
QUIET_POLLS = 4

# Elements whose right edge is past the screen and that a reader would see (or scroll to): those
# inside a container that clips or scrolls them (an ag-grid viewport, a chart's SVG, a
# .table-responsive) are inside that container's own scrolling, which is what tables should do.
OVERFLOW = """() => {
    const width = window.innerWidth;
    const clipping = (el) => el instanceof SVGSVGElement
        || ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '');
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (!box.width || !box.height || box.right <= width + 1) continue;
        if (el.checkVisibility && !el.checkVisibility()) continue;  // e.g. inside a closed <details>
        let clipped = false;
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            if (clipping(up) && up.getBoundingClientRect().right <= width + 1) { clipped = true; break; }
        }
        if (!clipped) wide.push(describe(el) + ' right=' + Math.round(box.right));
    }
    return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, wide: wide.slice(0, 12)};
}"""

# Legends and colour bars that overlap a chart's plot area or its axis labels (the compliance
# chart's legend once hid its dates).
LEGEND_OVERLAPS = """() => {
    const meets = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
    const boxes = (root, selector) => [...root.querySelectorAll(selector)].map(el => el.getBoundingClientRect())
        .filter(box => box.width > 0 && box.height > 0);
    const problems = [];
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        if (!gd._fullLayout || !(gd.checkVisibility ? gd.checkVisibility() : gd.offsetParent)) continue;
        const name = (gd.closest('[id]') || {}).id || '?';
        const keys = [...boxes(gd, '.legend .bg'), ...boxes(gd, '.colorbar')];
        const data = [...boxes(gd, '.nsewdrag'), ...boxes(gd, '.xtick text'), ...boxes(gd, '.ytick text'),
                      ...boxes(gd, '.g-xtitle text'), ...boxes(gd, '.g-ytitle text'), ...boxes(gd, '.maplibregl-canvas')];
        for (const key of keys) {
            if (data.some(box => meets(key, box))) { problems.push(name); break; }
        }
    }
    return problems;
}"""


@contextmanager
def phone_page(browser, server):
    """A fresh 390 x 844 page; leaving it fails on console errors or requests off the host."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    page.watch = PageWatch(page, server.url)
    yield page
    context.close()
    page.watch.assert_clean()


def _settle(page, timeout_s: float = 90) -> None:
    page.wait_for_load_state("load")
    quiet, waited = 0, 0.0
    while quiet < QUIET_POLLS:
        quiet = quiet + 1 if page.evaluate(SETTLED) else 0
        page.wait_for_timeout(400)
        waited += 0.4
        assert waited < timeout_s, "the page never settled"
    # Maps zoom out to the phone's width (assets/js/map-fit.js scans every 500 ms).
    page.wait_for_timeout(800)


@pytest.mark.parametrize("lang", ["en", "lo"])
@pytest.mark.parametrize("spec", PAGES, ids=PAGE_NAMES)
def test_page_fits_a_phone(browser, live_server, spec, lang):
    name = PAGE_NAMES[PAGES.index(spec)]
    with phone_page(browser, live_server) as page:
        page.goto(f"{live_server.url}{spec['path']}?lang={lang}")
        _settle(page)
        screenshot(page, f"phone-{name}-{lang}")
        problems = []

        overflow = page.evaluate(OVERFLOW)
        if overflow["scrollWidth"] > overflow["innerWidth"] or overflow["wide"]:
            problems.append(f"wider than the screen: {overflow}")
        navbar = page.locator("#shell-navbar").bounding_box()
        if navbar["height"] > NAVBAR_MAX_HEIGHT:
            problems.append(f"the folded navbar is {navbar['height']:.0f} px high")
        if page.locator("#shell-nav-collapse .nav-link").first.is_visible():
            problems.append("the page links show before the menu is opened")
        overlaps = page.evaluate(LEGEND_OVERLAPS)
        if overlaps:
            problems.append(f"a legend covers the data or the axes of {overlaps}")
        title = page.evaluate("() => document.title")
        if title != page_title(spec["title_key"], lang):
            problems.append(f"document.title is {title!r}, not {page_title(spec['title_key'], lang)!r}")

        # Only the filters the page reads are offered (PAGE["filters"], all three by default).
        wanted = list(spec.get("filters", FILTERS))
        shown = [filter_name for filter_name in FILTERS if page.locator(f"#{FILTER_COLUMN[filter_name]}").is_visible()]
        if shown != wanted:
            problems.append(f"filters shown {shown}, but the page reads {wanted}")
        if not wanted and page.locator("#shell-filter-bar").is_visible():
            problems.append("an empty filter bar is shown")
        assert not problems, f"{spec['path']}?lang={lang}:\n" + "\n".join(problems)


def test_menu_button_opens_the_navbar_and_a_link_closes_it(browser, live_server):
    with phone_page(browser, live_server) as page:
        page.goto(f"{live_server.url}/?lang=en")
        _settle(page)
        toggler = page.locator("#shell-nav-toggler")
        assert toggler.get_attribute("aria-expanded") == "false"
        assert not page.locator("#nav-targets").is_visible()

        toggler.click()
        page.locator("#nav-targets").wait_for(state="visible")
        assert toggler.get_attribute("aria-expanded") == "true"
        assert page.locator("#nav-about").is_visible(), "About belongs in the menu"
        assert page.locator("#shell-lang-lo").is_visible()
        screenshot(page, "phone-menu-open-en")

        page.locator("#nav-targets").click()
        page.wait_for_url(f"{live_server.url}/targets")
        page.locator("#nav-targets").wait_for(state="hidden")
        assert toggler.get_attribute("aria-expanded") == "false"
        assert page.locator("#shell-navbar").bounding_box()["height"] <= NAVBAR_MAX_HEIGHT


def test_map_fits_the_phone_with_its_legend_below(browser, live_server):
    with phone_page(browser, live_server) as page:
        page.goto(f"{live_server.url}/map?lang=en")
        _settle(page)
        page.wait_for_function("""() => {
            const gd = document.querySelector('#map-graph .js-plotly-plot');
            return gd && gd._fullLayout.map && gd._fullLayout.map._subplot.map.loaded();
        }""", timeout=20000)
        # assets/js/map-fit.js zooms out from the server's zoom, framed for a wider map.
        page.wait_for_function("""() => {
            const gd = document.querySelector('#map-graph .js-plotly-plot');
            const map = gd._fullLayout.map._subplot.map;
            return gd._fullLayout.map.zoom < gd.layout.meta.fit.zoom - 0.01 && map.loaded() && !map.isMoving();
        }""", timeout=15000)
        geometry = page.evaluate("""() => {
            const gd = document.querySelector('#map-graph .js-plotly-plot');
            const map = gd._fullLayout.map._subplot.map;
            const canvas = gd.querySelector('.maplibregl-canvas').getBoundingClientRect();
            const bar = gd.querySelector('.colorbar').getBoundingClientRect();
            const [west, south, east, north] = gd.layout.meta.fit.bounds;
            const corners = [[west, south], [east, north]].map(point => map.project(point));
            return {canvas: {left: canvas.left, right: canvas.right, top: canvas.top, bottom: canvas.bottom},
                    bar: {top: bar.top, left: bar.left, right: bar.right}, corners,
                    zoom: gd._fullLayout.map.zoom, serverZoom: gd.layout.meta.fit.zoom};
        }""")
        screenshot(page, "phone-map-fitted-en")
        canvas, bar = geometry["canvas"], geometry["bar"]
        assert bar["top"] >= canvas["bottom"] - 1, f"the legend is not below the map: {geometry}"
        assert canvas["left"] >= 0 and canvas["right"] <= PHONE["width"]
        assert geometry["zoom"] < geometry["serverZoom"], "the map was not zoomed out to the phone's width"
        width = canvas["right"] - canvas["left"]
        (west_x, _), (east_x, _) = [(corner["x"], corner["y"]) for corner in geometry["corners"]]
        assert -2 <= west_x and east_x <= width + 2, f"the places drawn do not fit the map's width: {geometry}"
