"""Alerts as a ministry leader reads them: first on the Overview, one sentence with its number, a link
that lands on the view showing the same number, and a count in the navbar."""
import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from conftest import screenshot
from data_access.queries.targets import progress_table
from i18n import format_number, format_period, format_value, t

pytestmark = pytest.mark.browser

AS_OF = "2022-11"
LAST = dt.date(2022, 11, 30)


def _open_cycles(url: str, prefix: str) -> dict:
    """Plain SQL over payment_cycle: cycles verified by 30 Nov 2022 and unpaid then, their longest wait."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("""
            SELECT julianday(:last) - julianday(verified_on) AS waited, beneficiaries FROM payment_cycle
            WHERE district_code LIKE :prefix AND verified_on <= :last AND (paid_on IS NULL OR paid_on > :last)
        """), {"prefix": prefix + "%", "last": LAST}).all()
    engine.dispose()
    return {"longest": max(row.waited for row in rows), "n_open": len(rows),
            "waiting": sum(row.beneficiaries for row in rows)}


def _choose(page, dropdown_id: str, option: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-search").fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"#{dropdown_id}-value")).to_have_text(option)


def _settled(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")


def _overview_in_november(page, province_name: str | None) -> None:
    page.goto(page.base_url + "/?lang=en")
    page.wait_for_selector('[id*="overview-card-value"]')
    _choose(page, "shell-period", format_period(AS_OF, "en"))
    if province_name:
        _choose(page, "shell-province", province_name)
    expected = f"{province_name or t('common.national', 'en')}, as of {format_period(AS_OF, 'en')}"
    expect(page.locator("#overview-title")).to_have_text(expected, timeout=20000)
    _settled(page)


@pytest.mark.parametrize("province, name", [(None, None), ("07", "Houaphan")])
def test_the_payment_alert_leads_to_the_same_number(page, sqlite_demo_url, province, name):
    cycles = _open_cycles(sqlite_demo_url, province or "")
    days = format_value(cycles["longest"], "days", "en")
    _overview_in_november(page, name)

    alerts = page.locator("#overview-alerts .alert-item")
    expect(alerts.first).to_be_visible()
    # The alerts come before the cards, and the navbar counts them.
    first_alert = page.locator("#overview-alerts").bounding_box()
    first_card = page.locator("#overview-card-row").bounding_box()
    assert first_alert["y"] < first_card["y"]
    expect(page.locator("#shell-alert-badge")).to_have_text(format_number(alerts.count(), "en"))

    payment = page.locator("#overview-alerts .alert-item[data-rule='payment_wait']")
    expect(payment).to_have_count(1)
    expect(payment).to_contain_text(days)
    expect(payment).to_contain_text(f"{format_number(cycles['n_open'], 'en')} payment cycles verified and still unpaid")
    severity = next(level for level, limit in (("critical", 90), ("serious", 60), ("warning", 30))
                    if cycles["longest"] > limit)
    expect(payment.locator(".alert-severity")).to_have_text(t(f"alerts.severity_{severity}", "en"))
    screenshot(page, f"alerts-overview-{province or 'national'}-2022-11-en")

    payment.locator("a.alert-link").click()
    page.wait_for_url("**/trends?*")
    assert f"period={AS_OF}" in page.url and f"scope={province or '00'}" in page.url and "province=" not in page.url
    parts = page.locator("#trends-delay-parts")
    open_part = t("payments.open_part", "en", count=cycles["n_open"], people=format_number(cycles["waiting"], "en"),
                  longest=format_number(cycles["longest"], "en"), median="").split(", median")[0]
    expect(parts).to_contain_text(open_part, timeout=20000)
    expect(page.locator("#trends-title")).to_contain_text(name or t("common.national", "en"))
    _settled(page)
    parts.scroll_into_view_if_needed()
    screenshot(page, f"alerts-trends-{province or 'national'}-2022-11-en")


def test_cards_say_their_status_and_change_and_the_rules_are_listed(page, sqlite_demo_url):
    engine = create_engine(sqlite_demo_url)
    with engine.connect() as conn:
        statuses = progress_table(conn, None, AS_OF).set_index("indicator_code")["status"].to_dict()
    engine.dispose()
    _overview_in_november(page, None)
    delay_card = page.locator("[id*='overview-card'][id*='delay'].headline-card")
    expect(delay_card.locator(".card-status")).to_have_text(t(f"targets.status_{statuses['CCT_PAY_DELAY']}", "en"))
    expect(page.locator("[id*='overview-card-change'][id*='registered']")).to_contain_text("since October 2022")
    expect(page.locator("[id*='overview-card-change'][id*='stunting']")).to_be_visible()

    about = page.locator("#overview-alerts-about")
    about.locator("summary").click()
    expect(about.locator("tr[data-rule='payment_wait']")).to_contain_text("Warning: more than 30 days")
    expect(about.locator("tr[data-rule='payment_wait']")).to_contain_text("Critical: more than 90 days")
    expect(about.locator("tr[data-rule='district_silent']")).to_contain_text("3 months or more")
    screenshot(page, "alerts-about-national-2022-11-en")


def test_alerts_in_lao(page):
    page.goto(page.base_url + "/?lang=lo")
    page.wait_for_selector("#overview-alerts")
    _settled(page)
    expect(page.locator("#overview-alerts h2")).to_have_text(t("alerts.title", "lo"))
    screenshot(page, "alerts-overview-national-lo")
