"""Carried stocks in a browser: Houaphan's registrations as of Dec 2025 say what is carried, on two pages."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine

from conftest import screenshot
from data_access.queries.catalogue import admin_unit
from data_access.queries.overview import headline_figures
from data_access.queries.targets import progress_table
from i18n import format_number, format_period, format_value, localized
from layouts.carried import carried_note

pytestmark = pytest.mark.browser

AS_OF = "2025-12"
PROVINCE = "07"  # holds the demo's stale district, whose registry reports stop after August


@pytest.fixture
def expected(sqlite_demo_url):
    engine = create_engine(sqlite_demo_url)
    with engine.connect() as conn:
        figures = headline_figures(conn, PROVINCE, AS_OF)
        row = progress_table(conn, PROVINCE, AS_OF).set_index("indicator_code").loc["CCT_REGISTERED"].to_dict()
        province = admin_unit(conn, PROVINCE)
    engine.dispose()
    return {"figures": figures, "row": row, "province": province}


def _choose(page, dropdown_id: str, label: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.get_by_role("option", name=label, exact=True).click()
    expect(page.locator(f"#{dropdown_id}-value")).to_have_text(label)


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_overview_card_says_how_much_is_carried_and_from_when(page, expected, lang):
    registered = expected["figures"]["registered"]
    note = carried_note(registered, lang)
    # The demo's stale district makes part of the province's figure carried: the test needs it.
    assert registered["carried_units"] > 0 and note
    page.goto(page.base_url + f"/?lang={lang}")
    page.wait_for_selector('[id*="overview-card-value"]')
    _choose(page, "shell-period", format_period(AS_OF, lang))
    _choose(page, "shell-province", localized(expected["province"], lang))
    card = page.locator(".headline-card").filter(has=page.locator('[id*="overview-card-value"][id*="registered"]'))
    expect(card.locator('[id*="overview-card-value"]')).to_have_text(format_number(registered["value"], lang))
    expect(card).to_contain_text(note)
    expect(card).to_contain_text(format_number(registered["carried_value"], lang))
    expect(card).to_contain_text(format_period("2025-08", lang, short=True))
    screenshot(page, f"stocks-overview-houaphan-{lang}")


def test_targets_row_says_how_much_of_the_latest_value_is_carried(page, expected):
    row = expected["row"]
    page.goto(page.base_url + "/targets?lang=en")
    expect(page.locator("#targets-grid .ag-row").first).to_be_visible(timeout=30000)
    _choose(page, "shell-period", format_period(AS_OF, "en"))
    _choose(page, "shell-province", localized(expected["province"], "en"))
    cells = page.locator("#targets-grid .ag-row[row-id='CCT_REGISTERED']")
    expect(cells.locator(".ag-cell[col-id='actual']")).to_have_text(format_value(row["actual"], "people", "en"))
    note = carried_note({"value": row["actual"], "n_units": row["actual_n_units"],
                         "carried_value": row["carried_value"], "carried_units": row["carried_units"],
                         "oldest_carried_period": row["oldest_carried_period"]}, "en")
    assert note
    expect(cells.locator(".ag-cell[col-id='period']")).to_contain_text(note)
    screenshot(page, "stocks-targets-houaphan-en")
