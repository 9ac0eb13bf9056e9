"""Indicator values per place for a period window, aggregated by each indicator's own rule."""
import datetime as dt

import pandas as pd
from sqlalchemy import Connection, text

from data_access.frames import rows_frame
from data_access.periods import add_months, period_end, period_start
from data_access.queries import surveys
from data_access.queries.catalogue import indicator as indicator_meta
from data_access.stocks import is_stock, stored_cap

VALUE_COLUMNS = ["admin_code", "name_en", "name_lo", "value", "numerator", "denominator",
                 "std_error", "n_units", "period", "carried_value", "carried_units", "oldest_carried_period"]
CARRIED_COLUMNS = ["carried_value", "carried_units", "oldest_carried_period"]
# A rollup row has a value when someone reported in the period or a stock was carried into it.
_HAS_VALUE = "(r.n_units > 0 OR r.carried_units > 0)"

# Raw village rows shaped like rollup rows, so that one SQL template serves every level.
_VILLAGE_SOURCE = """
    (SELECT o.indicator_code, o.admin_code, o.period, o.period_start, o.value AS value_sum,
            CASE WHEN o.denominator IS NOT NULL THEN o.numerator END AS numerator,
            CASE WHEN o.numerator IS NOT NULL THEN o.denominator END AS denominator,
            o.std_error,
            CASE WHEN o.value IS NOT NULL OR (o.numerator IS NOT NULL AND o.denominator IS NOT NULL)
                 THEN 1 ELSE 0 END AS n_units,
            CAST(NULL AS FLOAT) AS carried_value, 0 AS carried_units,
            CAST(NULL AS VARCHAR(7)) AS oldest_carried_period
     FROM observation o JOIN admin_unit va ON va.code = o.admin_code AND va.level = 'village')
"""


def _source(level: str) -> tuple[str, str]:
    if level == "village":
        return _VILLAGE_SOURCE, ""
    return "observation_rollup", " AND r.level = :level"


def _window(start: str, end: str) -> tuple[dt.date, dt.date]:
    return period_start(start), period_end(end)


def indicator_values(
    conn: Connection,
    indicator_code: str,
    level: str,
    start: str,
    end: str,
    within: str | None = None,
) -> pd.DataFrame:
    """One row per unit of `level` (inside `within`, a code prefix) with data in [start, end].

    Rules: sum -> total over the window; ratio -> sum(numerator)/sum(denominator) x multiplier;
    latest / survey -> the unit's most recent period in the window (with its standard error);
    a survey round only once it is known by the end of the window (data_access.queries.surveys);
    max -> largest value. Units without data are absent (the caller shows "no data").
    Stocks (data_access.stocks) include values carried forward: at district level and above
    the rollup holds them; a village's latest report counts for up to the carry-forward cap
    after it. carried_value / carried_units / oldest_carried_period say how much of the value
    is carried and from when; n_units counts only the units that reported in the period.
    Columns: VALUE_COLUMNS (period = latest period with data in the window).
    """
    meta = indicator_meta(conn, indicator_code)
    if meta is None:
        raise KeyError(f"unknown indicator {indicator_code!r}")
    source, level_filter = _source(level)
    first, last = _window(start, end)
    carried = ("r.carried_value", "r.carried_units", "r.oldest_carried_period", "r.n_units")
    village_stock = level == "village" and is_stock(meta)
    params = {"indicator": indicator_code, "level": level, "first": first, "last": last,
              "multiplier": meta["multiplier"]}
    if village_stock:
        # Raw village rows: a village's report holds for the cap's months after it, as in the rollup.
        params["end_month"] = f"{last.year:04d}-{last.month:02d}"
        params["first"] = first = min(first, period_start(add_months(params["end_month"], -stored_cap(conn))))
        carried = ("CASE WHEN r.period < :end_month THEN r.value_sum END",
                   "CASE WHEN r.period < :end_month THEN 1 ELSE 0 END",
                   "CASE WHEN r.period < :end_month THEN r.period END",
                   "CASE WHEN r.period < :end_month THEN 0 ELSE r.n_units END")
    where = f"r.indicator_code = :indicator{level_filter} AND r.period_start BETWEEN :first AND :last"
    if within:
        where += " AND r.admin_code LIKE :prefix"
        params["prefix"] = within + "%"
    rule = meta["aggregation"]
    join = " "
    if rule == "survey":
        # A round is the latest only from the day it became known, not from 1 January of its year.
        join = surveys.known_join("r")
        where += " AND " + surveys.known_condition("r")
        params |= surveys.known_params(last, meta["period_type"])
    if rule in ("latest", "survey"):
        sql = f"""
            WITH w AS (SELECT r.*, {carried[0]} AS c1, {carried[1]} AS c2, {carried[2]} AS c3, {carried[3]} AS c4
                       FROM {source} r{join}WHERE {where} AND {_HAS_VALUE}),
                 m AS (SELECT admin_code, MAX(period_start) AS ps FROM w GROUP BY admin_code)
            SELECT w.admin_code,
                   CASE WHEN w.denominator > 0 THEN 1.0 * w.numerator / w.denominator * :multiplier
                        ELSE w.value_sum END AS value,
                   w.numerator, w.denominator, w.std_error,
                   w.c4 AS n_units,
                   w.period, w.c1 AS carried_value, w.c2 AS carried_units, w.c3 AS oldest_carried_period
            FROM w JOIN m ON m.admin_code = w.admin_code AND m.ps = w.period_start
        """
    else:
        value = {
            "sum": "SUM(r.value_sum)",
            "max": "MAX(r.value_sum)",
            # A lone row that came with a value but no numerator/denominator keeps its value;
            # several such rows cannot be combined without weights, so they give no value.
            "ratio": "CASE WHEN SUM(r.denominator) > 0 THEN 1.0 * SUM(r.numerator) / SUM(r.denominator) * :multiplier "
                     "WHEN SUM(r.denominator) IS NULL AND COUNT(r.value_sum) = 1 THEN MAX(r.value_sum) END",
        }[rule]
        sql = f"""
            SELECT r.admin_code, {value} AS value, SUM(r.numerator) AS numerator,
                   SUM(r.denominator) AS denominator, NULL AS std_error,
                   SUM(r.n_units) AS n_units, MAX(r.period) AS period,
                   NULL AS carried_value, 0 AS carried_units, NULL AS oldest_carried_period
            FROM {source} r WHERE {where} AND {_HAS_VALUE}
            GROUP BY r.admin_code
        """
    sql = f"""
        SELECT v.admin_code, a.name_en, a.name_lo, v.value, v.numerator, v.denominator,
               v.std_error, v.n_units, v.period, v.carried_value, v.carried_units, v.oldest_carried_period
        FROM ({sql}) v JOIN admin_unit a ON a.code = v.admin_code ORDER BY v.admin_code
    """
    result = conn.execute(text(sql), params)
    frame = rows_frame(result.fetchall(), VALUE_COLUMNS)
    for column in ("value", "numerator", "denominator", "std_error", "carried_value"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["carried_units"] = pd.to_numeric(frame["carried_units"]).fillna(0).astype("int64")
    return frame


def scope_level(scope_code: str | None) -> str:
    """The level a scope code names: None/"00" national, 2 digits province, 4 district, 7 village."""
    if not scope_code or scope_code == "00":
        return "national"
    return {2: "province", 4: "district", 7: "village"}[len(scope_code)]


def child_level(scope_code: str | None) -> str:
    """The level one below the scope: national -> province -> district -> village."""
    return {"national": "province", "province": "district", "district": "village", "village": "village"}[
        scope_level(scope_code)
    ]


def scope_value(conn: Connection, indicator_code: str, scope_code: str | None, start: str, end: str) -> dict:
    """The indicator for one place (national when scope_code is None) over the window.

    Returns a dict with VALUE_COLUMNS keys; value is None when nothing was reported.
    """
    level = scope_level(scope_code)
    code = scope_code or "00"
    frame = indicator_values(conn, indicator_code, level, start, end, within=code if level != "national" else None)
    frame = frame[frame["admin_code"] == code]
    if frame.empty:
        return {column: None for column in VALUE_COLUMNS} | {"admin_code": code, "n_units": 0, "carried_units": 0}
    row = frame.iloc[0].to_dict()
    return {key: (None if isinstance(value, float) and pd.isna(value) else value) for key, value in row.items()}


def indicator_series(
    conn: Connection,
    indicator_code: str,
    scope_code: str | None,
    start: str,
    end: str,
) -> pd.DataFrame:
    """Period-by-period values for one place. Columns: period, period_start, value, numerator,
    denominator, std_error, n_units, carried_value, carried_units, oldest_carried_period.
    Periods with no report are absent, never zero; a stock's months carried forward are
    present (n_units counts the units that reported in the month); survey rounds not yet
    known by the end of the window are absent too (data_access.queries.surveys)."""
    meta = indicator_meta(conn, indicator_code)
    if meta is None:
        raise KeyError(f"unknown indicator {indicator_code!r}")
    level = scope_level(scope_code)
    first, last = _window(start, end)
    source, level_filter = _source(level)
    params = {"rule": meta["aggregation"], "multiplier": meta["multiplier"], "indicator": indicator_code,
              "level": level, "code": scope_code or "00", "first": first, "last": last}
    join, known = "", ""
    if meta["aggregation"] == "survey":
        join = surveys.known_join("r")
        known = " AND " + surveys.known_condition("r")
        params |= surveys.known_params(last, meta["period_type"])
    sql = f"""
        SELECT r.period, r.period_start,
               CASE WHEN :rule = 'ratio' AND r.denominator > 0
                        THEN 1.0 * r.numerator / r.denominator * :multiplier
                    WHEN :rule = 'ratio' AND r.denominator IS NOT NULL THEN NULL
                    WHEN :rule IN ('latest', 'survey') AND r.denominator > 0
                        THEN 1.0 * r.numerator / r.denominator * :multiplier
                    ELSE r.value_sum END AS value,
               r.numerator, r.denominator, r.std_error, r.n_units,
               r.carried_value, r.carried_units, r.oldest_carried_period
        FROM {source} r{join}
        WHERE r.indicator_code = :indicator{level_filter} AND r.admin_code = :code
          AND r.period_start BETWEEN :first AND :last AND {_HAS_VALUE}{known}
        ORDER BY r.period_start
    """
    result = conn.execute(text(sql), params)
    frame = rows_frame(result.fetchall(), list(result.keys()))
    for column in ("value", "numerator", "denominator", "std_error", "carried_value"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame["carried_units"] = pd.to_numeric(frame["carried_units"]).fillna(0).astype("int64")
    return frame



def indicator_series_many(
    conn: Connection,
    indicator_codes: list[str],
    scope_code: str | None,
    start: str,
    end: str,
) -> dict[str, pd.DataFrame]:
    """indicator_series for several indicators of one place: {code: frame}, the same frames.

    One query reads every rollup indicator (each row's value by its own indicator's rule and
    multiplier); survey indicators (their rounds' release dates) and village scopes (raw rows)
    go through indicator_series one by one. The results framework asks for ~25 indicators at
    once, and 25 round trips cost more than the rows.
    """
    level = scope_level(scope_code)
    codes = list(dict.fromkeys(indicator_codes))
    names = {f"c{n}": code for n, code in enumerate(codes)}
    rows = conn.execute(text(f"SELECT code, aggregation FROM indicator WHERE code IN ({', '.join(':' + n for n in names) or 'NULL'})"),
                        names).mappings().all()
    found = {row["code"]: dict(row) for row in rows}
    metas = {code: found.get(code) for code in codes}
    unknown = [code for code, meta in metas.items() if meta is None]
    if unknown:
        raise KeyError(f"unknown indicator {unknown[0]!r}")
    one_by_one = [code for code, meta in metas.items() if level == "village" or meta["aggregation"] == "survey"]
    batched = [code for code in metas if code not in one_by_one]
    series = {code: indicator_series(conn, code, scope_code, start, end) for code in one_by_one}
    if batched:
        first, last = _window(start, end)
        params = {"level": level, "code": scope_code or "00", "first": first, "last": last}
        params |= {f"i{n}": code for n, code in enumerate(batched)}
        in_list = ", ".join(f":i{n}" for n in range(len(batched)))
        result = conn.execute(text(f"""
            SELECT r.indicator_code, r.period, r.period_start,
                   CASE WHEN i.aggregation = 'ratio' AND r.denominator > 0
                            THEN 1.0 * r.numerator / r.denominator * i.multiplier
                        WHEN i.aggregation = 'ratio' AND r.denominator IS NOT NULL THEN NULL
                        WHEN i.aggregation IN ('latest', 'survey') AND r.denominator > 0
                            THEN 1.0 * r.numerator / r.denominator * i.multiplier
                        ELSE r.value_sum END AS value,
                   r.numerator, r.denominator, r.std_error, r.n_units,
                   r.carried_value, r.carried_units, r.oldest_carried_period
            FROM observation_rollup r JOIN indicator i ON i.code = r.indicator_code
            WHERE r.indicator_code IN ({in_list}) AND r.level = :level AND r.admin_code = :code
              AND r.period_start BETWEEN :first AND :last AND {_HAS_VALUE}
            ORDER BY r.indicator_code, r.period_start
        """), params)
        columns = list(result.keys())
        frame = rows_frame(result.fetchall(), columns)
        for column in ("value", "numerator", "denominator", "std_error", "carried_value"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        frame["carried_units"] = pd.to_numeric(frame["carried_units"]).fillna(0).astype("int64")
        groups = {code: group for code, group in frame.groupby("indicator_code", sort=False)}
        empty = frame.iloc[0:0]
        for code in batched:
            series[code] = groups.get(code, empty).drop(columns="indicator_code").reset_index(drop=True)
    return {code: series[code] for code in metas}
