"""Progress against results-framework targets: percent of the way, status, projection to project close.

Pure computations on numbers and dates (no database), so the rules can be tested case by case
and written on the page exactly as they are applied.

Status rule (one rule for every indicator):
- "target met": the actual has reached the target (for lower-is-better indicators: is at or
  below it);
- otherwise progress = share of the way from baseline to target already covered, and
  expected = share of the way the target path has covered at the date the actual describes
  (the middle of its period, at the latest the end of the as-of month).
  The target path is the straight line from the baseline to the end-of-project target, bending
  through the annual targets where the results framework sets them.
  "on track": progress is at most ON_TRACK_MAX_GAP points behind expected;
  "at risk": at most AT_RISK_MAX_GAP points behind; "off track": further behind.
- "no data": nothing reported yet; "not rated": no target, or no baseline to measure from.
After the target date (the end-of-project target's date has passed by the end of the as-of
month) the indicator is judged against that date instead (judge_at_deadline):
  "met on time": the last value reported for a period starting on or before the target date had
  reached the target; "met late (month)": it had not, but a later report reached it (the first
  such month is named); "not met by the target date (value then)": no report has reached it yet.
Projection cap (cap_by_projection): when the projection's upper bound at closing still misses
the end-of-project target, the status cannot be better than "at risk" (an indicator "on track"
becomes "at risk"): a status must not promise what the projection beside it rules out.
Because progress is measured along the way from baseline to target, the same rule works for
indicators where lower is better (stunting, payment delay): going down is progress.

Projection rule (cumulative indicators): pace = least-squares slope of the monthly values over
the PROJECTION_WINDOW months ending at the as-of month; the projected value at closing is that
line carried forward to the closing month. The band is the 95 % prediction interval of the same
regression (Student t), which widens with the distance from the fitted months; it reflects how
steady the pace was, not shocks the past year did not show. A cumulative count does not fall,
so the band never goes below the latest reported value.
"""
import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from data_access.periods import add_months, month_code, month_range, period_end, period_start

MET = "met"
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"
NOT_RATED = "not_rated"
MET_ON_TIME = "met_on_time"
MET_LATE = "met_late"
NOT_MET = "not_met"
STATUSES = (MET, ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA, NOT_RATED, MET_ON_TIME, MET_LATE, NOT_MET)
# Points of the baseline-to-target way that an indicator may lag the target path.
ON_TRACK_MAX_GAP = 10.0
AT_RISK_MAX_GAP = 25.0

PROJECTION_WINDOW = 12
# Fewer monthly values than this in the window give no projection: a line through three
# points says little about the next two years.
PROJECTION_MIN_POINTS = 6
# Two-sided 95 % Student t quantiles by degrees of freedom (the window has at most 12 points).
_T95 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
        10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110,
        18: 2.101, 19: 2.093, 20: 2.086, 25: 2.060, 30: 2.042}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def progress_percent(actual: float | None, baseline: float | None, target: float | None) -> float | None:
    """Share (in %) of the way from baseline to target covered by actual.

    Direction comes from the targets themselves: with baseline 45 days and target 30 days, an
    actual of 40 is 33.3 % of the way. Above 100 the target is passed; below 0 the indicator
    moved away from it. None when a number is missing or target equals baseline (no way to cover).
    """
    if _missing(actual) or _missing(baseline) or _missing(target) or target == baseline:
        return None
    return 100.0 * (actual - baseline) / (target - baseline)


def _better_sign(baseline: float | None, target: float, direction: str) -> int:
    """+1 when higher values are progress, -1 when lower are."""
    if not _missing(baseline) and target != baseline:
        return 1 if target > baseline else -1
    return -1 if direction == "lower" else 1


def target_met(actual: float | None, baseline: float | None, target: float | None, direction: str) -> bool:
    """True when actual has reached target on the better side (at or below it when lower is better)."""
    if _missing(actual) or _missing(target):
        return False
    return _better_sign(baseline, target, direction) * (actual - target) >= 0


@dataclass(frozen=True)
class Assessment:
    progress: float | None  # % of the way from baseline to target
    expected: float | None  # % of the way the target path has covered at the judgement date
    behind: float | None  # expected - progress, in points (negative: ahead of the path)
    status: str


def assess(actual: float | None, baseline: float | None, target: float | None,
           path_value: float | None, direction: str = "higher") -> Assessment:
    """Status of one indicator, by the rule in the module docstring.

    path_value is the target path's value at the date the actual describes (see path_value_at).
    """
    if _missing(actual):
        return Assessment(None, None, None, NO_DATA)
    if _missing(target):
        return Assessment(None, None, None, NOT_RATED)
    progress = progress_percent(actual, baseline, target)
    expected = progress_percent(path_value, baseline, target)
    if target_met(actual, baseline, target, direction):
        return Assessment(progress, expected, None if progress is None or expected is None else expected - progress, MET)
    if _missing(baseline):
        return Assessment(None, None, None, NOT_RATED)
    if progress is None:
        # Target equal to baseline ("keep it at this level") and not kept.
        return Assessment(None, None, None, OFF_TRACK)
    if expected is None:
        expected = 100.0
    expected = min(max(expected, 0.0), 100.0)
    behind = expected - progress
    if behind <= ON_TRACK_MAX_GAP:
        status = ON_TRACK
    elif behind <= AT_RISK_MAX_GAP:
        status = AT_RISK
    else:
        status = OFF_TRACK
    return Assessment(progress, expected, behind, status)


def deadline_passed(target_date: dt.date | None, as_of_end: dt.date) -> bool:
    """True when the target date lies before the last day of the as-of month."""
    return target_date is not None and target_date < as_of_end


def judge_at_deadline(points: Sequence[tuple[str, float]], baseline: float | None, target: float,
                      deadline: dt.date, direction: str = "higher") -> dict:
    """Status of an indicator whose target date has passed, by the rule in the module docstring.

    points: (period code, value) reported up to the as-of month, any order.
    Returns {"status": MET_ON_TIME / MET_LATE / NOT_MET, "deadline_period", "deadline_value"
    (the last report for a period starting on or before the deadline, or None), "met_period"
    (the first later period that reached the target, MET_LATE only, else None)}.
    """
    reported = sorted((period, float(value)) for period, value in points if not _missing(value))
    before = [point for point in reported if period_start(point[0]) <= deadline]
    then = before[-1] if before else (None, None)
    result = {"deadline_period": then[0], "deadline_value": then[1], "met_period": None}
    if then[0] is not None and target_met(then[1], baseline, target, direction):
        return result | {"status": MET_ON_TIME}
    later = next((period for period, value in reported
                  if period_start(period) > deadline and target_met(value, baseline, target, direction)), None)
    if later is not None:
        return result | {"status": MET_LATE, "met_period": later}
    return result | {"status": NOT_MET}


def projection_misses(projected: dict, baseline: float | None, target: float | None, direction: str = "higher") -> bool:
    """True when a projection (see projection()) was made and even its upper bound at closing
    (the lower bound where lower is better) misses the target."""
    if projected.get("state") != "projected" or _missing(target):
        return False
    best = projected["high"] if _better_sign(baseline, target, direction) > 0 else projected["low"]
    return not target_met(best, baseline, target, direction)


def cap_by_projection(status: str, projected: dict, baseline: float | None, target: float | None,
                      direction: str = "higher") -> str:
    """The status, no better than AT_RISK when the projection's best case misses the target."""
    if status == ON_TRACK and projection_misses(projected, baseline, target, direction):
        return AT_RISK
    return status


def target_path(points: Iterable[tuple[dt.date, float]]) -> list[tuple[dt.date, float]]:
    """The path's corner points sorted by date; of two points on one date the last given wins
    (pass the end-of-project target after the annual ones)."""
    by_day: dict[dt.date, float] = {}
    for day, value in points:
        if day is not None and not _missing(value):
            by_day[day] = float(value)
    return sorted(by_day.items())


def path_value_at(path: Sequence[tuple[dt.date, float]], day: dt.date) -> float | None:
    """The target path's value on a day: linear between corner points, flat before the first
    and after the last. None for an empty path."""
    if not path:
        return None
    if day <= path[0][0]:
        return path[0][1]
    if day >= path[-1][0]:
        return path[-1][1]
    for (day0, value0), (day1, value1) in zip(path, path[1:]):
        if day0 <= day <= day1:
            share = (day - day0).days / (day1 - day0).days
            return value0 + share * (value1 - value0)
    return path[-1][1]


def share_of_year_elapsed(day: dt.date, year_end: dt.date) -> float:
    """Share of a target year gone by on `day`, the year running from 1 January to `year_end`
    (the target's date: 31 December, or the closing date in the closing year)."""
    start = dt.date(year_end.year, 1, 1)
    if day >= year_end:
        return 1.0
    if day < start:
        return 0.0
    return ((day - start).days + 1) / ((year_end - start).days + 1)


def middle_day(period: str) -> dt.date:
    """The day a reported value is taken to describe: the middle of its period (2 July for a
    year, the 16th for a 31-day month). A survey round of 2022 is not "end of 2022"."""
    start, end = period_start(period), period_end(period)
    return start + (end - start) // 2


def _t95(degrees_of_freedom: int) -> float:
    known = [df for df in _T95 if df <= degrees_of_freedom]
    return _T95[max(known)] if known else _T95[1]


def _month_number(period: str) -> int:
    start = period_start(period)
    return start.year * 12 + start.month - 1


def projection(series: Iterable[tuple[str, float]], as_of: str, closing_date: dt.date,
               window: int = PROJECTION_WINDOW) -> dict:
    """Project a cumulative monthly series to the closing month (rule in the module docstring).

    series: (month code, value) pairs, any order, missing months simply absent.
    Returns a dict with "state":
    - "no_data": nothing reported up to as_of;
    - "closed": as_of is after the closing month; "value"/"period" give the latest value up to
      the closing month (the actual at closing) and no projection is made;
    - "insufficient": fewer than PROJECTION_MIN_POINTS values in the window ("n_points", "minimum");
    - "projected": "pace" (per month), "start" (fitted value at as_of), "value", "low", "high"
      (at closing), "months_ahead", "window" ([first, last] month), "n_points", and "path": a
      list of (month, centre, low, high) from as_of to the closing month for drawing the band.
    Every state has "latest" = (month, value) of the last report up to as_of, or None.
    """
    points = sorted((period, float(value)) for period, value in series
                    if not _missing(value) and period <= as_of)
    if not points:
        return {"state": "no_data", "latest": None}
    latest = points[-1]
    closing_month = month_code(closing_date)
    if as_of > closing_month:
        at_close = [point for point in points if point[0] <= closing_month]
        if not at_close:
            return {"state": "no_data", "latest": latest}
        period, value = at_close[-1]
        return {"state": "closed", "latest": latest, "period": period, "value": value}
    window_first = add_months(as_of, -(window - 1))
    recent = [(period, value) for period, value in points if period >= window_first]
    if len(recent) < PROJECTION_MIN_POINTS:
        return {"state": "insufficient", "latest": latest, "n_points": len(recent),
                "minimum": PROJECTION_MIN_POINTS}
    x = np.array([_month_number(period) for period, _ in recent], dtype=float)
    y = np.array([value for _, value in recent], dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    residuals = y - (intercept + slope * x)
    n = len(x)
    scatter = math.sqrt(float(residuals @ residuals) / (n - 2))
    spread = float(((x - x.mean()) ** 2).sum())
    t95 = _t95(n - 2)
    # A cumulative count does not fall below what is already reported.
    floor = latest[1]

    def at(month: str) -> tuple[float, float, float]:
        xm = _month_number(month)
        centre = float(intercept + slope * xm)
        half = t95 * scatter * math.sqrt(1 + 1 / n + (xm - x.mean()) ** 2 / spread)
        return max(centre, floor), max(centre - half, floor), max(centre + half, floor)

    path = [(month, *at(month)) for month in month_range(as_of, closing_month)]
    _, value, low, high = path[-1]
    return {
        "state": "projected", "latest": latest, "pace": float(slope), "start": path[0][1],
        "value": value, "low": low, "high": high, "months_ahead": len(path) - 1,
        "window": [recent[0][0], recent[-1][0]], "n_points": n, "path": path,
    }
