"""The Overview's five cards for a province, recomputed from raw rows with plain SQL and read off the page.

Nothing here calls the dashboard's query functions: each figure is rebuilt from the
observation, payment_cycle, survey_round and target_area tables by the rule written on the
page (stocks carried at most 12 months, ratio of sums, the survey round known by the month,
villages reached by all five projects in 12 months, median days waiting including open
cycles). Only the number formatting is shared, since that is what the page displays.
"""
import datetime as dt
import statistics

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from conftest import screenshot
from data_access.periods import add_months, period_end, period_start
from i18n import format_number, format_period, format_value

pytestmark = pytest.mark.browser

PROVINCE, PROVINCE_NAME = "07", "Houaphan"
CAP_MONTHS = 12  # the CARRY_FORWARD_MONTHS default the test demo is built with


def _registered(conn, as_of: str) -> float | None:
    """Each village's latest CCT_REGISTERED report up to as_of, at most CAP_MONTHS old, summed."""
    rows = conn.execute(text("""
        SELECT o.admin_code, o.period, o.value FROM observation o
        JOIN admin_unit a ON a.code = o.admin_code
        WHERE o.indicator_code = 'CCT_REGISTERED' AND a.level = 'village' AND a.province_code = :p
          AND o.value IS NOT NULL AND o.period <= :as_of AND o.period >= :oldest
    """), {"p": PROVINCE, "as_of": as_of, "oldest": add_months(as_of, -CAP_MONTHS)}).all()
    latest: dict[str, tuple[str, float]] = {}
    for code, period, value in rows:
        if code not in latest or period > latest[code][0]:
            latest[code] = (period, float(value))
    return sum(value for _, value in latest.values()) if latest else None


def _compliance(conn, as_of: str) -> float | None:
    numerator, denominator = conn.execute(text("""
        SELECT SUM(o.numerator), SUM(o.denominator) FROM observation o
        JOIN admin_unit a ON a.code = o.admin_code
        WHERE o.indicator_code = 'CCT_COMPLY_ALL' AND a.level = 'village' AND a.province_code = :p
          AND o.period = :as_of AND o.numerator IS NOT NULL AND o.denominator IS NOT NULL
    """), {"p": PROVINCE, "as_of": as_of}).one()
    return 100.0 * float(numerator) / float(denominator) if denominator else None


def _stunting(conn, as_of: str) -> float | None:
    """The province's own latest round known by the end of the month (release date, else period end)."""
    month_end = period_end(as_of)
    rows = conn.execute(text("""
        SELECT o.period, o.value, sr.available_on FROM observation o
        LEFT JOIN survey_round sr ON sr.indicator_code = o.indicator_code AND sr.period = o.period
        WHERE o.indicator_code = 'STUNTING' AND o.admin_code = :p AND o.value IS NOT NULL
    """), {"p": PROVINCE}).all()
    known = []
    for period, value, available_on in rows:
        known_on = (dt.date.fromisoformat(str(available_on)[:10]) if available_on is not None
                    else period_end(period))
        if known_on <= month_end:
            known.append((period_start(period), float(value)))
    return max(known)[1] if known else None


def _convergence(conn, as_of: str) -> float | None:
    """Share of villages in RRPM target districts reached by all five projects in the 12 months to as_of."""
    first, last = period_start(add_months(as_of, -11)), period_end(as_of)
    n_projects = conn.execute(text("SELECT COUNT(*) FROM project")).scalar_one()
    reached = dict(conn.execute(text("""
        SELECT o.admin_code, COUNT(DISTINCT p.code) FROM observation o
        JOIN project p ON p.coverage_indicator = o.indicator_code
        JOIN admin_unit a ON a.code = o.admin_code
        WHERE a.level = 'village' AND a.province_code = :p
          AND o.period_start BETWEEN :first AND :last AND (o.value > 0 OR o.numerator > 0)
        GROUP BY o.admin_code
    """), {"p": PROVINCE, "first": first, "last": last}).all())
    targets = [code for (code,) in conn.execute(text("""
        SELECT a.code FROM admin_unit a JOIN target_area t ON t.admin_code = a.district_code
        WHERE t.project_code = 'RRPM' AND a.level = 'village' AND a.province_code = :p
    """), {"p": PROVINCE})]
    if not targets:
        return None
    return 100.0 * sum(1 for code in targets if reached.get(code, 0) >= n_projects) / len(targets)


def _payment_delay(conn, as_of: str) -> float | None:
    """Median days waiting over the cycles paid in the month and those still open at its end."""
    month_start, month_end = period_start(as_of), period_end(as_of)
    waits = []
    for verified_on, paid_on in conn.execute(text("""
        SELECT c.verified_on, c.paid_on FROM payment_cycle c
        JOIN admin_unit d ON d.code = c.district_code
        WHERE d.province_code = :p AND c.verified_on IS NOT NULL
    """), {"p": PROVINCE}):
        verified = dt.date.fromisoformat(str(verified_on)[:10])
        paid = dt.date.fromisoformat(str(paid_on)[:10]) if paid_on is not None else None
        if verified > month_end:
            continue
        if paid is None or paid > month_end:
            waits.append((month_end - verified).days)
        elif paid >= month_start and paid >= verified:
            waits.append((paid - verified).days)
    return float(statistics.median(waits)) if waits else None


def _card(page, card: str):
    return page.locator(f'[id*="overview-card-value"][id*="{card}"]')


def _choose(page, dropdown_id: str, label: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    # The period list is long (months, quarters, semesters) and drawn only near what is visible: search it.
    page.locator(".dash-dropdown-search").fill(label)
    page.get_by_role("option", name=label, exact=True).click()
    expect(page.locator(f"#{dropdown_id}-value")).to_have_text(label)


@pytest.mark.parametrize("as_of", ["2022-11", "2025-12"])
def test_five_cards_of_a_province_match_plain_sql_over_raw_rows(page, sqlite_demo_url, as_of):
    engine = create_engine(sqlite_demo_url)
    with engine.connect() as conn:
        expected = {
            "registered": format_number(_registered(conn, as_of), "en"),
            "compliance": format_value(_compliance(conn, as_of), "percent", "en"),
            "stunting": format_value(_stunting(conn, as_of), "percent", "en"),
            "convergence": format_value(_convergence(conn, as_of), "percent", "en"),
            "delay": format_value(_payment_delay(conn, as_of), "days", "en"),
        }
    engine.dispose()
    # The recomputation must have found something for every card, or the comparison proves nothing.
    assert "no data" not in " ".join(expected.values()).lower(), expected

    page.goto(page.base_url + "/?lang=en")
    page.wait_for_selector('[id*="overview-card-value"]')
    _choose(page, "shell-period", format_period(as_of, "en"))
    _choose(page, "shell-province", PROVINCE_NAME)
    expect(page.locator("#overview-title")).to_contain_text(PROVINCE_NAME, timeout=30000)
    expect(page.locator("#overview-title")).to_contain_text(format_period(as_of, "en"))
    for card, value in expected.items():
        expect(_card(page, card)).to_have_text(value, timeout=30000)
    screenshot(page, f"overview-recomputed-houaphan-{as_of}")
