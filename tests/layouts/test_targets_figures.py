"""Targets figures and table helpers on hand-made frames: bars, colours, paths, bands, the Excel file."""
import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from i18n import t
from layouts.figures.targets import (
    AT_RISK,
    PROGRESS_AXIS,
    STATUS_COLOURS,
    actual_vs_target_chart,
    percent_text,
    LABEL_NAME,
    progress_chart,
    projection_chart,
    status_text,
    yearly_totals_chart,
)
from layouts.figures.theme import BETTER, WORSE
from layouts.targets import excel_workbook, grid_rows, safe_cell_text, status_summary

CLOSING = dt.date(2024, 8, 31)


def _row(code, name, status, progress=None, expected=None, *, project="RRPM", level="PDO", target_level="own",
         unit="people", actual=100.0, flow=False, **extra) -> dict:
    row = {
        "project_code": project, "project_name_en": f"{project} project", "project_name_lo": f"ໂຄງການ {project}",
        "project_short_lo": "ລພຊ" if project == "RRPM" else project, "framework_level": level,
        "indicator_code": code, "name_en": name, "name_lo": f"ຕົວຊີ້ວັດ {name}", "unit": unit, "direction": "higher",
        "aggregation": "latest", "cumulative": False, "flow": flow, "target_level": target_level,
        "target_admin_code": "00", "target_admin_name_en": "Lao PDR", "target_admin_name_lo": "ສປປ ລາວ",
        "reference_eop": None, "baseline": 0.0, "baseline_year": 2019, "actual": actual, "actual_period": "2022-11",
        "actual_first_period": "2022-11", "std_error": None, "year_target": None, "target_year": None,
        "eop_target": 200.0, "eop_date": CLOSING, "judged_on": dt.date(2022, 11, 30), "path_value": None,
        "progress": progress, "expected": expected, "behind": None, "status": status, "reason": None,
    }
    return row | extra


@pytest.fixture
def framework() -> pd.DataFrame:
    return pd.DataFrame([
        _row("REG", "Registered", "at_risk", 62.0, 75.0),
        _row("DELAY", "Payment delay", "off_track", -274.0, 64.0, level="intermediate", unit="days"),
        _row("GRIEV", "Grievances resolved", "not_rated", level="intermediate", reason="no_baseline", baseline=None),
        _row("ANC", "ANC 4+", "on_track", 95.0, 90.0, project="HANSA", level="intermediate", unit="percent"),
        _row("ODF", "ODF villages", "not_rated", project="SUWASH", level="intermediate", target_level="national",
             eop_target=None),
        _row("STUNT", "Stunting", "met", 105.0, 60.0, project=None, level="context", unit="percent"),
    ])


# ---------------------------------------------------------------- progress (bullet) chart


def _progress_trace(figure, panel: int = 1):
    axis = "y" if panel == 1 else f"y{panel}"
    return next(trace for trace in figure.data
                if trace.type == "bar" and trace.name != "scale" and trace.yaxis == axis)


def test_progress_bars_are_coloured_by_status_and_clipped_with_the_true_label(framework):
    figure = progress_chart(framework, "en")
    bars = _progress_trace(figure)
    assert list(bars.x) == [62.0, PROGRESS_AXIS[0], None]
    assert list(bars.marker.color) == [AT_RISK, WORSE, STATUS_COLOURS["not_rated"]]
    assert list(bars.text) == ["62 %", "-274 %", ""]
    assert list(bars.textposition) == ["outside", "inside", "outside"]
    assert figure.layout.template.layout.font.family.startswith("'Noto Sans Lao'")


def test_progress_chart_has_one_panel_per_project_in_order(framework):
    figure = progress_chart(framework, "en")
    titles = [annotation.text for annotation in figure.layout.annotations if annotation.name != LABEL_NAME]
    assert titles == ["<b>RRPM – RRPM project</b>", "<b>HANSA – HANSA project</b>", "<b>SUWASH – SUWASH project</b>",
                      f"<b>{t('targets.context_group', 'en')}</b>"]
    assert _progress_trace(figure, 2).x == (95.0,)
    assert [list(level) for level in _progress_trace(figure, 1).y] == [
        ["Project development<br>objective (PDO)", "Intermediate results", "Intermediate results"],
        ["Registered", "Payment delay", "Grievances resolved"],
    ]


def test_indicator_names_sit_above_their_bars_not_in_a_left_margin(framework):
    # A 460 px label margin left a 390 px phone no room for the bars.
    figure = progress_chart(framework, "en")
    labels = [annotation for annotation in figure.layout.annotations if annotation.name == LABEL_NAME]
    assert [label.text.split(" · ")[0] for label in labels[:3]] == ["Registered", "Payment delay", "Grievances resolved"]
    assert labels[0].text.endswith("· PDO")
    assert all(label.yanchor == "bottom" and label.yshift > 0 and label.x == 0 for label in labels)
    assert labels[0].xref == "x domain" and labels[3].xref == "x2 domain"
    assert figure.layout.margin.l <= 20
    assert figure.layout.yaxis.showticklabels is False
    assert figure.layout.legend.yanchor == "bottom" and figure.layout.legend.y > 1


def test_path_ticks_and_unrated_labels(framework):
    figure = progress_chart(framework, "en")
    ticks = [trace for trace in figure.data if trace.name == t("targets.chart_expected", "en")]
    assert list(ticks[0].x) == [75.0, 64.0, None]
    assert [trace.showlegend for trace in ticks] == [False] * 4 + [None]  # one legend entry, drawn last
    assert ticks[-1].x == (None,)
    labels = [text.strip() for trace in figure.data if trace.type == "scatter" and trace.mode == "text"
              for text in trace.text]
    assert labels == [t("targets.status_not_rated_no_baseline", "en"), t("targets.targets_national_only", "en")]


def test_legend_names_only_the_statuses_drawn(framework):
    figure = progress_chart(framework, "en")
    swatch_traces = [trace for trace in figure.data if trace.type == "scatter" and trace.marker.symbol == "square"]
    legend = [trace.name for trace in swatch_traces]
    assert legend == [t("targets.status_off_track", "en"), t("targets.status_at_risk", "en"),
                      t("targets.status_on_track", "en"), t("targets.status_met", "en")]
    assert all(trace.x == (None,) for trace in swatch_traces)
    swatches = {trace.name: trace.marker.color for trace in swatch_traces}
    assert swatches[t("targets.status_off_track", "en")] == WORSE
    assert swatches[t("targets.status_on_track", "en")] == BETTER


def test_progress_hover_gives_actual_target_and_progress(framework):
    hover = _progress_trace(progress_chart(framework, "en")).customdata[0]
    assert "<b>Registered</b>" in hover
    assert "Latest: 100 (November 2022)" in hover
    assert "End-of-project target: 200" in hover
    assert "62 % of the way (target path: 75 %)" in hover
    assert hover.endswith(t("targets.status_at_risk", "en"))


def test_lao_names_are_wrapped_only_between_words():
    long_lao = "ໄລຍະເວລາລໍຖ້າການຈ່າຍເງິນ (ມື້ ນັບແຕ່ກວດສອບເງື່ອນໄຂ ຮອດ ຈ່າຍເງິນ)"
    frame = pd.DataFrame([_row("DELAY", "Payment delay", "on_track", 50.0, 50.0, name_lo=long_lao)])
    labels = _progress_trace(progress_chart(frame, "lo")).y[1][0]
    assert labels.replace("<br>", " ") == long_lao
    assert all(piece in long_lao.split(" ") or " " in piece for piece in labels.split("<br>") if piece)
    assert progress_chart(frame, "lo").layout.xaxis.title.text == t("targets.chart_progress_axis", "lo")


def test_no_path_tick_in_the_legend_when_no_indicator_is_rated():
    frame = pd.DataFrame([_row("ODF", "ODF villages", "not_rated", target_level="national", eop_target=None)])
    names = [trace.name for trace in progress_chart(frame, "en").data if trace.showlegend is not False]
    assert t("targets.chart_expected", "en") not in names


def test_no_indicators_gives_a_message_not_an_empty_chart():
    figure = progress_chart(pd.DataFrame(columns=list(_row("X", "X", "no_data"))), "en")
    assert figure.layout.annotations[0].text == t("targets.no_indicators", "en")
    assert not figure.data


# ---------------------------------------------------------------- actual against the target path


def _series(values: dict[str, float], std_errors: dict[str, float] | None = None) -> pd.DataFrame:
    """Monthly ("2020-06") or yearly ("2020") values, each drawn in the middle of its period."""
    middles = [dt.date(int(p), 7, 2) if len(p) == 4 else dt.date(int(p[:4]), int(p[5:]), 15) for p in values]
    return pd.DataFrame({"period": list(values), "period_middle": middles, "value": list(values.values()),
                         "std_error": [(std_errors or {}).get(p) for p in values]})


def test_actual_against_path_draws_path_targets_and_actual():
    path = pd.DataFrame({"date": [dt.date(2019, 12, 31), dt.date(2020, 12, 31), CLOSING], "value": [0.0, 650.0, 2600.0]})
    annual = pd.DataFrame({"year": [2020], "date": [dt.date(2020, 12, 31)], "value": [650.0]})
    series = _series({"2020-06": 300.0, "2020-12": 700.0, "2021-06": 1000.0})
    figure = actual_vs_target_chart(series, path, annual, {"name_en": "Registered", "unit": "people"}, "en",
                                    as_of_day=dt.date(2021, 6, 30), baseline={"value": 0.0, "year": 2019,
                                                                                "date": dt.date(2019, 12, 31)},
                                    eop={"value": 2600.0, "year": 2024, "date": CLOSING})
    names = [trace.name for trace in figure.data]
    assert names == [t("targets.chart_target_path", "en"), t("targets.chart_annual_target", "en"),
                     t("targets.chart_eop", "en"), t("common.baseline", "en"), t("targets.chart_actual", "en")]
    assert list(figure.data[0].y) == [0.0, 650.0, 2600.0]
    assert list(figure.data[-1].y) == [300.0, 700.0, 1000.0]
    assert figure.data[-1].x[0] == dt.date(2020, 6, 15)
    assert figure.data[-1].customdata[0] == ["June 2020", "300"]
    assert figure.layout.yaxis.title.text == t("unit.people", "en")
    assert figure.layout.shapes[0].x0 == dt.date(2021, 6, 30)


def test_survey_values_carry_their_95_percent_interval():
    series = _series({"2020": 46.1, "2022": 42.8}, {"2020": 2.0, "2022": 2.5})
    figure = actual_vs_target_chart(series, pd.DataFrame(columns=["date", "value"]),
                                    pd.DataFrame(columns=["year", "date", "value"]),
                                    {"name_en": "Stunting", "unit": "percent", "aggregation": "survey"}, "lo")
    actual = figure.data[-1]
    assert actual.mode == "markers"
    assert list(actual.x) == [dt.date(2020, 7, 2), dt.date(2022, 7, 2)]  # a survey year is drawn mid-year
    assert list(actual.error_y.array) == pytest.approx([3.92, 4.9])
    assert actual.customdata[1][1] == "42,8 %"


def test_yearly_counts_are_bars_next_to_their_yearly_targets():
    yearly = pd.DataFrame({"year": [2021, 2022], "value": [694.0, 721.0], "last_period": ["2021-12", "2022-11"]})
    annual = pd.DataFrame({"year": [2021, 2022], "date": [dt.date(2021, 12, 31), dt.date(2022, 12, 31)],
                           "value": [780.0, 780.0]})
    figure = yearly_totals_chart(yearly, annual, {"name_en": "SBCC sessions", "unit": "sessions"}, "en")
    bars, targets = figure.data
    assert (bars.type, list(bars.x), list(bars.y)) == ("bar", ["2021", "2022"], [694.0, 721.0])
    assert bars.customdata[1][0] == "2022 (to Nov 2022)" and bars.customdata[0][0] == "2021"
    assert targets.name == t("targets.chart_annual_target", "en") and list(targets.y) == [780.0, 780.0]


def test_nothing_to_draw_says_no_data():
    empty = pd.DataFrame(columns=["period", "period_middle", "value", "std_error"])
    figure = actual_vs_target_chart(empty, pd.DataFrame(columns=["date", "value"]),
                                    pd.DataFrame(columns=["year", "date", "value"]), {"unit": "people"}, "lo")
    assert figure.layout.annotations[0].text == t("common.no_data", "lo")


# ---------------------------------------------------------------- projection


def _band() -> pd.DataFrame:
    periods = ["2022-11", "2023-11", "2024-08"]
    return pd.DataFrame({"period": periods, "period_end": [dt.date(2022, 11, 30), dt.date(2023, 11, 30), CLOSING],
                         "centre": [1616.0, 2010.0, 2300.0], "low": [1616.0, 1800.0, 1998.0],
                         "high": [1700.0, 2200.0, 2603.0]})


def _history() -> pd.DataFrame:
    return pd.DataFrame({"period": ["2022-09", "2022-10", "2022-11"],
                         "period_end": [dt.date(2022, 9, 30), dt.date(2022, 10, 31), dt.date(2022, 11, 30)],
                         "value": [1478.0, 1616.0, 1616.0]})


def test_projection_draws_band_centre_and_target_to_closing():
    figure = projection_chart(_history(), _band(), {"name_en": "Registered", "unit": "people"}, "en", CLOSING, 2600.0)
    by_name = {}
    for trace in figure.data:
        by_name.setdefault(trace.name, []).append(trace)
    high, low = by_name[t("targets.chart_band", "en")]
    assert list(high.y) == [1700.0, 2200.0, 2603.0] and list(low.y) == [1616.0, 1800.0, 1998.0]
    assert low.fill == "tonexty" and high.showlegend is False
    centre = by_name[t("targets.chart_projection", "en")][0]
    assert list(centre.y) == [1616.0, 2010.0, 2300.0]
    assert centre.customdata[-1] == ["August 2024", "2,300", "1,998", "2,603"]
    target = by_name[t("targets.chart_eop", "en")][0]
    assert list(target.y) == [2600.0, 2600.0] and target.x[-1] == CLOSING
    assert figure.layout.shapes[0].x0 == CLOSING
    assert figure.layout.annotations[0].text == t("targets.chart_closing", "en", date="31 Aug 2024")
    assert figure.layout.xaxis.tickformat == "%Y"


def test_after_closing_the_actual_at_closing_is_marked_and_nothing_projected():
    empty_band = pd.DataFrame(columns=["period", "period_end", "centre", "low", "high"])
    figure = projection_chart(_history(), empty_band, {"unit": "people"}, "lo", CLOSING, 2600.0, (CLOSING, 2286.0))
    names = [trace.name for trace in figure.data]
    assert t("targets.chart_projection", "lo") not in names
    marker = figure.data[names.index(t("targets.chart_at_closing", "lo"))]
    assert (marker.x, marker.y) == ((CLOSING,), (2286.0,))


def test_projection_without_a_target_here_draws_no_target_line():
    figure = projection_chart(_history(), _band(), {"unit": "people"}, "en", CLOSING, None)
    assert t("targets.chart_eop", "en") not in [trace.name for trace in figure.data]


# ---------------------------------------------------------------- table, summary and Excel


def test_status_words_for_targets_set_elsewhere():
    assert status_text("not_rated", "national", "en") == "National target only"
    assert status_text("not_rated", "province", "lo") == t("targets.targets_province_only", "lo")
    assert status_text("no_data", "national", "en") == t("targets.status_no_data", "en")
    assert status_text("off_track", "own", "en") == "Off track"
    assert status_text("no_data", "own", "en", "since_baseline") == "No data since the baseline"
    assert status_text("not_rated", "own", "lo", "no_year_target") == t("targets.status_not_rated_no_year_target", "lo")


@pytest.mark.parametrize("value, text", [(-0.3, "0 %"), (62.4, "62 %"), (-274.0, "-274 %"), (None, "no data")])
def test_percent_text(value, text):
    assert percent_text(value, "en") == text


def test_grid_rows_keep_numbers_for_sorting_and_text_for_reading(framework):
    rows = {row["indicator_code"]: row for row in grid_rows(framework, "Lao PDR", "en")}
    assert rows["REG"]["actual"] == 100.0 and rows["REG"]["actual_text"] == "100"
    assert rows["REG"]["baseline_text"] == "0 (2019)"
    assert rows["DELAY"]["progress"] == -274.0 and rows["DELAY"]["progress_text"] == "-274 %"
    assert rows["DELAY"]["status"] == "Off track" and rows["DELAY"]["status_rank"] < rows["REG"]["status_rank"]
    assert rows["ODF"]["status"] == "National target only" and rows["ODF"]["target_scope"] == "Lao PDR"
    assert rows["ODF"]["eop_target"] is None and rows["ODF"]["eop_target_text"] == ""
    assert rows["STUNT"]["project"] == t("targets.context_short", "en")
    lao = {row["indicator_code"]: row for row in grid_rows(framework, "ສປປ ລາວ", "lo")}
    assert lao["REG"]["project"] == "ລພຊ" and lao["ODF"]["target_scope"] == "ສປປ ລາວ"


def test_status_summary_counts_each_status_worst_first(framework):
    badges = status_summary(framework, "en")
    assert [badge.children for badge in badges] == [
        "Off track: 1", "At risk: 1", "On track: 1", "Target met: 1", "National target only: 1",
        "Not rated: no baseline: 1",
    ]
    assert badges[0].style["background"] == WORSE


@pytest.mark.parametrize("text, safe", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("Registered", "Registered"), ("ຜູ້ໄດ້ຮັບຜົນປະໂຫຍດ", "ຜູ້ໄດ້ຮັບຜົນປະໂຫຍດ"),
])
def test_spreadsheet_text_never_starts_a_formula(text, safe):
    assert safe_cell_text(text) == safe


def test_excel_file_has_translated_headers_numbers_and_no_formulas(framework):
    framework.loc[0, "name_en"] = "=cmd|' /C calc'!A0"
    content = excel_workbook(framework, "Houaphan", "2022-11", "en", 2022, ["rule line"], is_demo=True)
    book = load_workbook(io.BytesIO(content))
    sheet = book[t("targets.excel_sheet", "en")]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["Project", "Level", "Indicator"]
    assert t("targets.col_year_target", "en", year="2022") in headers
    rows = [dict(zip(headers, [cell.value for cell in row])) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == len(framework)
    assert rows[0]["Indicator"] == "'=cmd|' /C calc'!A0"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert rows[0]["Latest value"] == 100.0 and rows[0]["% of the way"] == 62.0
    assert rows[1]["Status"] == "Off track" and rows[4]["Status"] == "National target only"
    assert rows[4]["Targets set for"] == "Lao PDR" and rows[0]["Targets set for"] == "Houaphan"
    assert rows[4]["End-of-project target"] is None
    notes = [row[0].value for row in book[t("targets.excel_notes_sheet", "en")].iter_rows()]
    assert notes[0] == "Progress against targets: Houaphan, as of November 2022"
    assert t("shell.demo_badge", "en") in notes and "rule line" in notes


def test_excel_headers_follow_the_language(framework):
    book = load_workbook(io.BytesIO(excel_workbook(framework, "ຫົວພັນ", "2022-11", "lo", 2022, [], is_demo=False)))
    sheet = book[t("targets.excel_sheet", "lo")]
    assert [cell.value for cell in sheet[1]][:3] == [t("targets.col_project", "lo"), t("targets.col_level", "lo"),
                                                     t("targets.col_indicator", "lo")]
    assert sheet.cell(row=2, column=3).value == "ຕົວຊີ້ວັດ Registered"


@pytest.mark.parametrize("row, lang, expected", [
    ({"status": "met_late", "target_level": "own", "met_period": "2025-05"}, "en", "Met late (May 2025)"),
    ({"status": "met_late", "target_level": "own", "met_period": "2025-05"}, "lo", "ບັນລຸຄາດໝາຍຊ້າກວ່າກຳນົດ (ພຶດສະພາ 2025)"),
    ({"status": "not_met", "target_level": "own", "deadline_value": 77.45, "unit": "percent"}, "en",
     "Not met by the target date (77.5 % then)"),
    ({"status": "not_met", "target_level": "own", "deadline_value": 26788.0, "unit": "people"}, "lo",
     "ບໍ່ບັນລຸຄາດໝາຍ ພາຍໃນວັນທີກຳນົດ (ເວລານັ້ນ 26.788)"),
    ({"status": "not_met", "target_level": "own", "deadline_value": float("nan"), "unit": "people"}, "en",
     "Not met by the target date (no report by then)"),
    ({"status": "met_on_time", "target_level": "own"}, "en", "Met on time"),
    ({"status": "at_risk", "target_level": "own", "reason": "projection_short"}, "en", "At risk (projection falls short)"),
    ({"status": "at_risk", "target_level": "own", "reason": None}, "en", "At risk"),
    # targets set elsewhere still say so, whatever the status
    ({"status": "not_rated", "target_level": "national"}, "en", t("targets.targets_national_only", "en")),
])
def test_status_labels_say_what_the_status_rests_on(row, lang, expected):
    from layouts.figures.targets import status_label

    assert status_label(row, lang) == expected


def test_every_status_has_a_colour_a_rank_and_a_word():
    from data_access.progress import STATUSES
    from layouts.figures.targets import STATUS_COLOURS, STATUS_ORDER

    for status in STATUSES:
        assert status in STATUS_COLOURS and status in STATUS_ORDER
        for lang in ("en", "lo"):
            assert t(f"targets.status_{status}", lang) != f"targets.status_{status}"
