"""The one baseline an indicator is measured against at a place (Overview and Targets pages).

Rule: the results-framework baseline (a "baseline" row of the targets table for that place;
of several, the earliest year) wherever one exists. Only where none exists does a survey
indicator fall back to the oldest survey round known at that place, and the page says so
(source "survey"). A framework baseline carries the standard error of the survey round of
its year at that place when that round gives the same value (to the 0.1 shown): the
baseline then is that estimate, and a change from it can be tested for significance.
"""
import datetime as dt

import pandas as pd
from sqlalchemy import Connection, text

from data_access.frames import rows_frame
from data_access.queries import surveys

# A framework baseline is the survey round's estimate when the two agree to the shown decimal.
SAME_ESTIMATE = 0.05


def framework_baseline(rows: pd.DataFrame | list[dict]) -> dict | None:
    """The baseline among target rows of one indicator at one place (a frame or records with kind,
    year, value and optionally target_date): the earliest-year "baseline" row, or None.
    Returns {"value", "year", "target_date"}."""
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows
    baselines = sorted((row for row in records if row["kind"] == "baseline"), key=lambda row: row["year"])
    if not baselines:
        return None
    first = baselines[0]
    day = first.get("target_date")
    return {"value": float(first["value"]), "year": int(first["year"]),
            "target_date": None if day is None or (isinstance(day, float) and pd.isna(day)) else day}


def reference_baseline(conn: Connection, indicator_code: str, admin_code: str, as_of_end: dt.date,
                       period_type: str = "year") -> dict | None:
    """The baseline for the place by the rule in the module docstring, or None.

    Returns {"value", "year", "period", "std_error" (or None), "source": "framework" | "survey"}.
    """
    result = conn.execute(
        text("SELECT kind, year, value, target_date FROM target WHERE indicator_code = :indicator "
             "AND admin_code = :code AND kind = 'baseline'"),
        {"indicator": indicator_code, "code": admin_code},
    )
    rows = rows_frame(result.fetchall(), list(result.keys()))
    base = framework_baseline(rows)
    if base is not None:
        period = f"{base['year']:04d}"
        estimate = conn.execute(
            text("SELECT value, std_error FROM observation WHERE indicator_code = :indicator "
                 "AND admin_code = :code AND period = :period"),
            {"indicator": indicator_code, "code": admin_code, "period": period},
        ).mappings().first()
        std_error = None
        if estimate and estimate["value"] is not None and abs(estimate["value"] - base["value"]) <= SAME_ESTIMATE:
            std_error = estimate["std_error"]
        return {"value": base["value"], "year": base["year"], "period": period, "std_error": std_error,
                "source": "framework"}
    rounds = surveys.survey_estimates(conn, indicator_code, admin_code, as_of_end, period_type)
    if not rounds:
        return None
    oldest = rounds[0]
    return {"value": float(oldest["value"]), "year": int(oldest["period"][:4]), "period": oldest["period"],
            "std_error": oldest["std_error"], "source": "survey"}
