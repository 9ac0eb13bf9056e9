"""Payment delay as a mission member reads it: the same number, parts and rule on Overview, Targets and Trends."""
import datetime as dt
import statistics

import pytest
import shapely
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from conftest import screenshot
from geo import levels
from i18n import format_number, format_period, format_value, t

pytestmark = pytest.mark.browser

AS_OF = "2022-11"
PROVINCE, PROVINCE_NAME = "07", "Houaphan"
DELAY_NAME = "Payment delay (days from compliance verification to payment, waiting cycles included)"


def _recompute(url: str, prefix: str) -> dict:
    """The page's rule applied with plain SQL to the place's payment_cycle rows (SQLite), Nov 2022."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT CASE WHEN paid_on <= :last THEN julianday(paid_on) ELSE julianday(:last) END
                       - julianday(verified_on) AS waited,
                   CASE WHEN paid_on <= :last THEN 0 ELSE 1 END AS is_open, beneficiaries
            FROM payment_cycle
            WHERE district_code LIKE :prefix AND verified_on <= :last AND (paid_on IS NULL OR paid_on >= :first)
        """), {"prefix": prefix + "%", "first": dt.date(2022, 11, 1), "last": dt.date(2022, 11, 30)}).all()
    engine.dispose()
    open_rows = [row for row in rows if row.is_open]
    return {"delay": statistics.median(row.waited for row in rows) if rows else None, "n_open": len(open_rows),
            "waiting": sum(row.beneficiaries for row in open_rows),
            "longest": max((row.waited for row in open_rows), default=None)}


@pytest.fixture
def recomputed(sqlite_demo_url) -> dict:
    return _recompute(sqlite_demo_url, PROVINCE)


def _choose(page, dropdown_id: str, option: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-search").fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"#{dropdown_id}-value")).to_have_text(option)


def _settled(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")


def _houaphan_in_november(page, title_id: str) -> None:
    _choose(page, "shell-period", format_period(AS_OF, "en"))
    _choose(page, "shell-province", PROVINCE_NAME)
    page.wait_for_function(
        f"() => {{ const el = document.querySelector('#{title_id}');"
        f" return el && el.innerText.includes('{PROVINCE_NAME}'); }}", timeout=20000)
    _settled(page)


def test_overview_targets_and_trends_give_the_same_payment_delay(page, recomputed):
    shown = format_value(recomputed["delay"], "days", "en")
    # "Still waiting: cycles 3, beneficiaries 1,774, longest wait 52 days" (the median is checked elsewhere)
    open_part = t("payments.open_part", "en", count=recomputed["n_open"],
                  people=format_number(recomputed["waiting"], "en"), longest=format_number(recomputed["longest"], "en"),
                  median="").split(", median")[0]

    page.goto(page.base_url + "/?lang=en")
    page.wait_for_selector('[id*="overview-card-value"]')
    _houaphan_in_november(page, "overview-title")
    card = page.locator('[id*="overview-card-value"][id*="delay"]')
    expect(card).to_have_text(shown)
    body = page.locator(".headline-card", has=card)
    expect(body).to_contain_text(open_part)
    expect(body).to_contain_text("Paid in November 2022")
    rule = page.locator("#overview-delay-rule")
    expect(rule.locator("div")).to_be_hidden()
    rule.locator("summary").click()
    expect(rule).to_contain_text(t("payments.rule", "en"))
    screenshot(page, "payment-delay-overview-houaphan-2022-11-en")

    page.goto(page.base_url + "/targets?lang=en")
    expect(page.locator("#targets-grid .ag-row").first).to_be_visible(timeout=30000)
    _houaphan_in_november(page, "targets-scope")
    actual = page.locator("#targets-grid .ag-row[row-id='CCT_PAY_DELAY'] .ag-cell[col-id='actual']")
    expect(actual).to_have_text(shown)
    expect(page.locator("#targets-delay-rule")).to_contain_text(t("payments.rule", "en"))
    page.keyboard.press("Escape")  # close the place list the search left open
    screenshot(page, "payment-delay-targets-houaphan-2022-11-en")

    page.goto(page.base_url + "/trends?lang=en")
    page.wait_for_selector('[id*="trends-fact"]')
    _houaphan_in_november(page, "trends-title")
    expect(page.locator('[id*="trends-fact"][id*="median_delay"]')).to_have_text(shown)
    expect(page.locator("#trends-delay-parts")).to_contain_text(open_part)
    page.locator("#trends-delay-rule summary").click()
    expect(page.locator("#trends-delay-rule")).to_contain_text(t("payments.rule", "en"))
    page.locator("#trends-pipeline-summary").scroll_into_view_if_needed()
    screenshot(page, "payment-delay-trends-houaphan-2022-11-en")


def test_the_overview_card_in_lao_says_the_rule_in_lao(page):
    page.goto(page.base_url + "/?lang=lo")
    page.wait_for_selector('[id*="overview-card-value"]')
    _settled(page)
    rule = page.locator("#overview-delay-rule")
    expect(rule.locator("summary")).to_have_text(t("payments.rule_label", "lo"))
    rule.locator("summary").click()
    expect(rule).to_contain_text(t("payments.rule", "lo"))
    screenshot(page, "payment-delay-overview-national-lo")


def test_the_map_colours_districts_on_the_wait_and_its_hover_names_the_open_cycles(page, sqlite_demo_url):
    page.goto(page.base_url + "/map?lang=en")
    page.wait_for_selector("#map-graph .js-plotly-plot")
    _houaphan_in_november(page, "map-breadcrumb")
    page.locator("#map-indicator").click()
    page.get_by_role("option", name=DELAY_NAME).click()
    page.wait_for_function("() => document.querySelector('#map-heading').textContent.includes('Payment delay')"
                           " && document.querySelector('#map-heading').textContent.includes('November 2022')")
    _settled(page)
    drawn = page.evaluate("""() => { const trace = document.querySelector('#map-graph .js-plotly-plot').data[0];
                                     return trace.locations.map((code, i) => [code, trace.z[i], trace.customdata[i][2]]); }""")
    checked = 0
    for code, _, hover in drawn:
        expected = _recompute(sqlite_demo_url, code)
        if expected["delay"] is None:
            assert "Still waiting" not in (hover or ""), code
            continue
        checked += 1
        if expected["n_open"]:
            assert f"Still waiting: cycles {expected['n_open']}, beneficiaries " \
                   f"{format_number(expected['waiting'], 'en')}" in hover, code
        else:
            assert "Still waiting: no cycle" in hover, code
    assert checked >= 2
    # Point at the district that waits longest, as a person would, and read the same parts.
    worst = max((row for row in drawn if row[1] is not None), key=lambda row: row[1])
    point = shapely.point_on_surface(levels.layer("district", "province", worst[0]).geometry.iloc[0])
    x, y = page.evaluate("""([lon, lat]) => {
        const map = document.querySelector('#map-graph .js-plotly-plot')._fullLayout.map._subplot.map;
        const p = map.project([lon, lat]); const box = map.getCanvasContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y]; }""", [point.x, point.y])
    page.mouse.move(x, y)
    hover = page.locator("#map-graph .hoverlayer .hovertext").first
    expect(hover).to_contain_text("Still waiting")
    screenshot(page, "payment-delay-map-houaphan-2022-11-en")
