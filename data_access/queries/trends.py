"""Time series for the Trends page: survey rounds with their errors, CCT compliance and operations, the payment pipeline, program management."""
import datetime as dt

import pandas as pd
from sqlalchemy import Connection, bindparam, text

from data_access.frames import rows_frame
from data_access.analytics import (
    backlog_by_unit,
    delay_statistics,
    payment_backlog,
    payments_by_cycle,
    pipeline_days,
)
from data_access.periods import period_end, period_start
from data_access.queries import surveys
from data_access.queries.catalogue import admin_unit, target_districts
from data_access.queries.observations import scope_level
from data_access.queries.payments import payment_cycles, payment_delay
from data_access.queries.targets import end_of_project_target
from data_access.store import read_through

COMPLIANCE_INDICATORS = ("CCT_COMPLY_ALL", "CCT_COMPLY_ANC", "CCT_COMPLY_GMP", "CCT_COMPLY_SBCC")
OPERATIONS_INDICATORS = ("CCT_REGISTERED", "CCT_ACTIVE", "CCT_NEW_REG", "CCT_PAID")
MANAGEMENT_RATE_INDICATORS = ("PMT_COVERAGE", "PROCUREMENT_ON_TIME", "ES_COMPLIANCE")
DISBURSEMENT_INDICATOR = "FM_DISBURSEMENT"
PAY_DELAY_INDICATOR = "CCT_PAY_DELAY"
# Earlier than any program data: "from the beginning" without a magic start month per indicator.
FIRST_PERIOD = "2000-01"
Z_95 = 1.96

SERIES_COLUMNS = ["indicator_code", "admin_code", "level", "period", "period_start", "value", "numerator",
                  "denominator", "std_error", "n_units", "carried_value", "carried_units", "oldest_carried_period"]

# One rule for turning a rollup row into the indicator's value, shared by every query here.
# A ratio row that came with several bare values (no numerator/denominator) has no value:
# percentages cannot be combined without their weights.
_VALUE_SQL = """
    CASE WHEN i.aggregation IN ('ratio', 'latest', 'survey') AND r.denominator > 0
              THEN 1.0 * r.numerator / r.denominator * i.multiplier
         WHEN i.aggregation = 'ratio' AND r.denominator IS NOT NULL THEN NULL
         WHEN i.aggregation = 'ratio' AND r.n_units > 1 THEN NULL
         ELSE r.value_sum END
"""


def _frame(result) -> pd.DataFrame:
    return rows_frame(result.fetchall(), list(result.keys()))


def _numeric(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def rollup_series(
    conn: Connection,
    indicator_codes: list[str] | tuple[str, ...],
    level: str,
    admin_codes: list[str] | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> pd.DataFrame:
    """Values per indicator, unit of `level` and period from the rollup table (never raw village rows).

    admin_codes limits the units (None: every unit of the level); first/last bound the
    period start dates. Ratios are the unit's sum(numerator) / sum(denominator) x multiplier
    for that period; periods without a report are absent, never zero.
    Columns: SERIES_COLUMNS (period_start as Timestamp).
    """
    if not indicator_codes or (admin_codes is not None and not admin_codes):
        return pd.DataFrame(columns=SERIES_COLUMNS)
    # A stock's months carried forward (data_access.stocks) have a value though nobody reported.
    where = ["r.indicator_code IN :indicators", "r.level = :level", "(r.n_units > 0 OR r.carried_units > 0)"]
    params: dict = {"indicators": list(indicator_codes), "level": level}
    bind = [bindparam("indicators", expanding=True)]
    if admin_codes is not None:
        where.append("r.admin_code IN :codes")
        params["codes"] = list(admin_codes)
        bind.append(bindparam("codes", expanding=True))
    if first is not None:
        where.append("r.period_start >= :first")
        params["first"] = first
    if last is not None:
        where.append("r.period_start <= :last")
        params["last"] = last
    sql = text(
        f"""
        SELECT r.indicator_code, r.admin_code, r.level, r.period, r.period_start, {_VALUE_SQL} AS value,
               r.numerator, r.denominator, r.std_error, r.n_units,
               r.carried_value, r.carried_units, r.oldest_carried_period
        FROM observation_rollup r JOIN indicator i ON i.code = r.indicator_code
        WHERE {' AND '.join(where)}
        ORDER BY r.indicator_code, r.admin_code, r.period_start
        """
    ).bindparams(*bind)
    frame = _frame(conn.execute(sql, params))
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    frame["n_units"] = pd.to_numeric(frame["n_units"]).astype("int64")
    frame["carried_units"] = pd.to_numeric(frame["carried_units"]).fillna(0).astype("int64")
    return _numeric(frame, ["value", "numerator", "denominator", "std_error", "carried_value"])[SERIES_COLUMNS]


def indicator_catalogue(conn: Connection, codes: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Catalogue rows for the codes, in the catalogue's order (codes not catalogued are left out).

    Columns: code, name_en, name_lo, unit, period_type, level, direction, aggregation, multiplier.
    """
    if not codes:
        return pd.DataFrame(columns=["code", "name_en", "name_lo", "unit", "period_type", "level", "direction",
                                     "aggregation", "multiplier"])
    sql = text(
        "SELECT code, name_en, name_lo, unit, period_type, level, direction, aggregation, multiplier "
        "FROM indicator WHERE code IN :codes ORDER BY sort_order, code"
    ).bindparams(bindparam("codes", expanding=True))
    frame = _frame(conn.execute(sql, {"codes": list(codes)}))
    frame["multiplier"] = pd.to_numeric(frame["multiplier"]).astype("float64")
    return frame


def _scope(scope_code: str | None) -> tuple[str, str]:
    code = scope_code or "00"
    return scope_level(code), code


def _place(conn: Connection, code: str) -> dict:
    unit = admin_unit(conn, code) or {}
    return {"code": code, "name_en": unit.get("name_en"), "name_lo": unit.get("name_lo"),
            "level": unit.get("level", scope_level(code))}


# ------------------------------------------------------------------ surveys


def survey_trends(conn: Connection, indicator_code: str, scope_code: str | None, as_of: str) -> dict:
    """Survey rounds known by the end of as_of (data_access.queries.surveys) for the place, with 95 % bands and reference lines.

    Estimates are shown only at the level they were sampled at: a district without its own
    estimate shows its province's (fallback=True, role "scope"), never a figure made from
    villages. Reference lines: the province (when a district has its own estimates), the
    nation, and the provinces of the RRPM target area (role "target_area").
    Returns {"series": DataFrame(role, admin_code, name_en, name_lo, level, period, year,
    value, std_error, low, high), "scope": {code, name_en, name_lo, level}, "fallback": bool,
    "requested": place dict, "target": end-of-project target at the shown scope or None,
    "indicator": catalogue row}.
    """
    level, requested = _scope(scope_code)
    last = period_end(as_of)
    catalogue = indicator_catalogue(conn, [indicator_code])
    period_type = catalogue["period_type"].iloc[0] if not catalogue.empty else "year"
    codes_with_data = set(
        _survey_rows(conn, indicator_code, None, last, period_type)["admin_code"]
    )
    chain = [requested]
    if level == "district":
        chain.append(requested[:2])
    chain.append("00")
    shown = next((code for code in chain if code in codes_with_data), requested)
    fallback = shown != requested
    roles: dict[str, str] = {shown: "scope"}
    if level == "district" and not fallback:
        roles.setdefault(requested[:2], "province")
    roles.setdefault("00", "national")
    for province in sorted({code[:2] for code in target_districts(conn)}):
        roles.setdefault(province, "target_area")
    rows = _survey_rows(conn, indicator_code, list(roles), last, period_type)
    rows["role"] = rows["admin_code"].map(roles)
    rows["year"] = rows["period"].str[:4].astype(int)
    rows["low"] = (rows["value"] - Z_95 * rows["std_error"]).clip(lower=0)
    rows["high"] = rows["value"] + Z_95 * rows["std_error"]
    order = {"scope": 0, "province": 1, "national": 2, "target_area": 3}
    rows = rows.sort_values(["role", "admin_code", "year"], key=lambda c: c.map(order) if c.name == "role" else c)
    return {
        "series": rows[["role", "admin_code", "name_en", "name_lo", "level", "period", "year", "value", "std_error",
                        "low", "high"]].reset_index(drop=True),
        "scope": _place(conn, shown),
        "requested": _place(conn, requested),
        "fallback": fallback,
        "target": end_of_project_target(conn, indicator_code, shown),
        "indicator": catalogue.iloc[0].to_dict() if not catalogue.empty else None,
    }


def _survey_rows(conn: Connection, indicator_code: str, codes: list[str] | None, last: dt.date,
                 period_type: str = "year") -> pd.DataFrame:
    """Survey rounds known by `last` (data_access.queries.surveys)."""
    where = ("r.indicator_code = :indicator AND r.value_sum IS NOT NULL AND r.period_start <= :last AND "
             + surveys.known_condition("r"))
    params: dict = {"indicator": indicator_code, "last": last} | surveys.known_params(last, period_type)
    sql = f"""
        SELECT r.admin_code, a.name_en, a.name_lo, r.level, r.period, r.value_sum AS value, r.std_error
        FROM observation_rollup r JOIN admin_unit a ON a.code = r.admin_code{surveys.known_join("r")}
        WHERE {where}{' AND r.admin_code IN :codes' if codes is not None else ''}
        ORDER BY r.admin_code, r.period
    """
    statement = text(sql)
    if codes is not None:
        statement = statement.bindparams(bindparam("codes", expanding=True))
        params["codes"] = codes
    return _numeric(_frame(conn.execute(statement, params)), ["value", "std_error"])


# ------------------------------------------------------------------ CCT compliance and operations


def _named_series(conn: Connection, codes: tuple[str, ...], scope_code: str | None, as_of: str) -> pd.DataFrame:
    level, code = _scope(scope_code)
    series = rollup_series(conn, codes, level, [code], period_start(FIRST_PERIOD), period_start(as_of))
    catalogue = indicator_catalogue(conn, codes)[["code", "name_en", "name_lo", "unit"]]
    merged = series.merge(catalogue.rename(columns={"code": "indicator_code"}), on="indicator_code", how="left")
    merged["indicator_code"] = pd.Categorical(merged["indicator_code"], categories=list(codes), ordered=True)
    return merged.sort_values(["indicator_code", "period_start"]).assign(
        indicator_code=lambda f: f["indicator_code"].astype(str)
    ).reset_index(drop=True)


def compliance_trends(conn: Connection, scope_code: str | None, as_of: str) -> dict:
    """Monthly compliance per condition and overall for the place, up to as_of.

    Each month's value is that place's sum(numerator) / sum(denominator) over the villages
    that reported (rollup), so a big district weighs as much as its beneficiaries.
    Returns {"series": DataFrame(indicator_code, name_en, name_lo, unit, period, period_start,
    value, numerator, denominator, n_units, ...), "target": the overall indicator's
    end-of-project target at this scope or None}.
    """
    return {
        "series": _named_series(conn, COMPLIANCE_INDICATORS, scope_code, as_of),
        "target": end_of_project_target(conn, COMPLIANCE_INDICATORS[0], scope_code),
    }


def operations_trends(conn: Connection, scope_code: str | None, as_of: str) -> pd.DataFrame:
    """Monthly CCT registrations (new and cumulative), active and paid beneficiaries for the place.

    Stocks (registered, active) are the sum of the reporting villages' stocks that month;
    n_units says how many villages reported. Columns as compliance_trends' series.
    """
    return _named_series(conn, OPERATIONS_INDICATORS, scope_code, as_of)


# ------------------------------------------------------------------ payment pipeline


def exchange_rates(conn: Connection) -> pd.DataFrame:
    """LAK per USD by month. Columns: period, lak_per_usd."""
    frame = _frame(conn.execute(text("SELECT period, lak_per_usd FROM exchange_rate ORDER BY period")))
    return _numeric(frame, ["lak_per_usd"])


def payment_pipeline(conn: Connection, scope_code: str | None, as_of: str) -> dict:
    """The CCT payment pipeline of the place's districts as it stood at the end of as_of.

    Returns {"pipeline": analytics.pipeline_days frame (one row per cycle verified by then),
    "by_period": delay_statistics per cycle period, "by_district": per district,
    "overall": one-row statistics, "delay": queries.payments.payment_delay (the payment
    delay of the month, open cycles included, and its two parts), "backlog": open cycles (longest wait first),
    "backlog_by_district": analytics.backlog_by_unit, "payments": analytics.payments_by_cycle,
    "as_of_date": last day of as_of, "target_days": end-of-project payment-delay target at
    this scope or None}. Cycles are one per district and period (hundreds nationally), so
    they are read whole and summarised in analytics.
    """
    as_of_date = period_end(as_of)
    cycles = payment_cycles(conn, scope_code)
    pipeline = pipeline_days(cycles, as_of_date)
    backlog = payment_backlog(pipeline)
    target = end_of_project_target(conn, PAY_DELAY_INDICATOR, scope_code)
    return {
        "pipeline": pipeline,
        "by_period": delay_statistics(pipeline, by=["period"]),
        "by_district": delay_statistics(pipeline, by=["district_code", "name_en", "name_lo"]),
        "overall": delay_statistics(pipeline),
        "delay": read_through(conn, payment_delay, scope_code, as_of),
        "backlog": backlog,
        "backlog_by_district": _with_names(backlog_by_unit(backlog), pipeline),
        "payments": payments_by_cycle(pipeline, exchange_rates(conn)),
        "as_of_date": as_of_date,
        "target_days": target["value"] if target else None,
    }


def _with_names(summary: pd.DataFrame, pipeline: pd.DataFrame) -> pd.DataFrame:
    names = pipeline[["district_code", "name_en", "name_lo"]].drop_duplicates("district_code")
    return summary.merge(names, on="district_code", how="left")


# ------------------------------------------------------------------ program management


def quarterly_exchange_rates(conn: Connection) -> pd.DataFrame:
    """Mean LAK per USD of each quarter's months. Columns: period ("2023-Q2"), lak_per_usd."""
    sql = """
        SELECT SUBSTR(period, 1, 4) AS year, (CAST(SUBSTR(period, 6, 2) AS INTEGER) + 2) / 3 AS quarter,
               AVG(lak_per_usd) AS lak_per_usd
        FROM exchange_rate GROUP BY SUBSTR(period, 1, 4), (CAST(SUBSTR(period, 6, 2) AS INTEGER) + 2) / 3
        ORDER BY 1, 2
    """
    frame = _frame(conn.execute(text(sql)))
    frame["period"] = frame["year"].astype(str) + "-Q" + frame["quarter"].astype(int).astype(str)
    return _numeric(frame, ["lak_per_usd"])[["period", "lak_per_usd"]]


def management_trends(conn: Connection, scope_code: str | None, as_of: str) -> dict:
    """PMT survey coverage, procurement, E&S compliance and budget disbursement up to as_of.

    Each indicator is read at the place when it is reported at that level or below, else at
    the nearest level above that has it (E&S and FM are reported by province, procurement
    nationally), and says which place it shows.
    Returns {"rates": DataFrame(indicator_code, name_en, name_lo, unit, period, period_start,
    value, numerator, denominator, shown_code, shown_name_en, shown_name_lo),
    "disbursement": DataFrame(period, period_start, disbursed_usd, planned_usd, rate,
    lak_per_usd, disbursed_lak, planned_lak), "disbursement_place": place dict}.
    """
    level, code = _scope(scope_code)
    catalogue = indicator_catalogue(conn, MANAGEMENT_RATE_INDICATORS + (DISBURSEMENT_INDICATOR,))
    last = period_start(as_of)
    pieces = []
    places: dict[str, dict] = {}
    for row in catalogue.itertuples():
        shown = _reporting_scope(code, row.level)
        series = rollup_series(conn, [row.code], scope_level(shown), [shown], period_start(FIRST_PERIOD), last)
        # A quarter is only reported once it has ended.
        series = series[series["period"].map(period_end) <= period_end(as_of)]
        places.setdefault(shown, _place(conn, shown))
        series = series.assign(name_en=row.name_en, name_lo=row.name_lo, unit=row.unit, shown_code=shown,
                               shown_name_en=places[shown]["name_en"], shown_name_lo=places[shown]["name_lo"])
        pieces.append(series)
    combined = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()
    rates = combined[combined["indicator_code"] != DISBURSEMENT_INDICATOR].reset_index(drop=True) \
        if not combined.empty else combined
    money = combined[combined["indicator_code"] == DISBURSEMENT_INDICATOR] if not combined.empty else combined
    disbursement = pd.DataFrame({
        "period": money.get("period", pd.Series(dtype=str)),
        "period_start": money.get("period_start", pd.Series(dtype="datetime64[ns]")),
        "disbursed_usd": money.get("numerator", pd.Series(dtype=float)),
        "planned_usd": money.get("denominator", pd.Series(dtype=float)),
        "rate": money.get("value", pd.Series(dtype=float)),
    }).merge(quarterly_exchange_rates(conn), on="period", how="left")
    disbursement["disbursed_lak"] = disbursement["disbursed_usd"] * disbursement["lak_per_usd"]
    disbursement["planned_lak"] = disbursement["planned_usd"] * disbursement["lak_per_usd"]
    fm_place = _reporting_scope(code, catalogue.set_index("code").loc[DISBURSEMENT_INDICATOR, "level"]) \
        if DISBURSEMENT_INDICATOR in set(catalogue["code"]) else code
    return {"rates": rates, "disbursement": disbursement.reset_index(drop=True),
            "disbursement_place": _place(conn, fm_place)}


_LEVEL_DEPTH = {"national": 0, "province": 1, "district": 2, "village": 3}


def _reporting_scope(code: str, reported_level: str) -> str:
    """The place to read an indicator reported at `reported_level` for the scope `code`."""
    depth = _LEVEL_DEPTH[scope_level(code)]
    if depth <= _LEVEL_DEPTH[reported_level]:
        return code
    return {0: "00", 1: code[:2], 2: code[:4]}[_LEVEL_DEPTH[reported_level]]
