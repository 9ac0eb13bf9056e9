"""An administrator on this machine changes a threshold; the Overview's alert follows at once."""
import re

import pytest
from playwright.sync_api import expect

from conftest import screenshot
from data_access.alerts import DEFAULT_RULES
from data_access.alert_settings import save_alert_rules
from data_access.database import make_engine
from i18n import format_period, t

pytestmark = pytest.mark.browser


@pytest.fixture
def restore_defaults(sqlite_demo_url):
    """The demo database is shared by every browser test: put the defaults back whatever happens."""
    yield
    engine = make_engine(sqlite_demo_url)
    save_alert_rules(engine, {code: {"warning": r.warning, "serious": r.serious, "critical": r.critical,
                                     "enabled": r.enabled} for code, r in DEFAULT_RULES.items()})
    engine.dispose()


def _choose(page, dropdown_id: str, option: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-search").fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"#{dropdown_id}-value")).to_have_text(option)


def test_raising_the_critical_threshold_changes_the_alert(page, restore_defaults):
    page.goto(page.base_url + "/?lang=en")
    page.wait_for_selector('[id*="overview-card-value"]')
    _choose(page, "shell-period", format_period("2022-11", "en"))
    payment = page.locator("#overview-alerts .alert-item[data-rule='payment_wait']")
    expect(payment.locator(".alert-severity")).to_have_text("Critical", timeout=20000)
    expect(page.locator("#shell-alert-badge")).to_have_class(re.compile(r"\bbg-danger\b"))

    page.locator("#overview-alerts-about summary").click()
    page.locator("#overview-alerts-about-edit").click()
    page.wait_for_url("**/alert-rules")
    critical = page.locator("tr[data-rule='payment_wait'] input[type='number']").nth(2)
    expect(critical).to_have_value("90")
    critical.fill("200")
    critical.press("Tab")
    page.locator("#alert-rules-save").click()
    expect(page.locator("#alert-rules-message")).to_have_text(t("alert_rules.saved", "en", count=len(DEFAULT_RULES)))
    screenshot(page, "alert-rules-saved-en")

    page.locator("#nav-overview").click()
    expect(payment.locator(".alert-severity")).to_have_text("Serious", timeout=20000)
    # The navbar count is coloured by the worst alert: no critical one is left.
    expect(page.locator("#shell-alert-badge")).not_to_have_class(re.compile(r"\bbg-danger\b"))
    expect(payment).to_contain_text("(more than 60 days)")
    page.locator("#overview-alerts-about summary").click()
    expect(page.locator("#overview-alerts-about tr[data-rule='payment_wait']")).to_contain_text(
        "Critical: more than 200 days")
    screenshot(page, "alert-rules-overview-after-en")
