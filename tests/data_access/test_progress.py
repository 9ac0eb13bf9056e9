"""Progress percent, status rule, target path and projection to closing, case by case."""
import datetime as dt
import math

import pytest

from data_access import progress
from data_access.periods import add_months, month_range
from data_access.progress import (
    AT_RISK,
    MET,
    NO_DATA,
    NOT_RATED,
    OFF_TRACK,
    ON_TRACK,
    assess,
    path_value_at,
    progress_percent,
    projection,
    share_of_year_elapsed,
    target_met,
    target_path,
)

CLOSING = dt.date(2024, 8, 31)


# ---------------------------------------------------------------- percent of the way


@pytest.mark.parametrize("actual, baseline, target, expected", [
    (1300, 0, 2600, 50.0),  # zero baseline: share of the target
    (0, 0, 2600, 0.0),
    (2600, 0, 2600, 100.0),
    (2900, 0, 2600, 2900 / 26),  # past the target
    (40, 45, 30, 100 / 3),  # lower is better: 45 -> 40 days is a third of the way to 30
    (52, 45, 30, -700 / 15),  # lower is better, moving away from the target: negative
    (46.1 - 3.5, 46.1, 39.1, 50.0),  # stunting halfway down
    (60, 40, 65, 80.0),
])
def test_progress_is_the_share_of_the_way_from_baseline_to_target(actual, baseline, target, expected):
    assert progress_percent(actual, baseline, target) == pytest.approx(expected)


@pytest.mark.parametrize("actual, baseline, target", [
    (None, 0, 100), (50, None, 100), (50, 0, None), (float("nan"), 0, 100),
    (50, 80, 80),  # target equal to baseline: there is no way to cover
])
def test_progress_is_missing_without_the_numbers_it_needs(actual, baseline, target):
    assert progress_percent(actual, baseline, target) is None


@pytest.mark.parametrize("actual, baseline, target, direction, met", [
    (2600, 0, 2600, "higher", True),
    (2599, 0, 2600, "higher", False),
    (30, 45, 30, "lower", True),
    (29, 45, 30, "lower", True),
    (31, 45, 30, "lower", False),
    (27.9, None, 28.0, "lower", True),  # no baseline: the indicator's direction decides
    (28.1, None, 28.0, "lower", False),
    (90, None, 90, "higher", True),
    (100, 100, 100, "higher", True),  # "keep it at 100"
    (99, 100, 100, "higher", False),
    (None, 0, 100, "higher", False),
])
def test_target_met_is_direction_aware(actual, baseline, target, direction, met):
    assert target_met(actual, baseline, target, direction) is met


# ---------------------------------------------------------------- status


@pytest.mark.parametrize("actual, path_value, status", [
    (50, 50, ON_TRACK),  # on the path
    (70, 50, ON_TRACK),  # ahead of the path
    (40, 50, ON_TRACK),  # exactly 10 points behind
    (39.9, 50, AT_RISK),
    (25, 50, AT_RISK),  # exactly 25 points behind
    (24.9, 50, OFF_TRACK),
    (-10, 50, OFF_TRACK),  # moved away from the target
    (100, 50, MET),
    (120, 100, MET),
])
def test_status_thresholds_on_a_zero_baseline(actual, path_value, status):
    assert assess(actual, 0, 100, path_value, "higher").status == status


def test_status_rule_reports_progress_expected_and_gap():
    result = assess(62.0, 0.0, 100.0, 75.0, "higher")
    assert result.progress == pytest.approx(62.0)
    assert result.expected == pytest.approx(75.0)
    assert result.behind == pytest.approx(13.0)
    assert result.status == AT_RISK


@pytest.mark.parametrize("actual, status", [
    (37.5, ON_TRACK),  # on the path, halfway from 45 to 30 days
    (40.0, AT_RISK),  # a third of the way where half was due: 16.7 points behind
    (45.0, OFF_TRACK),  # no progress at all
    (86.0, OFF_TRACK),  # delays nearly doubled
    (30.0, MET),
    (25.0, MET),
])
def test_lower_is_better_progress_means_going_down(actual, status):
    # Payment delay: baseline 45 days, target 30 days, halfway along the path (37.5 days due).
    result = assess(actual, 45.0, 30.0, 37.5, "lower")
    assert result.status == status
    if status != MET:
        assert result.expected == pytest.approx(50.0)


def test_a_target_already_met_is_met_even_when_the_path_is_not_there_yet():
    result = assess(2700.0, 0.0, 2600.0, 500.0, "higher")
    assert result.status == MET
    assert result.progress > 100


def test_no_data_yet_is_not_zero():
    result = assess(None, 0.0, 2600.0, 0.0, "higher")
    assert result.status == NO_DATA
    assert result.progress is None


def test_without_a_target_nothing_is_rated():
    assert assess(50.0, 0.0, None, None, "higher").status == NOT_RATED


def test_without_a_baseline_the_way_cannot_be_measured():
    result = assess(72.7, None, 90.0, 79.6, "higher")
    assert result.status == NOT_RATED
    assert result.progress is None


def test_a_kept_level_target_not_kept_is_off_track():
    assert assess(96.0, 100.0, 100.0, 100.0, "higher").status == OFF_TRACK


def test_before_the_path_starts_nothing_is_due_yet():
    # Expected progress is 0 before the baseline date: any actual not worse than baseline is on track.
    result = assess(0.0, 0.0, 2600.0, 0.0, "higher")
    assert (result.expected, result.status) == (0.0, ON_TRACK)


# ---------------------------------------------------------------- target path


def test_target_path_is_linear_between_corners_and_flat_outside():
    path = target_path([(dt.date(2019, 12, 31), 0.0), (dt.date(2020, 12, 31), 650.0),
                        (dt.date(2024, 8, 31), 2600.0)])
    assert path_value_at(path, dt.date(2019, 6, 30)) == 0.0
    assert path_value_at(path, dt.date(2020, 7, 1)) == pytest.approx(650.0 * 183 / 366)
    assert path_value_at(path, dt.date(2020, 12, 31)) == 650.0
    assert path_value_at(path, dt.date(2025, 3, 31)) == 2600.0


def test_target_path_keeps_the_last_value_given_for_a_date():
    # The closing year's annual target and the end-of-project target share the closing date.
    path = target_path([(CLOSING, 2500.0), (dt.date(2019, 12, 31), 0.0), (CLOSING, 2600.0)])
    assert path == [(dt.date(2019, 12, 31), 0.0), (CLOSING, 2600.0)]


def test_target_path_without_baseline_starts_at_the_first_target():
    path = target_path([(None, 5.0), (dt.date(2020, 12, 31), 70.0), (dt.date(2024, 8, 31), float("nan"))])
    assert path == [(dt.date(2020, 12, 31), 70.0)]
    assert path_value_at([], dt.date(2022, 1, 1)) is None


@pytest.mark.parametrize("day, year_end, share", [
    (dt.date(2022, 12, 31), dt.date(2022, 12, 31), 1.0),
    (dt.date(2022, 1, 31), dt.date(2022, 12, 31), 31 / 365),
    (dt.date(2024, 4, 30), CLOSING, 121 / 244),  # the closing year runs to 31 August
    (dt.date(2021, 12, 31), dt.date(2022, 12, 31), 0.0),
])
def test_share_of_year_elapsed(day, year_end, share):
    assert share_of_year_elapsed(day, year_end) == pytest.approx(share)


@pytest.mark.parametrize("period, day", [
    ("2022", dt.date(2022, 7, 2)), ("2022-11", dt.date(2022, 11, 15)), ("2022-12", dt.date(2022, 12, 16)),
    ("2022-Q4", dt.date(2022, 11, 15)),
])
def test_a_value_describes_the_middle_of_its_period(period, day):
    assert progress.middle_day(period) == day


# ---------------------------------------------------------------- projection


def _linear(first: str, last: str, start: float, step: float) -> list[tuple[str, float]]:
    return [(month, start + step * i) for i, month in enumerate(month_range(first, last))]


def test_a_steady_pace_is_carried_to_closing_with_no_spread():
    series = _linear("2020-01", "2022-11", 100.0, 30.0)
    result = projection(series, "2022-11", CLOSING)
    months_ahead = len(month_range("2022-11", "2024-08")) - 1
    last = series[-1][1]
    assert result["state"] == "projected"
    assert result["pace"] == pytest.approx(30.0)
    assert result["months_ahead"] == months_ahead == 21
    assert result["value"] == pytest.approx(last + 30.0 * months_ahead)
    assert result["low"] == pytest.approx(result["value"])
    assert result["high"] == pytest.approx(result["value"])
    assert result["window"] == ["2021-12", "2022-11"]
    assert [row[0] for row in result["path"]] == month_range("2022-11", "2024-08")


def _noisy(first: str, last: str) -> list[tuple[str, float]]:
    # A fixed zig-zag around a steady 30 a month, like villages missing a report now and then.
    wiggle = [0, 40, -25, 10, -35, 20, 0, -15, 30, -5, 15, -30]
    return [(month, 500 + 30 * i + wiggle[i % 12]) for i, month in enumerate(month_range(first, last))]


def test_the_band_contains_the_projection_and_widens_with_the_horizon():
    result = projection(_noisy("2020-01", "2022-11"), "2022-11", CLOSING)
    assert result["low"] < result["value"] < result["high"]
    widths = [high - low for _, _, low, high in result["path"]]
    assert widths == sorted(widths) and widths[-1] > widths[0]
    assert result["pace"] == pytest.approx(30.0, abs=6)


def test_the_band_is_the_regression_prediction_interval():
    series = _noisy("2021-12", "2022-11")
    result = projection(series, "2022-11", CLOSING)
    # Recompute the 95 % prediction interval at the closing month by hand (df = 10, t = 2.228).
    xs = list(range(12))
    ys = [value for _, value in series]
    mean_x, mean_y = sum(xs) / 12, sum(ys) / 12
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sxx
    intercept = mean_y - slope * mean_x
    residual = math.sqrt(sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys)) / 10)
    x_close = 11 + 21
    half = 2.228 * residual * math.sqrt(1 + 1 / 12 + (x_close - mean_x) ** 2 / sxx)
    assert result["value"] == pytest.approx(intercept + slope * x_close)
    assert result["high"] - result["value"] == pytest.approx(half)


def test_the_band_never_goes_below_the_latest_report():
    flat = [(month, 1000.0 + (5 if i % 2 else -5)) for i, month in enumerate(month_range("2021-12", "2022-11"))]
    result = projection(flat, "2022-11", CLOSING)
    assert all(low >= flat[-1][1] for _, _, low, _ in result["path"])


def test_reports_after_the_as_of_month_are_not_used():
    history = _linear("2020-01", "2022-11", 100.0, 30.0)
    future = [(month, 99999.0) for month in month_range("2022-12", "2024-12")]
    assert projection(history + future, "2022-11", CLOSING) == projection(history, "2022-11", CLOSING)


def test_missing_months_do_not_stop_the_projection():
    series = [point for i, point in enumerate(_linear("2021-12", "2022-11", 0.0, 10.0)) if i not in (3, 7)]
    result = projection(series, "2022-11", CLOSING)
    assert result["state"] == "projected"
    assert result["n_points"] == 10
    assert result["pace"] == pytest.approx(10.0)


def test_too_few_recent_reports_give_no_projection():
    series = _linear("2022-07", "2022-11", 0.0, 10.0)  # five months
    result = projection(series, "2022-11", CLOSING)
    assert result["state"] == "insufficient"
    assert (result["n_points"], result["minimum"]) == (5, progress.PROJECTION_MIN_POINTS)


def test_no_report_yet_gives_no_projection():
    assert projection([], "2019-08", CLOSING) == {"state": "no_data", "latest": None}
    assert projection([("2020-03", 10.0)], "2019-08", CLOSING)["state"] == "no_data"


def test_after_closing_the_actual_at_closing_is_given_instead():
    series = _linear("2020-01", "2025-03", 0.0, 10.0)
    result = projection(series, "2025-03", CLOSING)
    assert result["state"] == "closed"
    assert result["period"] == "2024-08"
    assert result["value"] == dict(series)["2024-08"]
    assert result["latest"] == ("2025-03", dict(series)["2025-03"])
    assert "path" not in result


def test_the_closing_month_itself_is_still_projected():
    series = _linear("2020-01", "2024-08", 0.0, 10.0)
    result = projection(series, "2024-08", CLOSING)
    assert result["state"] == "projected"
    assert result["months_ahead"] == 0
    assert result["value"] == pytest.approx(dict(series)["2024-08"])


def test_window_is_the_twelve_months_ending_at_the_as_of_month():
    as_of = "2023-06"
    series = _linear("2019-07", "2023-06", 0.0, 10.0)
    result = projection(series, as_of, CLOSING)
    assert result["window"] == [add_months(as_of, -11), as_of]


# ---------------------------------------------------------------- judged at the target date

DEADLINE = dt.date(2024, 8, 31)


@pytest.mark.parametrize("points, baseline, target, direction, status, then, met_period", [
    # reached before the date and still there
    ([("2024-06", 2700), ("2024-08", 3100), ("2025-01", 3200)], 0, 3000, "higher", progress.MET_ON_TIME, 3100, None),
    # reached earlier, slipped below by the last report before the date: judged on the value then
    ([("2024-05", 3100), ("2024-08", 2900), ("2025-01", 3200)], 0, 3000, "higher", progress.MET_LATE, 2900, "2025-01"),
    # exactly at the target on the target month counts as met on time
    ([("2024-08", 3000)], 0, 3000, "higher", progress.MET_ON_TIME, 3000, None),
    # reached after the date: the first month that reached it is named
    ([("2024-08", 2700), ("2024-11", 2950), ("2025-03", 3000), ("2025-06", 3300)], 0, 3000, "higher",
     progress.MET_LATE, 2700, "2025-03"),
    # never reached
    ([("2024-08", 2670), ("2025-06", 2900)], 0, 3000, "higher", progress.NOT_MET, 2670, None),
    # nothing reported by the date, reached later
    ([("2024-09", 3100)], 0, 3000, "higher", progress.MET_LATE, None, "2024-09"),
    # nothing reported by the date and never reached
    ([("2025-02", 10)], 0, 3000, "higher", progress.NOT_MET, None, None),
    # lower is better: 31 days at the date, 30 reached in Feb 2025
    ([("2024-08", 31.0), ("2025-02", 30.0)], 45, 30, "lower", progress.MET_LATE, 31.0, "2025-02"),
    ([("2024-07", 29.5), ("2025-02", 33.0)], 45, 30, "lower", progress.MET_ON_TIME, 29.5, None),
    # a year period starting before the date counts as reported by then (survey 2024, target 2024-08)
    ([("2023", 30.1), ("2024", 27.9)], 33.1, 28.0, "lower", progress.MET_ON_TIME, 27.9, None),
    # missing values are no reports
    ([("2024-08", float("nan")), ("2024-07", 2000)], 0, 3000, "higher", progress.NOT_MET, 2000, None),
])
def test_judged_at_the_target_date(points, baseline, target, direction, status, then, met_period):
    verdict = progress.judge_at_deadline(points, baseline, target, DEADLINE, direction)
    assert verdict["status"] == status
    assert verdict["deadline_value"] == then
    assert verdict["met_period"] == met_period


@pytest.mark.parametrize("target_date, as_of_end, passed", [
    (dt.date(2024, 8, 31), dt.date(2024, 8, 31), False),  # the closing month itself is still before
    (dt.date(2024, 8, 31), dt.date(2024, 9, 30), True),
    (dt.date(2025, 12, 31), dt.date(2025, 12, 31), False),
    (None, dt.date(2030, 1, 31), False),
])
def test_deadline_passes_after_the_month_that_contains_it(target_date, as_of_end, passed):
    assert progress.deadline_passed(target_date, as_of_end) is passed


# ---------------------------------------------------------------- projection caps status

def _projected(low, high):
    return {"state": "projected", "value": (low + high) / 2, "low": low, "high": high}


@pytest.mark.parametrize("status, projected, baseline, target, direction, expected", [
    (ON_TRACK, _projected(20000, 27018), 0, 30070, "higher", AT_RISK),  # the national Nov 2022 case
    (ON_TRACK, _projected(20000, 30070), 0, 30070, "higher", ON_TRACK),  # top of the band just reaches
    (ON_TRACK, _projected(20000, 30069.9), 0, 30070, "higher", AT_RISK),
    (AT_RISK, _projected(1, 2), 0, 30070, "higher", AT_RISK),  # never raised, never lowered further
    (OFF_TRACK, _projected(1, 2), 0, 30070, "higher", OFF_TRACK),
    (MET, _projected(1, 2), 0, 30070, "higher", MET),
    (ON_TRACK, {"state": "insufficient"}, 0, 30070, "higher", ON_TRACK),  # no projection, no cap
    (ON_TRACK, {"state": "closed", "value": 1}, 0, 30070, "higher", ON_TRACK),
    # lower is better: the best case is the bottom of the band
    (ON_TRACK, _projected(29.0, 40.0), 45, 30, "lower", ON_TRACK),
    (ON_TRACK, _projected(31.0, 40.0), 45, 30, "lower", AT_RISK),
    (ON_TRACK, _projected(1, 2), 0, None, "higher", ON_TRACK),
])
def test_status_is_no_better_than_at_risk_when_the_projection_misses(status, projected, baseline, target,
                                                                      direction, expected):
    assert progress.cap_by_projection(status, projected, baseline, target, direction) == expected
