"""Targets page in a browser: one province as of the Nov 2022 mission, a status read, the table downloaded."""
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from sqlalchemy import create_engine

from conftest import screenshot
from data_access.queries.catalogue import admin_unit
from data_access.queries.targets import cumulative_projection, progress_table
from i18n import format_period, format_value, localized, t
from layouts.figures.targets import status_label

pytestmark = pytest.mark.browser

AS_OF = "2022-11"
PROVINCE = "07"


# A change of place or month redraws the whole results framework (a progress table per project):
# on a loaded two-core machine that takes longer than Playwright's default 5 s, hence the waits below.
def _choose(page, dropdown_id: str, label: str) -> None:
    page.locator(f"#{dropdown_id}").click()
    # The period list is long (months, quarters, semesters) and drawn only near what is visible: search it.
    page.locator(".dash-dropdown-search").fill(label)
    page.get_by_role("option", name=label, exact=True).click()
    expect(page.locator(f"#{dropdown_id}-value")).to_have_text(label)


def _cell(page, indicator_code: str, column: str):
    return page.locator(f"#targets-grid .ag-row[row-id='{indicator_code}'] .ag-cell[col-id='{column}']")


def _settled(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")


@pytest.fixture
def expected(sqlite_demo_url):
    """What the page should show, straight from the queries on the same database."""
    engine = create_engine(sqlite_demo_url)
    with engine.connect() as conn:
        frame = progress_table(conn, PROVINCE, AS_OF)
        province = admin_unit(conn, PROVINCE)
    engine.dispose()
    return {"rows": {row["indicator_code"]: row for row in frame.to_dict("records")}, "province": province}


def test_a_province_as_of_the_mission_reads_its_status_and_downloads_the_table(page, expected, tmp_path):
    page.goto(page.base_url + "/targets?lang=en")
    expect(page.locator("#targets-grid .ag-row").first).to_be_visible(timeout=30000)
    _choose(page, "shell-period", format_period(AS_OF, "en"))
    _choose(page, "shell-province", localized(expected["province"], "en"))
    place = localized(expected["province"], "en")
    expect(page.locator("#targets-scope")).to_have_text(
        t("targets.scope_title", "en", place=place, period=format_period(AS_OF, "en")), timeout=40000)

    registered = expected["rows"]["CCT_REGISTERED"]
    status = status_label(registered, "en")
    expect(_cell(page, "CCT_REGISTERED", "status")).to_have_text(status)
    assert status in {t(f"targets.status_{code}", "en") for code in ("met", "on_track", "at_risk", "off_track")} | {
        t("targets.status_at_risk_projection", "en")}
    expect(_cell(page, "CCT_REGISTERED", "actual")).to_have_text(format_value(registered["actual"], "people", "en"))
    # Compliance targets are national only: the province is not given an invented target.
    expect(_cell(page, "CCT_COMPLY_ALL", "status")).to_have_text(t("targets.targets_national_only", "en"))
    expect(_cell(page, "CCT_COMPLY_ALL", "eop_target")).to_have_text("")
    expect(page.locator("#targets-projection-sentence")).to_contain_text(format_period(AS_OF, "en"))
    _settled(page)
    screenshot(page, "targets-houaphan-2022-11-en")

    with page.expect_download() as download_info:
        page.click("#targets-download-button")
    download = download_info.value
    assert download.suggested_filename == f"{localized(expected['province'], 'en')}_{AS_OF}_targets.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    notes = [row[0] for row in load_workbook(path)[t("targets.excel_notes_sheet", "en")].iter_rows(values_only=True)]
    assert any((line or "").startswith(t("export.note_exported", "en") + ": ") for line in notes)
    assert any((line or "").startswith(t("export.note_source", "en") + ": ") for line in notes)
    sheet = load_workbook(path)[t("targets.excel_sheet", "en")]
    headers = [cell.value for cell in sheet[1]]
    rows = {row[headers.index(t("targets.col_indicator", "en"))]: dict(zip(headers, row))
            for row in sheet.iter_rows(min_row=2, values_only=True)}
    excel_registered = rows[localized(registered, "en")]
    assert excel_registered[t("targets.col_status", "en")] == status
    assert excel_registered[t("targets.col_actual", "en")] == pytest.approx(registered["actual"])
    assert excel_registered[t("targets.col_eop", "en")] == pytest.approx(registered["eop_target"])
    assert excel_registered[t("targets.col_target_scope", "en")] == place
    compliance = rows[localized(expected["rows"]["CCT_COMPLY_ALL"], "en")]
    assert compliance[t("targets.col_status", "en")] == t("targets.targets_national_only", "en")
    assert len(rows) == len(expected["rows"])


def test_the_same_view_in_lao(page, expected):
    page.goto(page.base_url + "/targets?lang=lo")
    expect(page.locator("#targets-grid .ag-row").first).to_be_visible(timeout=30000)
    _choose(page, "shell-period", format_period(AS_OF, "lo"))
    _choose(page, "shell-province", localized(expected["province"], "lo"))
    registered = expected["rows"]["CCT_REGISTERED"]
    expect(_cell(page, "CCT_REGISTERED", "status")).to_have_text(
        status_label(registered, "lo"), timeout=40000)
    expect(_cell(page, "CCT_COMPLY_ALL", "status")).to_have_text(t("targets.targets_national_only", "lo"))
    expect(page.locator("#targets-download-button")).to_have_text(t("targets.download", "lo"))
    expect(page.locator("#targets-rule")).to_contain_text(t("targets.rule_scope", "lo")[:40])
    _settled(page)
    screenshot(page, "targets-houaphan-2022-11-lo")


def _national(sqlite_demo_url, as_of):
    engine = create_engine(sqlite_demo_url)
    with engine.connect() as conn:
        frame = progress_table(conn, None, as_of)
    engine.dispose()
    return {row["indicator_code"]: row for row in frame.to_dict("records")}


def test_status_agrees_with_the_projection_and_is_judged_against_the_target_date(page, sqlite_demo_url):
    page.goto(page.base_url + "/targets?lang=en")
    expect(page.locator("#targets-grid .ag-row").first).to_be_visible(timeout=30000)
    expect(page.locator("#targets-rule-projection-cap")).to_have_text(t("targets.rule_projection_cap", "en"))
    expect(page.locator("#targets-rule-deadline")).to_have_text(t("targets.rule_deadline", "en"))

    _choose(page, "shell-period", format_period(AS_OF, "en"))
    before = _national(sqlite_demo_url, AS_OF)["CCT_REGISTERED"]
    expect(_cell(page, "CCT_REGISTERED", "status")).to_have_text(status_label(before, "en"), timeout=40000)
    engine = create_engine(sqlite_demo_url)
    with engine.connect() as conn:
        shown = cumulative_projection(conn, "CCT_REGISTERED", None, AS_OF)
    engine.dispose()
    assert shown["projection"]["high"] < shown["eop"]["value"], "the demo target is meant to be out of reach"
    # The verdict beside the chart says "short even at the top of the range" ...
    expect(page.locator("#targets-projection-verdict")).to_have_text(t(
        "targets.projection_short", "en", gap=format_value(shown["eop"]["value"] - shown["projection"]["value"], "people", "en"),
        target=format_value(shown["eop"]["value"], "people", "en")))
    # ... so the status in the table cannot read "on track".
    assert before["status"] not in ("on_track", "met")
    if before["reason"] == "projection_short":
        expect(_cell(page, "CCT_REGISTERED", "status")).to_have_text(t("targets.status_at_risk_projection", "en"))
    expect(page.locator("[id*='targets-closed-note']")).to_have_count(0)
    _settled(page)
    screenshot(page, "targets-national-2022-11-en")

    late = "2025-12"
    _choose(page, "shell-period", format_period(late, "en"))
    after = _national(sqlite_demo_url, late)
    registered = after["CCT_REGISTERED"]
    assert registered["status"] in ("met_on_time", "met_late", "not_met")
    expect(_cell(page, "CCT_REGISTERED", "status")).to_have_text(status_label(registered, "en"), timeout=40000)
    expect(_cell(page, "CCT_COMPLY_ALL", "status")).to_have_text(status_label(after["CCT_COMPLY_ALL"], "en"))
    expect(page.locator("[id*='targets-closed-note']")).to_contain_text(format_period("2024-08", "en"))
    _settled(page)
    screenshot(page, "targets-national-2025-12-en")


def test_after_closing_in_lao(page, sqlite_demo_url):
    late = "2025-12"
    page.goto(page.base_url + "/targets?lang=lo")
    expect(page.locator("#targets-grid .ag-row").first).to_be_visible(timeout=30000)
    _choose(page, "shell-period", format_period(late, "lo"))
    rows = _national(sqlite_demo_url, late)
    for code in ("CCT_REGISTERED", "CCT_COMPLY_ALL"):
        expect(_cell(page, code, "status")).to_have_text(status_label(rows[code], "lo"))
    expect(page.locator("[id*='targets-closed-note']")).to_contain_text(format_period("2024-08", "lo"))
    expect(page.locator("#targets-rule-deadline")).to_have_text(t("targets.rule_deadline", "lo"))
    page.keyboard.press("Escape")
    _settled(page)
    screenshot(page, "targets-national-2025-12-lo")
