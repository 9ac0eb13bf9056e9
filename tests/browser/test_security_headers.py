"""Every page under the Content-Security-Policy with zero violations; the chart toolbar keeps data on the host."""
import re

import pytest
from conftest import screenshot

pytestmark = pytest.mark.browser

PAGES = ["/", "/map", "/targets", "/trends", "/districts", "/phase2", "/import", "/about"]
# Collected in the page itself: Chromium reports a blocked script, style, image or worker here
# even when it writes nothing to the console.
COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
    window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});
"""
MAP_READY = """() => {
    const gd = document.querySelector('#map-graph .js-plotly-plot');
    return !!(gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot
              && gd._fullLayout.map._subplot.map.loaded());
}"""
TITLES = "() => Array.from(document.querySelectorAll('.modebar-btn')).map(button => button.getAttribute('data-title'))"


def _open(page, path: str):
    page.add_init_script(COLLECT_VIOLATIONS)
    response = page.goto(page.base_url + path)
    page.wait_for_load_state("networkidle")
    return response


def _violations(page) -> list:
    return page.evaluate("() => window.__cspViolations")


@pytest.mark.parametrize("lang", ["en", "lo"])
@pytest.mark.parametrize("path", PAGES)
def test_page_runs_under_the_policy_without_a_violation(page, path, lang):
    response = _open(page, f"{path}?lang={lang}")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    page.wait_for_selector("#_pages_content > *", timeout=20_000)
    if path == "/map":
        page.wait_for_function(MAP_READY, timeout=60_000)  # MapLibre's blob: workers are running
    if page.locator(".js-plotly-plot").count():
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20_000)
    page.wait_for_timeout(500)
    assert _violations(page) == []
    # leaving the `page` fixture fails on any console error (CSP reports land there too)


def test_the_policy_is_enforced_not_only_sent(browser, live_server):
    """An inline script without the nonce is blocked and reported: the checks above can fail."""
    context = browser.new_context()
    page = context.new_page()
    page.base_url = live_server.url
    _open(page, "/about")
    page.evaluate("""() => { const script = document.createElement('script');
                             script.textContent = 'window.__injected = true'; document.body.appendChild(script); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__injected === undefined")
    assert any(violation.startswith("script-src") for violation in _violations(page))
    context.close()


def test_toolbar_has_no_share_button_and_speaks_lao(page):
    # Trends charts download as images made on the server (their own PNG/SVG buttons), so
    # their toolbar has no camera; the rest of it speaks Lao and nothing leaves the host.
    _open(page, "/trends?lang=lo")
    page.wait_for_selector(".js-plotly-plot .modebar-btn", state="attached", timeout=60_000)
    graph = page.locator(".js-plotly-plot").first
    graph.scroll_into_view_if_needed()
    graph.hover()
    page.wait_for_timeout(300)
    titles = set(page.evaluate(TITLES))
    assert "ປັບຂະໜາດອັດຕະໂນມັດ" in titles and "ຂະຫຍາຍເຂົ້າ" in titles
    assert all(re.search("[\u0e80-\u0eff]", title) for title in titles), titles
    assert page.locator('.modebar-btn[data-title*="Share"]').count() == 0
    assert page.locator(".modebar-btn--logo").count() == 0
    screenshot(page, "toolbar-lo")

    # Every chart now has its own PNG / SVG buttons (images made on the server): the Phase II score
    # chart's PNG downloads under the policy, named by place and period, with no camera left.
    _open(page, "/phase2?lang=lo")
    button = page.locator("#phase2-breakdown-image-png")
    button.wait_for(state="visible", timeout=60_000)
    page.wait_for_selector("#phase2-breakdown .js-plotly-plot", timeout=60_000)
    assert page.locator('#phase2-breakdown .modebar-btn[data-title="ດາວໂຫຼດແຜນພູມເປັນຮູບ PNG"]').count() == 0
    with page.expect_download(timeout=120_000) as download:
        button.click()
    assert download.value.suggested_filename.endswith("_phase2-scores.png")
    assert _violations(page) == []


def test_english_toolbar_has_no_share_or_cloud_action(page):
    _open(page, "/map?lang=en")
    page.wait_for_function(MAP_READY, timeout=60_000)
    titles = set(page.evaluate(TITLES))
    # the map downloads through its own PNG / SVG buttons (with its title and place drawn in): no camera
    assert "Reset view" in titles and "Download plot as a PNG" not in titles
    assert not [title for title in titles if re.search("share|cloud|chart studio", title, re.IGNORECASE)]
    config = page.evaluate("() => document.querySelector('#map-graph .js-plotly-plot')._context")
    assert config["showSendToCloud"] is False and config["plotlyServerURL"] == ""
