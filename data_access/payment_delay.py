"""Payment delay, defined once: how long each cycle's beneficiaries have waited since verification.

The rule (written on the Overview, Targets and Trends pages): for each CCT payment cycle,
days waiting = compliance verified -> paid, or verified -> the end of the as-of month while
still unpaid. The payment delay of a place in a month is the median of days waiting over
the cycles paid in that month and the cycles still open at its end, each cycle counted once
(a district's cycle is one approval decision). The results framework's entry for the
indicator (reference/indicators.csv, targets 45 -> 30 days) says "days from compliance
verification to payment" and chooses no statistic (its "ratio" rule serves imported
observations: total days over cycles); the median is used so that one extreme cycle cannot
move the headline alone, and the longest wait is always shown beside it.

A cycle verified after the as-of date did not exist yet; a payment dated after it had not
happened (as in analytics.cycles_as_of, which the Trends pipeline uses). A cycle whose
payment date is before its verification date cannot say how long anyone waited: it is
counted in n_inconsistent and left out.

The observation rollup stores this figure for every district, province and the country
and month (rebuild_payment_delay_rollup), so the map, the district ranking and the Targets
page read exactly what the Overview and Trends compute here.
"""
import datetime as dt
import math

import pandas as pd
from sqlalchemy import Connection, text

from data_access.frames import rows_frame
from data_access.schema import NATIONAL_CODE

INDICATOR = "CCT_PAY_DELAY"
SUMMARY_COLUMNS = [
    "n_cycles", "delay_days", "n_open", "beneficiaries_waiting", "longest_open_days", "median_open_days",
    "n_paid", "median_paid_days", "n_inconsistent",
]


def days_waiting(cycles: pd.DataFrame, as_of: dt.date, first_day: dt.date | None = None) -> pd.DataFrame:
    """The cycles that count for the month ending on as_of, with their days waiting.

    cycles: one row per cycle with verified_on and paid_on (dates, text or None) and
    beneficiaries. Kept: cycles open at as_of (verified by then, not paid by then) and
    cycles paid in as_of's month. Adds as_of, is_open and days_waiting (NaN when the dates
    run backwards). first_day (a review period's first day) widens "paid in the month" to
    "paid from first_day to as_of": the same rule over a quarter or semester.
    """
    return waits_by_month(cycles, [as_of], first_day)


def waits_by_month(cycles: pd.DataFrame, month_ends: list[dt.date], first_day: dt.date | None = None) -> pd.DataFrame:
    """days_waiting for several months at once: one row per month (as_of) and cycle that counts."""
    frame = cycles.copy()
    for column in ("verified_on", "paid_on"):
        frame[column] = pd.to_datetime(frame[column])
    frame = frame[frame["verified_on"].notna()]
    ends = pd.to_datetime(pd.Series(month_ends, dtype="object"))
    if len(ends) == 1:
        # One month (every page but the rollup's): a column, not a cross join (pandas' cross merge cost 50 ms).
        grid = frame.assign(as_of=ends.iloc[0])
    else:
        grid = frame.merge(pd.DataFrame({"as_of": ends}), how="cross")
    # A cycle verified after the as-of date did not exist yet; a payment after it had not happened.
    grid = grid[grid["verified_on"] <= grid["as_of"]].copy()
    paid = grid["paid_on"].where(grid["paid_on"] <= grid["as_of"])
    month_start = (grid["as_of"].dt.to_period("M").dt.start_time if first_day is None
                   else pd.Timestamp(first_day))
    keep = paid.isna() | (paid >= month_start)
    grid, paid = grid[keep].copy(), paid[keep]
    grid["paid_on"] = paid
    grid["is_open"] = paid.isna()
    waited = (paid.fillna(grid["as_of"]) - grid["verified_on"]).dt.days.astype("float64")
    grid["days_waiting"] = waited.where(waited >= 0)
    return grid.reset_index(drop=True)


def delay_summary(waits: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """The headline and its two parts from a days_waiting() frame, overall (one row) or per group.

    Columns: the `by` columns, then n_cycles, delay_days (the headline: median days waiting
    over open and paid cycles), n_open, beneficiaries_waiting (NaN when no open cycle says
    how many), longest_open_days, median_open_days, n_paid, median_paid_days, n_inconsistent.
    A statistic over no cycle is NaN, never 0; overall with no cycle at all, n_cycles is 0
    and delay_days NaN (missing, not "no delay").
    """
    if not by:
        frame = delay_summary(waits.assign(_all=0), by=["_all"]).drop(columns="_all")
        return frame if len(frame) else pd.DataFrame([_EMPTY], columns=SUMMARY_COLUMNS)
    if waits.empty:
        return pd.DataFrame(columns=by + SUMMARY_COLUMNS)
    valid = waits[waits["days_waiting"].notna()]
    open_cycles, paid = valid[valid["is_open"]], valid[~valid["is_open"]]
    total = waits.groupby(by).size()
    by_valid, by_open, by_paid = valid.groupby(by), open_cycles.groupby(by), paid.groupby(by)
    index = total.index

    def count(groups) -> pd.Series:
        return groups.size().reindex(index, fill_value=0).astype(int)

    summary = pd.DataFrame({
        "n_cycles": count(by_valid),
        "delay_days": by_valid["days_waiting"].median(),
        "n_open": count(by_open),
        "beneficiaries_waiting": by_open["beneficiaries"].sum(min_count=1),
        "longest_open_days": by_open["days_waiting"].max(),
        "median_open_days": by_open["days_waiting"].median(),
        "n_paid": count(by_paid),
        "median_paid_days": by_paid["days_waiting"].median(),
    }, index=index)
    summary["n_inconsistent"] = (total - summary["n_cycles"]).astype(int)
    for column in ("delay_days", "beneficiaries_waiting", "longest_open_days", "median_open_days",
                   "median_paid_days"):
        summary[column] = pd.to_numeric(summary[column], errors="coerce").astype("float64")
    return summary.reset_index()[by + SUMMARY_COLUMNS]


_EMPTY = {"n_cycles": 0, "delay_days": math.nan, "n_open": 0, "beneficiaries_waiting": math.nan,
          "longest_open_days": math.nan, "median_open_days": math.nan, "n_paid": 0,
          "median_paid_days": math.nan, "n_inconsistent": 0}


def summarise(waits: pd.DataFrame) -> dict:
    """One place's delay_summary row as a dict, with None for missing (pages show "no data")."""
    row = delay_summary(waits).iloc[0].to_dict()
    counts = ("n_cycles", "n_open", "n_paid", "n_inconsistent")
    result = {}
    for key, value in row.items():
        if value is None or pd.isna(value):
            result[key] = None
        elif key in counts or key == "beneficiaries_waiting":
            result[key] = int(value)
        else:
            result[key] = float(value)
    return result


# ------------------------------------------------------------------ rollup rows

CYCLE_SQL = """
    SELECT c.district_code, a.province_code, c.cycle_no, c.period, c.verified_on, c.approved_on,
           c.funds_sent_on, c.paid_on, c.beneficiaries
    FROM payment_cycle c JOIN admin_unit a ON a.code = c.district_code
    WHERE c.verified_on IS NOT NULL
"""


def rollup_rows(cycles: pd.DataFrame, months: list[str]) -> pd.DataFrame:
    """Payment delay per district, province and the country for each month (rollup shape).

    Columns: level, admin_code, period, period_start, value_sum (delay_days), n_units (1:
    the median is one figure for the place, not a sum over reporting units). Months and
    places with no cycle to count have no row: missing, not 0.
    """
    columns = ["level", "admin_code", "period", "period_start", "value_sum", "n_units"]
    ends = [(pd.Timestamp(f"{month}-01") + pd.offsets.MonthEnd(0)).date() for month in months]
    waits = waits_by_month(cycles, ends)
    if waits.empty:
        return pd.DataFrame(columns=columns)
    waits["period"] = waits["as_of"].dt.strftime("%Y-%m")
    waits["national"] = NATIONAL_CODE
    pieces = []
    for level, column in (("district", "district_code"), ("province", "province_code"), ("national", "national")):
        summary = delay_summary(waits, by=["period", column])
        summary = summary[summary["delay_days"].notna()]
        pieces.append(pd.DataFrame({"level": level, "admin_code": summary[column], "period": summary["period"],
                                    "value_sum": summary["delay_days"].astype(float), "n_units": 1}))
    rows = pd.concat(pieces, ignore_index=True)
    rows["period_start"] = [dt.date(int(period[:4]), int(period[5:7]), 1) for period in rows["period"]]
    return rows[columns]


def rebuild_payment_delay_rollup(conn: Connection) -> int:
    """Replace the payment-delay rollup rows with the figure derived from payment_cycle.

    Only when the database holds verified payment cycles: without them the indicator's
    rollup stays as imported observations made it. Runs in the caller's transaction.
    Returns the number of rows written.
    """
    result = conn.execute(text(CYCLE_SQL + " ORDER BY c.district_code, c.cycle_no"))
    cycles = rows_frame(result.fetchall(), list(result.keys()))
    if cycles.empty:
        return 0
    dates = pd.concat([pd.to_datetime(cycles[column]) for column in
                       ("verified_on", "approved_on", "funds_sent_on", "paid_on")])
    first, last = dates.min(), dates.max()
    months = [period.strftime("%Y-%m") for period in pd.period_range(first, last, freq="M")]
    rows = rollup_rows(cycles, months)
    conn.execute(text("DELETE FROM observation_rollup WHERE indicator_code = :code"), {"code": INDICATOR})
    if rows.empty:
        return 0
    records = rows.assign(indicator_code=INDICATOR).to_dict("records")
    conn.execute(
        text("""
            INSERT INTO observation_rollup
                (indicator_code, level, admin_code, period, period_start, value_sum, numerator,
                 denominator, std_error, n_units)
            VALUES (:indicator_code, :level, :admin_code, :period, :period_start, :value_sum, NULL,
                    NULL, NULL, :n_units)
        """),
        records,
    )
    return len(records)

