"""The review page: a quarter or semester against the period before, read with the pages' own queries.

Nothing here defines a number of its own: the headline figures are queries.overview's
headline_values (the Overview cards' numbers) over the period's months, the statuses are queries.targets' progress_table as of
each period's as-of month (the Targets page's rule), the results-framework values are
queries.observations' scope_value over the period (SQL aggregation by each indicator's rule) and
the payment delay is queries.payments' payment_delay over the period. Rules per value
(written on the page, i18n/catalogs/review.toml):
- a count (sum rule) is summed over the period's months;
- a share (ratio rule) is the period's summed numerators over its summed denominators;
- a stock (latest/max rule: registered to date, ODF villages, home gardens) is its value at the
  period's as-of month, carried reports included as on every page;
- a survey estimate (or anything reported once a year) is the latest round known by the end of
  the as-of month, whenever it was measured: a period without a new round shows the same round,
  "same survey round", and a new round's change is tested against both rounds' standard errors
  (data_access.significance): "no significant change" within the uncertainty;
- the payment delay is the median days waiting over the cycles paid in the period and those
  still waiting at its as-of month's end (data_access.payment_delay's rule over the period).
"""
import dataclasses

import pandas as pd
from sqlalchemy import Connection

from data_access import significance
from data_access.card_changes import compare
from data_access.payment_delay import INDICATOR as PAY_DELAY_INDICATOR
from data_access.periods import PeriodWindow, period_window
from data_access.queries.catalogue import months_with_data
from data_access.queries.observations import scope_value
from data_access.queries.overview import headline_values
from data_access.store import read_through
from data_access.queries.payments import payment_delay
from data_access.queries.targets import FIRST_PERIOD, progress_table, targeted_indicators

FRAMEWORK_COLUMNS = [
    "project_code", "project_name_en", "project_name_lo", "framework_level", "indicator_code", "name_en",
    "name_lo", "unit", "direction", "aggregation", "rule", "value_then", "period_then", "std_error_then",
    "value_now", "period_now", "std_error_now", "change", "verdict", "status_then", "status_now",
    "eop_target", "target_level",
]
# How a value over a period is read (the page writes each rule beside its rows).
RULE_SUM, RULE_RATIO, RULE_STOCK, RULE_SURVEY, RULE_DELAY = "sum", "ratio", "stock", "survey", "delay"


def value_rule(code: str, aggregation: str, period_type: str = "month") -> str:
    """Which period rule an indicator follows (see the module docstring)."""
    if code == PAY_DELAY_INDICATOR:
        return RULE_DELAY
    if aggregation == "survey" or period_type == "year":
        return RULE_SURVEY
    if aggregation in ("latest", "max"):
        return RULE_STOCK
    return RULE_RATIO if aggregation == "ratio" else RULE_SUM


def period_value(conn: Connection, code: str, rule: str, scope_code: str | None, window: PeriodWindow) -> dict:
    """{"value", "period" (the latest period inside the value), "std_error"} of one indicator over
    the window by its rule; value None when nothing was reported (missing, never 0)."""
    if rule == RULE_DELAY:
        delay = payment_delay(conn, scope_code, window.as_of, window.start)
        return {"value": delay["delay_days"], "period": window.as_of if delay["delay_days"] is not None else None,
                "std_error": None}
    first = FIRST_PERIOD if rule == RULE_SURVEY else window.start
    found = scope_value(conn, code, scope_code, first, window.as_of)
    return {"value": found["value"], "period": found["period"], "std_error": found["std_error"]}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def change_of(rule: str, direction: str, now: dict, then: dict) -> tuple[float | None, str | None]:
    """(now - then, verdict). Verdicts: "better" / "worse" / "same" by the indicator's direction;
    for survey estimates "same_round" (no round became known in between) or
    significance.change_verdict ("better", "worse", "no_change" within the uncertainty,
    "untested" without standard errors); None when either value is missing."""
    if _missing(now["value"]) or _missing(then["value"]):
        return None, None
    change = float(now["value"]) - float(then["value"])
    if rule == RULE_SURVEY:
        if now["period"] == then["period"]:
            return change, "same_round"
        return change, significance.change_verdict(now["value"], now["std_error"], then["value"],
                                                   then["std_error"], direction)
    if change == 0 or direction not in ("higher", "lower"):
        return change, "same"
    return change, "better" if (change > 0) == (direction == "higher") else "worse"


def review_windows(conn: Connection, period: str) -> tuple[PeriodWindow, PeriodWindow]:
    """The chosen period and the one before it, each with its as-of month (periods.period_window)."""
    months = months_with_data(conn)
    now = period_window(period, months)
    return now, period_window(now.previous, months)


def review_figures(conn: Connection, scope_code: str | None, period: str) -> dict:
    """The review of a place (None = national) for a period ("2022-S2", "2022-Q4", "2022-11").

    Returns {"window", "previous_window" (PeriodWindow fields as dicts), "headline_now",
    "headline_then" (the Overview cards' numbers over each window: headline_values, the part of
    headline_figures the cards compare), "changes" (card_changes.compare of the
    two), "progress_now", "progress_then" (progress_table as of each as-of month: the statuses),
    "framework" (DataFrame FRAMEWORK_COLUMNS, one row per targeted indicator in the
    results-framework order)}.
    """
    now, then = review_windows(conn, period)
    # Through the page's cache: the navbar's alerts read the same results framework for the same month.
    headline_now = read_through(conn, headline_values, scope_code, now.as_of, now.start)
    headline_then = read_through(conn, headline_values, scope_code, then.as_of, then.start)
    progress_now = read_through(conn, progress_table, scope_code, now.as_of)
    progress_then = read_through(conn, progress_table, scope_code, then.as_of).set_index("indicator_code")
    period_types = dict(zip(*targeted_indicators(conn)[["code", "period_type"]].T.values))
    rows = []
    for row in progress_now.to_dict("records"):
        code = row["indicator_code"]
        rule = value_rule(code, row["aggregation"], period_types.get(code, "month"))
        value_now = period_value(conn, code, rule, scope_code, now)
        value_then = period_value(conn, code, rule, scope_code, then)
        change, verdict = change_of(rule, row["direction"], value_now, value_then)
        rows.append({
            key: row[key] for key in ("project_code", "project_name_en", "project_name_lo", "framework_level",
                                      "indicator_code", "name_en", "name_lo", "unit", "direction", "aggregation",
                                      "eop_target", "target_level")
        } | {
            "rule": rule, "value_then": value_then["value"], "period_then": value_then["period"],
            "std_error_then": value_then["std_error"], "value_now": value_now["value"],
            "period_now": value_now["period"], "std_error_now": value_now["std_error"], "change": change,
            "verdict": verdict, "status_now": row["status"],
            "status_then": progress_then["status"].get(code) if code in progress_then.index else None,
        })
    framework = pd.DataFrame(rows, columns=FRAMEWORK_COLUMNS)
    for column in ("value_then", "value_now", "std_error_then", "std_error_now", "change", "eop_target"):
        framework[column] = pd.to_numeric(framework[column], errors="coerce").astype("float64")
    return {
        "window": dataclasses.asdict(now), "previous_window": dataclasses.asdict(then),
        "headline_now": headline_now, "headline_then": headline_then,
        "changes": compare(headline_now, headline_then),
        "progress_now": progress_now, "progress_then": progress_then.reset_index(),
        "framework": framework,
    }
