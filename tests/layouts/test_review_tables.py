"""Review page builders on hand-made review results: missing stays missing, survey changes within their
uncertainty read "no significant change", changes carry their unit."""
import pandas as pd

from data_access.queries.review import FRAMEWORK_COLUMNS
from layouts.review import change_text, framework_table, headline_rows, headline_table, value_text
from layouts.shell import period_rule


def _progress(statuses: dict) -> pd.DataFrame:
    return pd.DataFrame([{"indicator_code": code, "status": status, "target_level": "own"}
                         for code, status in statuses.items()])


def _headline(registered, compliance, stunting_period, stunting_value):
    return {
        "registered": {"value": registered}, "compliance": {"value": compliance},
        "stunting": {"latest": {"period": stunting_period, "value": stunting_value, "std_error": 2.0}},
        "convergence": {"share": None}, "payment_delay": {"delay_days": 80.0},
    }


def _review(verdict="no_change"):
    window = {"code": "2022-S2", "kind": "semester", "start": "2022-07", "end": "2022-12", "as_of": "2022-11",
              "as_of_rule": "latest_data", "previous": "2022-S1", "has_data": True}
    previous = window | {"code": "2022-S1", "start": "2022-01", "end": "2022-06", "as_of": "2022-06",
                         "previous": "2021-S2"}
    row = dict.fromkeys(FRAMEWORK_COLUMNS) | {
        "indicator_code": "STUNTING", "name_en": "Stunting", "name_lo": "ເດັກເຕ້ຍ", "unit": "percent", "rule": "survey",
        "value_then": 40.0, "period_then": "2021", "value_now": 38.5, "period_now": "2022", "change": -1.5,
        "verdict": verdict, "status_then": "on_track", "status_now": None, "project_name_en": None}
    missing = dict.fromkeys(FRAMEWORK_COLUMNS) | {
        "indicator_code": "SBCC_SESSIONS", "name_en": "Sessions", "name_lo": "ກອງປະຊຸມ", "unit": "sessions",
        "rule": "sum", "value_then": None, "value_now": 402.0, "status_now": "met"}
    return {
        "window": window, "previous_window": previous,
        "headline_now": _headline(1871.0, 68.9, "2022", 38.5), "headline_then": _headline(None, 67.4, "2021", 40.0),
        "changes": {"registered": {"current": 1871.0, "previous": None, "change": None, "verdict": None},
                    "compliance": {"current": 68.9, "previous": 67.4, "change": 1.5, "verdict": "better"},
                    "convergence": {"current": None, "previous": None, "change": None, "verdict": None},
                    "delay": {"current": 80.0, "previous": 65.0, "change": 15.0, "verdict": "worse"},
                    "stunting": {"verdict": verdict}},
        "progress_now": _progress({"CCT_REGISTERED": "at_risk", "CCT_PAY_DELAY": "off_track"}),
        "progress_then": _progress({"CCT_PAY_DELAY": "on_track"}),
        "framework": pd.DataFrame([row, missing], columns=FRAMEWORK_COLUMNS),
    }


def _text(component) -> str:
    if isinstance(component, str):
        return component
    children = getattr(component, "children", None)
    if children is None:
        return ""
    if isinstance(children, (list, tuple)):
        return " ".join(_text(child) for child in children)
    return _text(children)


def _row(table, row_id):
    body = table.children[1]
    return next(row for row in body.children if row.id == row_id)


def test_a_missing_figure_then_is_no_data_and_has_no_change():
    rows = {row["card"]: row for row in headline_rows(_review())}
    assert rows["registered"]["value_then"] is None and rows["registered"]["change"] is None
    row = _row(headline_table(_review(), "en"), "review-hl-registered")
    cells = [_text(cell) for cell in row.children]
    assert cells[2] == "No data" or cells[2].lower() == "no data"
    assert cells[4].lower() == "no data"
    assert "0" not in cells[2]


def test_survey_change_within_uncertainty_reads_no_significant_change_in_both_languages():
    row = _row(framework_table(_review("no_change"), "en"), "review-rf-STUNTING")
    assert "no significant change" in _text(row)
    assert "2022 survey" in _text(row) and "2021 survey" in _text(row)
    row_lo = _row(framework_table(_review("no_change"), "lo"), "review-rf-STUNTING")
    assert "ບໍ່ມີການປ່ຽນແປງຢ່າງມີນັຍສຳຄັນ" in _text(row_lo)


def test_statuses_then_and_now_come_from_each_periods_progress_table():
    rows = {row["card"]: row for row in headline_rows(_review())}
    assert (rows["delay"]["status_then"], rows["delay"]["status_now"]) == ("on_track", "off_track")
    assert rows["registered"]["status_then"] is None


def test_changes_carry_their_unit():
    assert change_text(1.5, "percent", "en") == "+1.5 points"
    assert change_text(-15.0, "days", "en") == "−15 days"
    assert change_text(206.0, "people", "en") == "+206"
    assert change_text(None, "people", "en").lower() == "no data"
    assert value_text(None, "percent", "en", "2021").lower() == "no data"


def test_the_filter_says_which_month_a_semester_is_read_as():
    window = _review()["window"]
    assert period_rule(window, "en").startswith("Jul–Dec 2022: pages show figures as of November 2022")
    assert period_rule(window | {"kind": "month"}, "en") == ""
    assert "ພະຈິກ 2022" in period_rule(window, "lo")
