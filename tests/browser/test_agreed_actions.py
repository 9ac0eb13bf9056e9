"""Agreed actions as a mission member uses them: the Overview's overdue alert leads to the overdue actions;
the register filters by mission and responsible unit; an administrator on this machine (accounts off on
the demo) updates an action's status and evidence and reads the change in its history."""
import re

import pytest
from playwright.sync_api import expect

from conftest import screenshot
from data_access.actions import update_action
from data_access.database import make_engine
from data_access.queries.targets import progress_table
from i18n import format_period, format_value

pytestmark = pytest.mark.browser

HOUAPHAN_ACTION = "Fix urgently the shortcomings found in Houaphan"


@pytest.fixture
def restore_actions(sqlite_demo_url):
    """The demo database is shared by every browser test: put the Houaphan action back as it was."""
    yield
    engine = make_engine(sqlite_demo_url)
    with engine.connect() as conn:
        from sqlalchemy import text
        action_id = conn.execute(text("SELECT id FROM agreed_action WHERE admin_code = '07'")).scalar_one()
    update_action(engine, action_id, {"status": "open", "evidence": None}, "test restore")
    engine.dispose()


def _choose(page, dropdown_id: str, option: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    page.locator(".dash-dropdown-search").fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"#{dropdown_id}-value")).to_have_text(option)


def _rows(page):
    return page.locator("#actions-grid .ag-center-cols-container .ag-row")


def _targets_actual(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as conn:
        table = progress_table(conn, "07", "2022-11")
    engine.dispose()
    actual = table.loc[table["indicator_code"] == "CCT_COMPLY_ALL", "actual"].iloc[0]
    return format_value(actual, "percent", "en")


def test_overdue_alert_leads_to_the_actions_and_an_admin_updates_one(page, restore_actions, sqlite_demo_url):
    # The machine the suite runs on may be busy: give each step time, not the whole test.
    page.set_default_timeout(90000)
    expect.set_options(timeout=60000)
    page.goto(page.base_url + "/?lang=en")
    page.wait_for_selector('[id*="overview-card-value"]')
    _choose(page, "shell-period", format_period("2022-11", "en"))
    overdue = page.locator("#overview-alerts .alert-item[data-rule='action_overdue']")
    expect(overdue).to_contain_text("Agreed actions overdue: 2; the longest by 61 days")
    expect(page.locator("#overview-alerts .alert-item[data-rule='action_due_soon']")).to_contain_text(
        "the first on 15 Dec 2022")

    overdue.locator(".alert-link").click()
    page.wait_for_url(re.compile(r".*/actions\?.*view=overdue"))
    expect(page.locator("#actions-view input[value='overdue']")).to_be_checked()
    expect(_rows(page)).to_have_count(2)
    expect(page.locator("#actions-grid")).to_contain_text("Overdue by 61 days")
    expect(page.locator("#actions-grid")).to_contain_text("Overdue by 30 days")
    expect(page.locator("#actions-day-note")).to_contain_text("30 Nov 2022")

    # Every action of the November mission, then only those of the province office of Houaphan.
    page.locator("#actions-view").get_by_label("All").check()
    expect(_rows(page)).to_have_count(7)
    _choose(page, "actions-mission", "2022-11 supervision mission")
    expect(_rows(page)).to_have_count(5)
    _choose(page, "actions-unit", "PAFO Houaphan")
    expect(_rows(page)).to_have_count(1)
    row = _rows(page).first
    expect(row).to_contain_text("Due in 15 days")
    expect(row).to_contain_text("(demo)")
    # Its linked indicator's latest value for Houaphan: the number the Targets page shows.
    expect(row).to_contain_text(f"{_targets_actual(sqlite_demo_url)} (November 2022)")
    expect(page.locator("#actions-rights")).to_contain_text("requests made on this machine may update")

    row.get_by_text(HOUAPHAN_ACTION).click()
    expect(page.locator("#actions-detail")).to_contain_text("PAFO Houaphan")
    latest = re.search(r"\d+\.\d %", row.inner_text()).group(0)
    expect(page.locator("#actions-detail")).to_contain_text(f"latest {latest} (November 2022)")
    expect(page.locator("#actions-history")).to_contain_text("Action added")
    page.locator("#actions-edit-status").select_option("in_progress")
    page.locator("#actions-edit-evidence").fill("Verification schedule agreed with the districts")
    page.locator("#actions-save").click()
    expect(page.locator("#actions-message")).to_have_text(
        "Saved: Status, Evidence note. The history below shows the change.")
    history = page.locator("#actions-history-table")
    expect(history).to_contain_text("Open → In progress")
    expect(history).to_contain_text("– → Verification schedule agreed with the districts")
    expect(history).to_contain_text("local (accounts off)")
    expect(_rows(page).first).to_contain_text("In progress")
    screenshot(page, "agreed-actions-updated-en")


def test_lao_register_and_its_excel_export(page):
    import io

    from openpyxl import load_workbook

    from i18n import t

    page.set_default_timeout(90000)
    expect.set_options(timeout=60000)
    page.goto(page.base_url + "/actions?lang=lo")
    expect(page.locator("#actions-title")).to_have_text(t("actions.title", "lo"))
    expect(_rows(page)).to_have_count(7)
    expect(page.locator("#actions-grid")).to_contain_text("ແກ້ໄຂຂໍ້ບົກຜ່ອງ")
    expect(page.locator("#actions-grid")).to_contain_text(t("actions.status_done", "lo"))
    with page.expect_download() as download_info:
        page.locator("#actions-table-export-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith("_agreed-actions.xlsx")
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == [t("actions.col_id", "lo"), t("actions.col_mission", "lo"), t("actions.col_mission_date", "lo")]
    places = [row[headers.index(t("actions.col_admin_code", "lo"))] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value for cell in places if cell.value} == {"02", "04", "07", "09"}
    assert book.sheetnames[-1] == t("export.notes_sheet", "lo")[:31]
    screenshot(page, "agreed-actions-lo")
