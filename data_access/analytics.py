"""Pure computations on query results: payment delays and backlog, ranking, relative performance, staleness.

The Phase II score and proposal live in data_access/phase2_proposal.py.
"""
import datetime as dt
import math

import numpy as np
import pandas as pd

from data_access import significance
from data_access.periods import period_start

# ------------------------------------------------------------------ ratios


def ratio_of_sums(
    frame: pd.DataFrame,
    by: list[str] | None = None,
    numerator: str = "numerator",
    denominator: str = "denominator",
    multiplier: float = 100.0,
) -> pd.DataFrame | float | None:
    """sum(numerator) / sum(denominator) x multiplier, overall (a float or None) or per group.

    Rows missing either part are left out of both sums, so a unit that reported only a
    numerator cannot inflate the ratio; a group whose denominators sum to 0 has no value.
    Per group the result has the `by` columns plus numerator, denominator and value.
    """
    both = frame[frame[numerator].notna() & frame[denominator].notna()]
    if by is None:
        total_denominator = float(both[denominator].sum())
        if both.empty or total_denominator <= 0:
            return None
        return float(both[numerator].sum()) / total_denominator * multiplier
    sums = both.groupby(by, as_index=False)[[numerator, denominator]].sum()
    sums = sums.rename(columns={numerator: "numerator", denominator: "denominator"})
    positive = sums["denominator"] > 0
    sums["value"] = np.where(positive, sums["numerator"] / sums["denominator"].where(positive) * multiplier, np.nan)
    return sums


# ------------------------------------------------------------------ payment pipeline

STEP_DATES = ("verified_on", "approved_on", "funds_sent_on", "paid_on")
# Where an open cycle is waiting, named after the step it waits for.
STAGES = ("awaiting_approval", "awaiting_funds", "awaiting_payment", "paid")
STEP_DAYS = ("days_to_approval", "days_approval_to_funds", "days_funds_to_paid")


def cycles_as_of(cycles: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The cycles verified on or before as_of, with every later date blanked.

    Looking back at a past month, a step taken after that month had not happened yet:
    blanking it shows the pipeline as people saw it then.
    """
    limit = pd.Timestamp(as_of)
    frame = cycles.copy()
    for column in STEP_DATES:
        frame[column] = pd.to_datetime(frame[column])
    frame = frame[frame["verified_on"].notna() & (frame["verified_on"] <= limit)].copy()
    for column in STEP_DATES[1:]:
        frame.loc[frame[column] > limit, column] = pd.NaT
    return frame.reset_index(drop=True)


def pipeline_days(cycles: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Per cycle as known on as_of: days spent in each step, where it waits, and for how long.

    Adds days_to_approval, days_approval_to_funds, days_funds_to_paid (completed steps only),
    days_verified_to_paid (paid cycles), stage (one of STAGES), days_waiting (days since the
    last completed step for an open cycle, else NaN) and days_since_verified (to payment, or
    to as_of while still open): the time a beneficiary has waited so far.
    A date that runs backwards (approved before verified) is kept but its step has no days.
    """
    frame = cycles_as_of(cycles, as_of)
    limit = pd.Timestamp(as_of)

    def step(later: str, earlier: str) -> pd.Series:
        days = (frame[later] - frame[earlier]).dt.days.astype("float64")
        return days.where(days >= 0)

    frame["days_to_approval"] = step("approved_on", "verified_on")
    frame["days_approval_to_funds"] = step("funds_sent_on", "approved_on")
    frame["days_funds_to_paid"] = step("paid_on", "funds_sent_on")
    frame["days_verified_to_paid"] = step("paid_on", "verified_on")
    stage = np.select(
        [frame["paid_on"].notna(), frame["funds_sent_on"].notna(), frame["approved_on"].notna()],
        ["paid", "awaiting_payment", "awaiting_funds"],
        default="awaiting_approval",
    )
    frame["stage"] = stage
    last_step = frame["funds_sent_on"].fillna(frame["approved_on"]).fillna(frame["verified_on"])
    waiting = (limit - last_step).dt.days.astype("float64")
    frame["days_waiting"] = waiting.where(frame["stage"] != "paid")
    until = frame["paid_on"].fillna(limit)
    frame["days_since_verified"] = (until - frame["verified_on"]).dt.days.astype("float64")
    return frame


def delay_statistics(pipeline: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Delay statistics of a pipeline_days() frame, overall (one row) or per group.

    Columns: the `by` columns, n_cycles, n_paid, n_open, median_days, mean_days, p90_days,
    max_days (verified -> paid, over paid cycles), median_to_approval,
    median_approval_to_funds, median_funds_to_paid (over cycles that completed the step),
    longest_open_days (days since verification of the oldest open cycle). Each cycle counts
    once; statistics over no cycle are NaN, never 0.
    """
    columns = (by or []) + ["n_cycles", "n_paid", "n_open", "median_days", "mean_days", "p90_days", "max_days",
                            "median_to_approval", "median_approval_to_funds", "median_funds_to_paid",
                            "longest_open_days"]
    if pipeline.empty:
        return pd.DataFrame([{**{column: math.nan for column in columns}, "n_cycles": 0, "n_paid": 0, "n_open": 0}]
                            if not by else [], columns=columns)
    # Grouped statistics in one pass (a Python loop over ~150 groups cost a quarter of a second).
    frame = pipeline.assign(_open=pipeline["stage"] != "paid", _all=0)
    frame["_open_since"] = frame["days_since_verified"].where(frame["_open"])
    groups = frame.groupby(by or ["_all"], sort=True)
    paid = groups["days_verified_to_paid"]
    result = pd.DataFrame({
        "n_cycles": groups.size(),
        "n_paid": paid.count(),
        "n_open": groups["_open"].sum(),
        "median_days": paid.median(),
        "mean_days": paid.mean(),
        "p90_days": paid.quantile(0.9),
        "max_days": paid.max(),
        "median_to_approval": groups["days_to_approval"].median(),
        "median_approval_to_funds": groups["days_approval_to_funds"].median(),
        "median_funds_to_paid": groups["days_funds_to_paid"].median(),
        "longest_open_days": groups["_open_since"].max(),
    }).reset_index()
    for column in ("n_cycles", "n_paid", "n_open"):
        result[column] = result[column].astype(int)
    for column in columns[len(by or []) + 3:]:
        result[column] = result[column].astype("float64")
    return result[columns]


def _median(values: pd.Series) -> float:
    clean = values.dropna()
    return float(clean.median()) if len(clean) else math.nan


def payment_backlog(pipeline: pd.DataFrame) -> pd.DataFrame:
    """The open cycles of a pipeline_days() frame, longest wait first.

    awaiting_approval = verified but not approved; awaiting_funds and awaiting_payment
    together are the approved-but-unpaid cycles.
    """
    open_cycles = pipeline[pipeline["stage"] != "paid"]
    return open_cycles.sort_values(["days_since_verified", "district_code"], ascending=[False, True]).reset_index(
        drop=True
    )


def backlog_by_unit(backlog: pd.DataFrame, by: str = "district_code") -> pd.DataFrame:
    """Per unit: open cycles per stage, beneficiaries waiting and the longest wait.

    Columns: `by`, awaiting_approval, awaiting_funds, awaiting_payment, approved_unpaid,
    n_open, beneficiaries_waiting (None when no open cycle says how many), longest_wait_days.
    """
    columns = [by, "awaiting_approval", "awaiting_funds", "awaiting_payment", "approved_unpaid", "n_open",
               "beneficiaries_waiting", "longest_wait_days"]
    if backlog.empty:
        return pd.DataFrame(columns=columns)
    counts = pd.crosstab(backlog[by], backlog["stage"]).reindex(columns=list(STAGES[:3]), fill_value=0)
    summary = counts.reset_index()
    summary.columns.name = None
    summary["approved_unpaid"] = summary["awaiting_funds"] + summary["awaiting_payment"]
    summary["n_open"] = summary["awaiting_approval"] + summary["approved_unpaid"]
    grouped = backlog.groupby(by)
    summary["beneficiaries_waiting"] = summary[by].map(grouped["beneficiaries"].sum(min_count=1))
    summary["longest_wait_days"] = summary[by].map(grouped["days_since_verified"].max())
    return summary.sort_values(["longest_wait_days", by], ascending=[False, True]).reset_index(drop=True)[columns]


def payments_by_cycle(pipeline: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Per cycle period (the month whose compliance is paid): what was paid and what still waits.

    pipeline: pipeline_days() frame; rates: period ("2023-05"), lak_per_usd.
    Columns: period, n_cycles, n_paid, beneficiaries_paid, beneficiaries_waiting,
    amount_lak_paid, amount_usd_paid. USD converts each paid cycle at the rate of the month
    it was paid; a paid cycle with no known rate makes the period's USD total missing
    rather than too small.
    """
    columns = ["period", "n_cycles", "n_paid", "beneficiaries_paid", "beneficiaries_waiting", "amount_lak_paid",
               "amount_usd_paid"]
    if pipeline.empty:
        return pd.DataFrame(columns=columns)
    frame = pipeline.copy()
    paid = frame["stage"] == "paid"
    paid_month = frame["paid_on"].dt.strftime("%Y-%m")
    rate = paid_month.map(rates.set_index("period")["lak_per_usd"]) if not rates.empty else np.nan
    frame["usd"] = np.where(paid, frame["amount_lak"] / rate, np.nan)
    frame["usd_missing"] = paid & frame["amount_lak"].notna() & pd.isna(frame["usd"])
    frame["beneficiaries_paid"] = frame["beneficiaries"].where(paid)
    frame["beneficiaries_waiting"] = frame["beneficiaries"].where(~paid)
    frame["amount_lak_paid"] = frame["amount_lak"].where(paid)
    grouped = frame.groupby("period", sort=True)
    summary = pd.DataFrame({
        "n_cycles": grouped.size(),
        "n_paid": grouped["stage"].apply(lambda stage: int((stage == "paid").sum())),
        "beneficiaries_paid": grouped["beneficiaries_paid"].sum(min_count=1),
        "beneficiaries_waiting": grouped["beneficiaries_waiting"].sum(min_count=1),
        "amount_lak_paid": grouped["amount_lak_paid"].sum(min_count=1),
        "amount_usd_paid": grouped["usd"].sum(min_count=1).where(~grouped["usd_missing"].any()),
    }).reset_index()
    return summary[columns]


# ------------------------------------------------------------------ ranking and comparison


def rank_values(values: pd.Series, direction: str, std_errors: pd.Series | None = None) -> pd.Series:
    """Competition ranks, 1 = best for the direction ("lower" is better, else higher).

    Ties share the best rank of their group (1, 2, 2, 4); missing values get no rank (<NA>)
    and never push a reported value down the list. With std_errors (survey estimates, shares
    of small denominators) values within each other's uncertainty tie: the rank is 1 + the
    number of units significantly better (data_access.significance).
    """
    if std_errors is not None:
        return significance.ranks_within_uncertainty(values, std_errors, direction)
    numeric = pd.to_numeric(values, errors="coerce").astype("float64")
    ranks = numeric.rank(method="min", ascending=(direction == "lower"), na_option="keep")
    return ranks.astype("Int64")


def best_and_worst(values: pd.Series, direction: str, std_errors: pd.Series | None = None) -> tuple[set, set]:
    """Index labels of the best and of the worst values (ties included).

    Both are empty when fewer than two values are reported or all are equal: nobody is
    best or worst among equals. With std_errors, "equal" means within the uncertainty
    (data_access.significance.best_and_worst_within_uncertainty).
    """
    if std_errors is not None:
        return significance.best_and_worst_within_uncertainty(values, std_errors, direction)
    numeric = pd.to_numeric(values, errors="coerce").dropna()
    if len(numeric) < 2 or numeric.nunique() < 2:
        return set(), set()
    top, bottom = numeric.max(), numeric.min()
    best, worst = (bottom, top) if direction == "lower" else (top, bottom)
    return set(numeric.index[numeric == best]), set(numeric.index[numeric == worst])


def rank_and_extremes(values: pd.Series, direction: str, std_errors: pd.Series) -> tuple[pd.Series, set, set]:
    """(rank_values, *best_and_worst) with standard errors, the pairs compared once; best and worst are
    empty for an indicator with no better direction ("neutral")."""
    ranks, best, worst = significance.ranking_within_uncertainty(values, std_errors, direction)
    return (ranks, set(), set()) if direction == "neutral" else (ranks, best, worst)


def relative_performance(value, reference, direction: str) -> float | None:
    """(value - reference) / |reference|, signed so that > 0 is better and < 0 is worse.

    None when either is missing, the reference is 0 (no scale to compare on) or the
    indicator has no better direction.
    """
    if _missing(value) or _missing(reference) or reference == 0 or direction not in ("higher", "lower"):
        return None
    change = (float(value) - float(reference)) / abs(float(reference))
    return change if direction == "higher" else -change


def performance_frame(frame: pd.DataFrame, directions: dict[str, str]) -> pd.DataFrame:
    """Adds reference, reference_kind and performance to a district x indicator frame.

    frame: district_code, province_code, indicator_code, value, target (may be NaN).
    The reference is the district's target where one is set, otherwise the median of the
    districts of the same province that reported the indicator (a middle district, not a
    province total). directions: indicator_code -> "higher" | "lower" | "neutral".
    """
    result = frame.copy()
    medians = (
        result.dropna(subset=["value"])
        .groupby(["province_code", "indicator_code"])["value"]
        .median()
        .rename("province_median")
    )
    result = result.join(medians, on=["province_code", "indicator_code"])
    has_target = result["target"].notna()
    result["reference"] = result["target"].where(has_target, result["province_median"])
    result["reference_kind"] = np.where(has_target, "target",
                                        np.where(result["province_median"].notna(), "province_median", None))
    result["performance"] = [
        relative_performance(value, reference, directions.get(code, "neutral"))
        for value, reference, code in zip(result["value"], result["reference"], result["indicator_code"])
    ]
    result["performance"] = pd.to_numeric(result["performance"], errors="coerce").astype("float64")
    return result


# ------------------------------------------------------------------ staleness


def periods_between(earlier: str, later: str) -> int:
    """How many periods of their type `later` is after `earlier` (0 when equal)."""
    start, end = period_start(earlier), period_start(later)
    months = (end.year - start.year) * 12 + end.month - start.month
    if "-Q" in earlier:
        return months // 3
    if len(earlier) == 4:
        return months // 12
    return months


def as_of_period(as_of_month: str, period_type: str) -> str:
    """The latest period of the type that has ended by the end of as_of_month.

    A quarter is reported once it is over: as of 2025-11 the latest quarter is 2025-Q3,
    as of 2025-12 it is 2025-Q4.
    """
    start = period_start(as_of_month)
    if period_type == "month":
        return as_of_month
    if period_type == "quarter":
        quarter = (start.month - 1) // 3 + 1
        if start.month % 3 != 0:
            quarter -= 1
        return f"{start.year}-Q{quarter}" if quarter > 0 else f"{start.year - 1}-Q4"
    if period_type == "year":
        return f"{start.year}" if start.month == 12 else f"{start.year - 1}"
    raise ValueError(f"unknown period type {period_type!r}")


def report_status(last_period: str | None, as_of_month: str, period_type: str, n_periods: int) -> str:
    """"current", "stale" (no report in the last n_periods periods up to as_of) or "never".

    The window is the n_periods periods of the indicator's own type ending with the latest
    one over by as_of_month (as_of_period): with n_periods = 3, a monthly indicator last
    reported in 2025-09 is current as of 2025-11 and stale as of 2025-12. A report after
    as_of does not count.
    """
    if n_periods < 1:
        raise ValueError("n_periods must be at least 1")
    if not last_period or (isinstance(last_period, float) and math.isnan(last_period)):
        return "never"
    since = periods_between(last_period, as_of_period(as_of_month, period_type))
    if since < 0:
        return "never"
    return "current" if since < n_periods else "stale"


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True
