"""Results-framework targets by indicator and scope, and progress against them as of a month."""
import datetime as dt

import pandas as pd
from sqlalchemy import Connection, text

from data_access.frames import rows_frame
from data_access import progress
from data_access.periods import as_date, period_end, period_start
from data_access.queries.baselines import framework_baseline
from data_access.queries.catalogue import indicator as indicator_meta
from data_access.queries.observations import indicator_series, indicator_series_many, scope_level

FIRST_PERIOD = "2000-01"
# Indicators of no project (stunting and other survey outcomes) are chosen with this code.
CONTEXT = "_context"
FRAMEWORK_ORDER = {"PDO": 0, "intermediate": 1, "context": 2}

TARGET_COLUMNS = ["indicator_code", "admin_code", "kind", "year", "target_date", "value"]
PROGRESS_COLUMNS = [
    "project_code", "project_name_en", "project_name_lo", "project_short_lo", "framework_level",
    "indicator_code", "name_en", "name_lo", "unit", "direction", "aggregation", "cumulative", "flow",
    "target_level", "target_admin_code", "target_admin_name_en", "target_admin_name_lo", "reference_eop",
    "baseline", "baseline_year", "actual", "actual_period", "actual_first_period", "std_error",
    "year_target", "target_year", "eop_target", "eop_date", "judged_on", "path_value",
    "progress", "expected", "behind", "status", "reason",
    # A stock's latest actual may hold villages' earlier reports (data_access.stocks).
    "actual_n_units", "carried_value", "carried_units", "oldest_carried_period",
    "deadline_period", "deadline_value", "met_period", "projection_high", "status_before_cap",
]


def end_of_project_target(conn: Connection, indicator_code: str, scope_code: str | None) -> dict | None:
    """The end-of-project target for the scope ("00" national), or None when none is set there.

    Returns {"value", "year", "target_date" (a date or None on every backend), "admin_code"}.
    No sub-national target is derived from a national one: a scope without its own target gets None.
    """
    row = conn.execute(
        text(
            "SELECT value, year, target_date, admin_code FROM target WHERE indicator_code = :indicator "
            "AND admin_code = :code AND kind = 'end_of_project' ORDER BY year DESC"
        ),
        {"indicator": indicator_code, "code": scope_code or "00"},
    ).mappings().first()
    return dict(row) | {"target_date": as_date(row["target_date"])} if row else None


def baseline(conn: Connection, indicator_code: str, scope_code: str | None) -> dict | None:
    """The baseline for the scope, or None. Returns {"value", "year"}."""
    row = conn.execute(
        text(
            "SELECT value, year FROM target WHERE indicator_code = :indicator AND admin_code = :code "
            "AND kind = 'baseline' ORDER BY year"
        ),
        {"indicator": indicator_code, "code": scope_code or "00"},
    ).mappings().first()
    return dict(row) if row else None


def targeted_indicators(conn: Connection, project_code: str | None = None) -> pd.DataFrame:
    """Indicators with a target at any scope, in results-framework order (project, level, catalogue).

    project_code: one project, CONTEXT (indicators of no project), or None for all.
    Columns: code, project_code, name_en, name_lo, unit, period_type, direction, aggregation,
    framework_level, cumulative, project_name_en, project_name_lo, project_short_lo,
    project_order, closing_date.
    """
    sql = """
        SELECT i.code, i.project_code, i.name_en, i.name_lo, i.unit, i.period_type, i.direction,
               i.aggregation, i.framework_level, i.cumulative, p.name_en AS project_name_en,
               p.name_lo AS project_name_lo, p.short_lo AS project_short_lo,
               p.sort_order AS project_order, p.closing_date
        FROM indicator i LEFT JOIN project p ON p.code = i.project_code
        WHERE EXISTS (SELECT 1 FROM target t WHERE t.indicator_code = i.code)
    """
    params = {}
    if project_code == CONTEXT:
        sql += " AND i.project_code IS NULL"
    elif project_code:
        sql += " AND i.project_code = :project"
        params["project"] = project_code
    sql += """
        ORDER BY CASE WHEN p.sort_order IS NULL THEN 1 ELSE 0 END, p.sort_order,
                 CASE i.framework_level WHEN 'PDO' THEN 0 WHEN 'intermediate' THEN 1
                                        WHEN 'context' THEN 2 ELSE 3 END,
                 i.sort_order, i.code
    """
    result = conn.execute(text(sql), params)
    frame = rows_frame(result.fetchall(), list(result.keys()))
    frame["cumulative"] = frame["cumulative"].astype(bool)
    frame["closing_date"] = [as_date(value) for value in frame["closing_date"]]
    return frame


def target_projects(conn: Connection) -> pd.DataFrame:
    """Projects that have at least one targeted indicator, in project order, and a CONTEXT row
    when indicators of no project have targets. Columns: code, name_en, name_lo, short_lo."""
    result = conn.execute(text("""
        SELECT DISTINCT COALESCE(p.code, :context) AS code, p.name_en, p.name_lo, p.short_lo,
               COALESCE(p.sort_order, 999) AS sort_order
        FROM target t JOIN indicator i ON i.code = t.indicator_code
        LEFT JOIN project p ON p.code = i.project_code
        ORDER BY sort_order, code
    """), {"context": CONTEXT})
    frame = rows_frame(result.fetchall(), list(result.keys()))
    return frame.drop(columns="sort_order")


def scope_chain(scope_code: str | None) -> list[str]:
    """The scope and the scopes above it, nearest first: "0703" -> ["0703", "07", "00"]."""
    if not scope_code or scope_code == "00":
        return ["00"]
    chain = [scope_code]
    if len(scope_code) > 2:
        chain.append(scope_code[:2])
    return chain + ["00"]


def targets_around(conn: Connection, scope_code: str | None, indicator_codes: list[str] | None = None) -> pd.DataFrame:
    """Target rows at the scope, above it, and below it (to tell "set for sub-national units only").

    Columns: TARGET_COLUMNS (target_date as datetime.date or None).
    """
    chain = scope_chain(scope_code)
    params: dict = {f"scope_{i}": code for i, code in enumerate(chain)}
    where = "(admin_code IN (" + ", ".join(f":scope_{i}" for i in range(len(chain))) + ")"
    if chain[0] != "00":
        where += " OR admin_code LIKE :below"
        params["below"] = chain[0] + "%"
    where += ")"
    if indicator_codes is not None:
        if not indicator_codes:
            return pd.DataFrame(columns=TARGET_COLUMNS)
        names = [f"indicator_{i}" for i in range(len(indicator_codes))]
        params.update(zip(names, indicator_codes))
        where += " AND indicator_code IN (" + ", ".join(f":{name}" for name in names) + ")"
    result = conn.execute(
        text(f"SELECT {', '.join(TARGET_COLUMNS)} FROM target WHERE {where} "
             "ORDER BY indicator_code, admin_code, kind, year"),
        params,
    )
    frame = rows_frame(result.fetchall(), TARGET_COLUMNS)
    frame["target_date"] = [as_date(value) for value in frame["target_date"]]
    frame["value"] = frame["value"].astype("float64")
    return frame


def _unit_names(conn: Connection, codes: list[str]) -> dict[str, dict]:
    params = {f"code_{i}": code for i, code in enumerate(codes)}
    rows = conn.execute(
        text("SELECT code, name_en, name_lo FROM admin_unit WHERE code IN ("
             + ", ".join(f":{name}" for name in params) + ")"),
        params,
    ).mappings().all()
    return {row["code"]: dict(row) for row in rows}


def _year_end(year: int) -> dt.date:
    return dt.date(int(year), 12, 31)


def _year_middle(year: int) -> dt.date:
    return progress.middle_day(f"{int(year):04d}")


def _framework_targets(rows: pd.DataFrame | list[dict], closing_date: dt.date | None) -> dict:
    """Baseline, annual and end-of-project targets of one indicator at one scope, with dates.

    A baseline without its own date describes its year and stands in its middle, as a reported
    value of that year does; an annual target without a date is due at the end of its year; an
    end-of-project target without a date at the project's closing date, else the end of its year.
    rows: target rows (kind, year, value, target_date) as a frame or records.
    """
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows
    annual = sorted((row for row in records if row["kind"] == "annual"), key=lambda row: row["year"])
    ends = sorted((row for row in records if row["kind"] == "end_of_project"), key=lambda row: row["year"])
    base = framework_baseline(records)
    if base is not None:
        # The same choice of baseline as the Overview's (data_access.queries.baselines).
        base = {"value": base["value"], "year": base["year"], "date": base["target_date"] or _year_middle(base["year"])}
    eop = None
    if ends:
        last = ends[-1]
        eop = {"value": float(last["value"]), "year": int(last["year"]),
               "date": _day(last["target_date"]) or closing_date or _year_end(last["year"])}
    annual_targets = [{"value": float(row["value"]), "year": int(row["year"]),
                       "date": _day(row["target_date"]) or _year_end(row["year"])} for row in annual]
    corners = ([(base["date"], base["value"])] if base else []) + \
              [(target["date"], target["value"]) for target in annual_targets] + \
              ([(eop["date"], eop["value"])] if eop else [])
    return {"baseline": base, "annual": annual_targets, "eop": eop, "path": progress.target_path(corners)}


def _day(value) -> dt.date | None:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _choose_scope(targets: pd.DataFrame, indicator_code: str, chain: list[str],
                  codes: set[str] | None = None) -> tuple[str, str | None]:
    """(target_level, admin_code): "own" when the scope has targets, "national"/"province" when
    only a scope above has them, "finer" when only units below do. `codes`: the places with
    targets for the indicator, when the caller has them already."""
    if codes is None:
        codes = set(targets.loc[targets["indicator_code"] == indicator_code, "admin_code"])
    for position, code in enumerate(chain):
        if code in codes:
            return ("own" if position == 0 else scope_level(code)), code
    return "finer", None


def _is_flow(meta) -> bool:
    """Monthly counts that targets count per year (sessions held): judged on the year so far."""
    return meta["aggregation"] == "sum" and not bool(meta["cumulative"])


def _carried(last) -> dict:
    """How much of a stock's latest actual is carried from earlier reports (empty for others)."""
    carried = {key: last.get(key) for key in ("carried_value", "carried_units", "oldest_carried_period")}
    carried["actual_n_units"] = last.get("n_units")
    return {key: (None if isinstance(value, float) and pd.isna(value) else value) for key, value in carried.items()}


def _assess_indicator(meta, series: pd.DataFrame, framework: dict, as_of: str) -> dict:
    """The latest actual (or, for flows, the total of the as-of year so far) and its assessment."""
    as_of_end = period_end(as_of)
    reported = series[series["value"].notna()]
    if _is_flow(meta):
        year = int(as_of[:4])
        this_year = reported[reported["period"].str.startswith(f"{year:04d}")]
        year_target = next((t for t in framework["annual"] if t["year"] == year), None)
        if this_year.empty:
            return {"actual": None, "status": progress.NO_DATA if year_target else progress.NOT_RATED}
        actual = float(this_year["value"].sum())
        judged_on = min(period_end(this_year["period"].iloc[-1]), as_of_end)
        result = {"actual": actual, "actual_period": this_year["period"].iloc[-1],
                  "actual_first_period": this_year["period"].iloc[0], "judged_on": judged_on}
        if year_target is None:
            return result | {"status": progress.NOT_RATED}
        path_value = year_target["value"] * progress.share_of_year_elapsed(judged_on, year_target["date"])
        assessment = progress.assess(actual, 0.0, year_target["value"], path_value, meta["direction"])
        return result | {"path_value": path_value, **assessment.__dict__}
    if reported.empty:
        return {"actual": None, "status": progress.NO_DATA}
    last = reported.iloc[-1]
    judged_on = min(progress.middle_day(last["period"]), as_of_end)
    base, eop = framework["baseline"], framework["eop"]
    path_value = progress.path_value_at(framework["path"], judged_on)
    assessment = progress.assess(float(last["value"]), base["value"] if base else None,
                                 eop["value"] if eop else None, path_value, meta["direction"])
    std_error = last.get("std_error")
    result = {"actual": float(last["value"]), "actual_period": last["period"], "actual_first_period": last["period"],
              "std_error": None if pd.isna(std_error) else float(std_error), "judged_on": judged_on,
              "path_value": path_value, **assessment.__dict__, **_carried(last)}
    if base and judged_on <= base["date"]:
        # The latest value is the baseline survey itself (or older): no progress has been measured.
        return result | {"progress": None, "expected": None, "behind": None, "status": progress.NO_DATA,
                         "reason": "since_baseline"}
    if eop and base and progress.deadline_passed(eop["date"], as_of_end):
        # Past the target date the question is whether the target was met by then, not the pace.
        verdict = progress.judge_at_deadline(zip(reported["period"], reported["value"]), base["value"],
                                             eop["value"], eop["date"], meta["direction"])
        return result | verdict
    if eop and base and meta["cumulative"] and assessment.status == progress.ON_TRACK:
        projected = progress.projection(zip(reported["period"], reported["value"]), as_of,
                                        projection_closing(meta["closing_date"], eop))
        capped = progress.cap_by_projection(assessment.status, projected, base["value"], eop["value"],
                                            meta["direction"])
        if capped != assessment.status:
            result |= {"status": capped, "status_before_cap": assessment.status, "reason": "projection_short",
                       "projection_high": projected["high"]}
    return result


def projection_closing(project_closing: dt.date | None, end_target: dict | None) -> dt.date | None:
    """The date a projection runs to: the project's closing date, else its end-of-project target's date."""
    if project_closing is not None:
        return project_closing
    return end_target["date"] if end_target else None


def progress_table(conn: Connection, scope_code: str | None, as_of: str, project_code: str | None = None) -> pd.DataFrame:
    """One row per targeted indicator: targets at the scope, the latest actual up to as_of, and
    progress and status by the rule in data_access.progress.

    scope_code: None/"00" national, a province or a district. A scope without its own targets
    is never given targets derived from another scope: its row shows its own actual,
    target_level says where targets exist ("own"; "national" / "province": only above; "finer":
    only below), target_admin_code/_name_en/_name_lo name the unit they are set for, the target
    columns stay empty and status is "not_rated"; reference_eop carries the end-of-project
    target of the scope above.
    Flow indicators (monthly counts with yearly targets, flow=True) compare the total of the
    as-of year so far with that year's target. reason says why an own-target row is "not_rated":
    "no_year_target" (a flow without a target for the as-of year), "no_target" (no end-of-project
    target) or "no_baseline"; a "no_data" row with reason "since_baseline" has a latest value,
    but none describing a time after the baseline (a survey not repeated since).
    Past the end-of-project target date, status is met_on_time / met_late / not_met
    (progress.judge_at_deadline) with deadline_period/deadline_value (the last report by the
    date) and met_period (when a late target was reached). An "on_track" cumulative indicator
    whose projection misses the end target even at its upper bound is "at_risk" with reason
    "projection_short", projection_high and status_before_cap.
    Columns: PROGRESS_COLUMNS.
    """
    indicators = targeted_indicators(conn, project_code)
    chain = scope_chain(scope_code)
    targets = targets_around(conn, scope_code, indicators["code"].tolist())
    names = _unit_names(conn, chain)
    year = int(as_of[:4])
    # Grouped once: filtering the target frame per indicator and place cost more than the queries.
    target_rows: dict[tuple[str, str], list[dict]] = {}
    for record in targets.to_dict("records"):
        target_rows.setdefault((record["indicator_code"], record["admin_code"]), []).append(record)
    target_places: dict[str, set[str]] = {}
    for indicator_code, admin_code in target_rows:
        target_places.setdefault(indicator_code, set()).add(admin_code)
    all_series = indicator_series_many(conn, indicators["code"].tolist(), scope_code, FIRST_PERIOD, as_of)
    rows = []
    for meta in indicators.to_dict("records"):
        code = meta["code"]
        target_level, target_admin = _choose_scope(targets, code, chain, target_places.get(code, set()))
        framework = _framework_targets(target_rows.get((code, target_admin), []), meta["closing_date"])
        series = all_series[code]
        row = {
            "project_code": meta["project_code"], "project_name_en": meta["project_name_en"],
            "project_name_lo": meta["project_name_lo"], "project_short_lo": meta["project_short_lo"],
            "framework_level": meta["framework_level"], "indicator_code": code, "name_en": meta["name_en"],
            "name_lo": meta["name_lo"], "unit": meta["unit"], "direction": meta["direction"],
            "aggregation": meta["aggregation"], "cumulative": bool(meta["cumulative"]), "flow": _is_flow(meta),
            "target_level": target_level, "target_admin_code": target_admin,
            "target_admin_name_en": names.get(target_admin, {}).get("name_en"),
            "target_admin_name_lo": names.get(target_admin, {}).get("name_lo"), "reference_eop": None,
        }
        if target_level != "own":
            assessment = _assess_indicator(meta, series, {"baseline": None, "annual": [], "eop": None, "path": []}, as_of)
            status = progress.NO_DATA if assessment["actual"] is None else progress.NOT_RATED
            reference = framework["eop"]
            rows.append(row | {key: assessment.get(key) for key in ("actual", "actual_period", "actual_first_period",
                                                                    "std_error", "judged_on", "actual_n_units",
                                                                    "carried_value", "carried_units",
                                                                    "oldest_carried_period")}
                        | {"status": status, "reference_eop": reference["value"] if reference else None})
            continue
        base, eop = framework["baseline"], framework["eop"]
        year_target = next((t for t in framework["annual"] if t["year"] == year), None)
        assessment = _assess_indicator(meta, series, framework, as_of)
        if assessment["status"] == progress.NOT_RATED:
            if _is_flow(meta):
                assessment["reason"] = "no_year_target"
            else:
                assessment["reason"] = "no_target" if eop is None else "no_baseline"
        rows.append(row | {
            "baseline": base["value"] if base else None, "baseline_year": base["year"] if base else None,
            "year_target": year_target["value"] if year_target else None,
            "target_year": year if year_target else None,
            "eop_target": eop["value"] if eop else None, "eop_date": eop["date"] if eop else None,
        } | assessment)
    frame = pd.DataFrame(rows, columns=PROGRESS_COLUMNS)
    for column in ("baseline", "actual", "std_error", "year_target", "eop_target", "path_value", "progress",
                   "expected", "behind", "reference_eop", "deadline_value", "projection_high"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def indicator_history(conn: Connection, indicator_code: str, scope_code: str | None, as_of: str) -> dict:
    """One indicator's reports up to as_of next to its target path at the scope.

    Returns {"indicator": catalogue row, "series": indicator_series frame (period, period_start,
    value, std_error, ...) plus period_end and period_middle (the day a value describes), "flow": bool, "yearly":
    DataFrame(year, value, last_period) of yearly totals for flow indicators (else empty), "target_level", "target_admin_code", "reference_eop"
    ({value, year, date}: the end-of-project target of the scope above when only it has targets,
    else None), "baseline" and
    "eop" ({value, year, date} or None), "annual" (DataFrame value, year, date), "path" (DataFrame
    date, value: the corners of the target path), "as_of", "as_of_day" (last day of as_of)}.
    Targets are the scope's own; when only another scope has them, target_level says which and
    baseline/annual/eop/path are empty.
    """
    meta = indicator_meta(conn, indicator_code)
    if meta is None:
        raise KeyError(f"unknown indicator {indicator_code!r}")
    closing = _closing_date(conn, meta["project_code"])
    targets = targets_around(conn, scope_code, [indicator_code])
    target_level, target_admin = _choose_scope(targets, indicator_code, scope_chain(scope_code))
    framework = _framework_targets(targets[targets["admin_code"] == target_admin], closing)
    reference_eop = None
    if target_level != "own":
        reference_eop = framework["eop"]
        framework = {"baseline": None, "annual": [], "eop": None, "path": []}
    series = indicator_series(conn, indicator_code, scope_code, FIRST_PERIOD, as_of)
    series["period_end"] = [period_end(period) for period in series["period"]]
    series["period_middle"] = [progress.middle_day(period) for period in series["period"]]
    flow = _is_flow(meta)
    if flow:
        # Yearly targets of a count are totals per year, not points on one path.
        framework["path"] = []
    yearly = pd.DataFrame(columns=["year", "value", "last_period"])
    if flow and not series.empty:
        reported = series[series["value"].notna()].assign(year=lambda f: f["period"].str[:4].astype(int))
        yearly = (reported.groupby("year", as_index=False)
                  .agg(value=("value", "sum"), last_period=("period", "max")))
    return {"indicator": meta, "series": series, "flow": flow, "yearly": yearly, "target_level": target_level,
            "target_admin_code": target_admin, "reference_eop": reference_eop, "as_of": as_of,
            "as_of_day": period_end(as_of),
            "baseline": framework["baseline"],
            "eop": framework["eop"],
            "annual": pd.DataFrame(framework["annual"], columns=["value", "year", "date"]),
            "path": pd.DataFrame(framework["path"], columns=["date", "value"])}


def _closing_date(conn: Connection, project_code: str | None) -> dt.date | None:
    if not project_code:
        return None
    value = conn.execute(text("SELECT closing_date FROM project WHERE code = :code"), {"code": project_code}).scalar()
    return as_date(value)


def projectable_indicators(conn: Connection, project_code: str | None = None) -> pd.DataFrame:
    """Cumulative indicators with targets (those a projection to closing makes sense for).
    Columns as targeted_indicators."""
    frame = targeted_indicators(conn, project_code)
    return frame[frame["cumulative"]].reset_index(drop=True)


def cumulative_projection(conn: Connection, indicator_code: str, scope_code: str | None, as_of: str) -> dict:
    """A cumulative indicator projected from the pace of the 12 months up to as_of to closing.

    The closing date is the project's closing date, else the date of the end-of-project target
    (the scope's, or the one above it). Returns {"indicator", "series" (reports up to as_of), "closing_date" (or None),
    "projection" (data_access.progress.projection result without its path, or
    {"state": "no_closing_date"}), "band" (DataFrame period, period_start, period_end, centre, low, high:
    the projected path from as_of to closing, empty when nothing is projected),
    "eop" ({value, year, date} at the scope, or None), "annual", "target_level", "reference_eop"
    (as in indicator_history), "as_of"}.
    """
    history = indicator_history(conn, indicator_code, scope_code, as_of)
    meta = history["indicator"]
    closing = projection_closing(_closing_date(conn, meta["project_code"]), history["eop"] or history["reference_eop"])
    series = history["series"]
    if closing is None:
        result = {"state": "no_closing_date", "latest": None}
    else:
        result = progress.projection(zip(series["period"], series["value"]), as_of, closing)
    band = pd.DataFrame(result.pop("path", []), columns=["period", "centre", "low", "high"])
    band.insert(1, "period_start", [period_start(period) for period in band["period"]])
    band.insert(2, "period_end", [period_end(period) for period in band["period"]])
    return {"indicator": meta, "series": series, "closing_date": closing, "projection": result, "band": band,
            "eop": history["eop"], "annual": history["annual"], "target_level": history["target_level"],
            "reference_eop": history["reference_eop"], "as_of": as_of}
