"""District comparison: districts x indicators as of a month, with references, ranks, staleness and trends."""
import datetime as dt

import pandas as pd
from sqlalchemy import Connection, bindparam, text

from data_access.frames import rows_frame
from data_access import significance
from data_access.analytics import as_of_period, performance_frame, rank_and_extremes, report_status
from data_access.payment_delay import INDICATOR as PAY_DELAY_INDICATOR
from data_access.periods import add_months, period_end, period_start
from data_access.queries import surveys
from data_access.queries.catalogue import indicator as indicator_meta
from data_access.queries.payments import payment_delay_by_unit
from data_access.queries.quality import last_reports
from data_access.queries.trends import indicator_catalogue, rollup_series

# Districts are compared on rates and delays; counts mostly measure a district's size.
COMPARABLE_UNITS = ("percent", "days")
DEFAULT_STALE_PERIODS = 3
TREND_MONTHS = 24
# A target for a rate or a delay is a fair yardstick for any place below it; a count target is not.
RATE_UNITS = ("percent", "days")
REFERENCES = ("auto", "median")

COMPARISON_COLUMNS = [
    "district_code", "province_code", "indicator_code", "period", "value", "numerator", "denominator",
    "std_error", "n_units", "value_code", "value_level", "last_period", "status", "target", "target_code",
    "province_median", "reference", "reference_kind", "performance", "rank", "is_best", "is_worst", "earlier",
    # A stock's value may hold villages' earlier reports carried forward (data_access.stocks).
    "carried_value", "carried_units", "oldest_carried_period",
    "payment_delay",
]


def _frame(result) -> pd.DataFrame:
    return rows_frame(result.fetchall(), list(result.keys()))


def comparison_indicators(conn: Connection) -> pd.DataFrame:
    """Indicators that can be compared across districts: rates and delays reported at district
    level or below, and survey estimates. Catalogue columns as trends.indicator_catalogue."""
    sql = text(
        "SELECT code FROM indicator WHERE (aggregation = 'survey') OR "
        "(unit IN :units AND level IN ('district', 'village')) ORDER BY sort_order, code"
    ).bindparams(bindparam("units", expanding=True))
    codes = [code for (code,) in conn.execute(sql, {"units": list(COMPARABLE_UNITS)})]
    return indicator_catalogue(conn, codes)


def comparison_districts(conn: Connection, province: str | None = None, districts: list[str] | None = None) -> pd.DataFrame:
    """The districts to compare: the listed ones (none for an empty list), else the province's,
    else every district.

    Columns: code, name_en, name_lo, province_code, province_name_en, province_name_lo, is_target.
    """
    where, params, bind = ["d.level = 'district'"], {}, []
    if districts is not None and not districts:
        where.append("1 = 0")
    elif districts:
        where.append("d.code IN :codes")
        params["codes"] = list(districts)
        bind.append(bindparam("codes", expanding=True))
    elif province:
        where.append("d.province_code = :province")
        params["province"] = province
    sql = text(
        f"""
        SELECT d.code, d.name_en, d.name_lo, d.province_code, p.name_en AS province_name_en,
               p.name_lo AS province_name_lo,
               CASE WHEN EXISTS (SELECT 1 FROM target_area t WHERE t.admin_code = d.code) THEN 1 ELSE 0 END
                   AS is_target
        FROM admin_unit d JOIN admin_unit p ON p.code = d.province_code AND p.level = 'province'
        WHERE {' AND '.join(where)} ORDER BY d.code
        """
    ).bindparams(*bind)
    frame = _frame(conn.execute(sql, params))
    frame["is_target"] = frame["is_target"].astype(bool)
    return frame


def all_districts(conn: Connection) -> pd.DataFrame:
    """Every district with its province, for a picker. Columns as comparison_districts."""
    return comparison_districts(conn)


def _latest_survey(conn: Connection, indicator_code: str, codes: list[str], last: dt.date,
                   period_type: str = "year") -> pd.DataFrame:
    """Each unit's latest survey estimate known by `last` (data_access.queries.surveys).
    Columns: admin_code, period, value, std_error."""
    sql = text(
        f"""
        SELECT r.admin_code, r.period, r.value_sum AS value, r.std_error
        FROM observation_rollup r
        JOIN (SELECT k.admin_code, MAX(k.period_start) AS ps FROM observation_rollup k{surveys.known_join("k")}
              WHERE k.indicator_code = :indicator AND k.admin_code IN :codes AND k.period_start <= :last
                AND k.value_sum IS NOT NULL AND {surveys.known_condition("k")}
              GROUP BY k.admin_code) m ON m.admin_code = r.admin_code AND m.ps = r.period_start
        WHERE r.indicator_code = :indicator AND r.value_sum IS NOT NULL
        """
    ).bindparams(bindparam("codes", expanding=True))
    frame = _frame(conn.execute(sql, {"indicator": indicator_code, "codes": codes, "last": last}
                                | surveys.known_params(last, period_type)))
    for column in ("value", "std_error"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame


def survey_with_fallback(conn: Connection, indicator_code: str, district_codes: list[str], as_of: str) -> pd.DataFrame:
    """Per district: its own latest survey estimate known by the end of as_of, or else its province's.

    Never computed from villages or averaged from districts. Columns: district_code, period,
    value, std_error, value_code (where the estimate is from), value_level ("district" |
    "province"); districts with neither are absent.
    """
    if not district_codes:
        return pd.DataFrame(columns=["district_code", "period", "value", "std_error", "value_code", "value_level"])
    provinces = sorted({code[:2] for code in district_codes})
    meta = indicator_meta(conn, indicator_code)
    estimates = _latest_survey(conn, indicator_code, list(district_codes) + provinces, period_end(as_of),
                               meta["period_type"] if meta else "year").set_index("admin_code")
    rows = []
    for code in district_codes:
        for source, level in ((code, "district"), (code[:2], "province")):
            if source in estimates.index:
                estimate = estimates.loc[source]
                rows.append({"district_code": code, "period": estimate["period"], "value": estimate["value"],
                             "std_error": estimate["std_error"], "value_code": source, "value_level": level})
                break
    return pd.DataFrame(rows, columns=["district_code", "period", "value", "std_error", "value_code", "value_level"])


def _targets(conn: Connection, indicators: pd.DataFrame, district_codes: list[str], year: int) -> pd.DataFrame:
    """The yardstick target per district and indicator: the district's own, else (rates and
    delays only) its province's, else the national one. The year's annual target comes
    before the end-of-project one. Columns: district_code, indicator_code, target, target_code."""
    provinces = sorted({code[:2] for code in district_codes})
    sql = text(
        """
        SELECT indicator_code, admin_code, kind, year, value FROM target
        WHERE kind IN ('annual', 'end_of_project') AND admin_code IN :codes AND indicator_code IN :indicators
        """
    ).bindparams(bindparam("codes", expanding=True), bindparam("indicators", expanding=True))
    targets = _frame(conn.execute(sql, {"codes": district_codes + provinces + ["00"],
                                        "indicators": list(indicators["code"])}))
    chosen: dict[tuple[str, str], float] = {}
    for (indicator, code), group in targets.groupby(["indicator_code", "admin_code"]):
        annual = group[(group["kind"] == "annual") & (group["year"] == year)]
        eop = group[group["kind"] == "end_of_project"].sort_values("year")
        pick = annual if not annual.empty else eop
        if not pick.empty:
            chosen[(indicator, code)] = float(pick.iloc[-1]["value"])
    units = indicators.set_index("code")["unit"].to_dict()
    rows = []
    for indicator in indicators["code"]:
        for district in district_codes:
            candidates = [district] + ([district[:2], "00"] if units[indicator] in RATE_UNITS else [])
            for code in candidates:
                if (indicator, code) in chosen:
                    rows.append({"district_code": district, "indicator_code": indicator,
                                 "target": chosen[(indicator, code)], "target_code": code})
                    break
    return pd.DataFrame(rows, columns=["district_code", "indicator_code", "target", "target_code"])


def district_comparison(
    conn: Connection,
    district_codes: list[str],
    as_of: str,
    stale_periods: int = DEFAULT_STALE_PERIODS,
    reference: str = "auto",
    indicator_codes: list[str] | None = None,
) -> dict:
    """Districts x indicators as of a month: value, yardstick, performance, rank, staleness.

    Each routine indicator shows the district's latest report in the stale_periods periods
    up to as_of (the month itself, or the last complete quarter; `period` says which);
    survey indicators take the latest estimate, the district's own or its province's
    (value_level says which; a borrowed estimate is shown but not judged or ranked). The yardstick (reference="auto") is the
    target (see _targets) where there is one, else the median of all districts of the same
    province that reported; reference="median" always uses the median. performance > 0 is
    better, < 0 worse, whatever the indicator's direction. Ranks and best/worst are among
    the chosen districts (ties shared, missing unranked), and values within each other's
    uncertainty tie (survey standard errors, the standard error of a share from its
    numerator and denominator; data_access.significance). status: "current", "stale" (no
    report in the last stale_periods periods), "never" (never reported: the program may not
    run there); surveys are not judged stale. earlier: the value is from a period before the
    one due as of as_of (the latest report in the window).
    Returns {"districts": comparison_districts frame, "indicators": catalogue frame,
    "cells": DataFrame(COMPARISON_COLUMNS), "as_of": as_of, "stale_periods": n}.
    """
    if reference not in REFERENCES:
        raise ValueError(f"reference must be one of {REFERENCES}")
    indicators = comparison_indicators(conn)
    if indicator_codes is not None:
        indicators = indicators[indicators["code"].isin(indicator_codes)].reset_index(drop=True)
    chosen = comparison_districts(conn, districts=list(district_codes))
    if chosen.empty or indicators.empty:
        return {"districts": chosen, "indicators": indicators, "cells": pd.DataFrame(columns=COMPARISON_COLUMNS),
                "as_of": as_of, "stale_periods": stale_periods}
    # Medians need every district of the provinces involved, not only the chosen ones.
    peers = pd.concat([comparison_districts(conn, province=p) for p in sorted(set(chosen["province_code"]))])
    peer_codes = sorted(set(peers["code"]))
    cells = _cell_values(conn, indicators, peer_codes, as_of, stale_periods)
    cells["province_code"] = cells["district_code"].str[:2]
    targets = _targets(conn, indicators, peer_codes, int(as_of[:4])) if reference == "auto" else \
        pd.DataFrame(columns=["district_code", "indicator_code", "target", "target_code"])
    cells = cells.merge(targets, on=["district_code", "indicator_code"], how="left")
    cells["target"] = pd.to_numeric(cells["target"], errors="coerce").astype("float64")
    directions = indicators.set_index("code")["direction"].to_dict()
    # A district showing its province's survey estimate has no figure of its own to judge,
    # rank or put into a median: its province's estimate is not its performance.
    own = cells["value"].where(cells["value_level"] != "province")
    judged = performance_frame(cells.assign(value=own), directions)
    cells = judged.assign(value=cells["value"], own_value=own)
    cells = cells[cells["district_code"].isin(chosen["code"])].copy()

    last = last_reports(conn, list(chosen["code"]), list(indicators["code"]), period_end(as_of))
    cells = cells.drop(columns=["last_period"], errors="ignore").merge(
        last, on=["district_code", "indicator_code"], how="left")
    types = indicators.set_index("code")["period_type"].to_dict()
    rules = indicators.set_index("code")["aggregation"].to_dict()
    cells["status"] = [
        "current" if rules[code] == "survey" else report_status(
            None if pd.isna(last_period) else last_period, as_of, types[code], stale_periods)
        for code, last_period in zip(cells["indicator_code"], cells["last_period"])
    ]
    due = {code: as_of_period(as_of, types[code]) for code in types}
    cells["earlier"] = [
        rules[code] != "survey" and isinstance(period, str) and period != due[code]
        for code, period in zip(cells["indicator_code"], cells["period"])
    ]
    cells["rank"] = pd.Series(pd.NA, index=cells.index, dtype="Int64")
    cells["is_best"] = False
    cells["is_worst"] = False
    catalogue = indicators.set_index("code")
    for code, group in cells.groupby("indicator_code"):
        # Survey estimates and shares of small denominators (7 of 9) tie within their uncertainty.
        is_share = catalogue.at[code, "unit"] == "percent" and rules[code] == "ratio"
        errors = pd.Series([significance.value_uncertainty(se, num, den, is_share, catalogue.at[code, "multiplier"])
                            for se, num, den in zip(group["std_error"], group["numerator"], group["denominator"])],
                           index=group.index)
        ranks, best, worst = rank_and_extremes(group["own_value"], directions[code], errors)
        cells.loc[group.index, "rank"] = ranks
        cells.loc[list(best), "is_best"] = True
        cells.loc[list(worst), "is_worst"] = True
    cells = cells.sort_values(["indicator_code", "district_code"]).reset_index(drop=True)
    cells["payment_delay"] = _payment_delay_parts(conn, cells)
    return {"districts": chosen, "indicators": indicators, "cells": cells[COMPARISON_COLUMNS],
            "as_of": as_of, "stale_periods": stale_periods}


def _payment_delay_parts(conn: Connection, cells: pd.DataFrame) -> pd.Series:
    """Per cell: the payment delay's open and paid parts (queries.payments.payment_delay keys) for
    the month the cell's value is from; None for other indicators and for cells without a value."""
    parts = pd.Series([None] * len(cells), index=cells.index, dtype=object)
    delay = cells[(cells["indicator_code"] == PAY_DELAY_INDICATOR) & cells["value"].notna()]
    for period, group in delay.groupby("period"):
        by_unit = payment_delay_by_unit(conn, "district", period).set_index("admin_code")
        for index, code in group["district_code"].items():
            if code in by_unit.index:
                parts[index] = {key: (None if pd.isna(value) else value) for key, value in by_unit.loc[code].items()}
    return parts


def _window_start(period: str, period_type: str, n_periods: int) -> dt.date:
    """First day of the n_periods-long window of the type that ends with `period`."""
    months_per_period = {"month": 1, "quarter": 3, "year": 12}[period_type]
    first_month = f"{period_start(period).year:04d}-{period_start(period).month:02d}"
    return period_start(add_months(first_month, -months_per_period * (n_periods - 1)))


def _cell_values(conn: Connection, indicators: pd.DataFrame, district_codes: list[str], as_of: str,
                 window: int) -> pd.DataFrame:
    """One row per district x indicator: the latest report in the `window` periods up to
    as_of (missing values kept as NaN rows)."""
    pieces = []
    routine = indicators[indicators["aggregation"] != "survey"]
    for period_type, group in routine.groupby("period_type"):
        period = as_of_period(as_of, period_type)
        values = rollup_series(conn, list(group["code"]), "district", district_codes,
                               _window_start(period, period_type, window), period_start(period))
        values = values.dropna(subset=["value"]).sort_values("period_start")
        values = values.groupby(["admin_code", "indicator_code"], as_index=False).tail(1)
        values = values.rename(columns={"admin_code": "district_code"})
        values["value_code"] = values["district_code"]
        values["value_level"] = "district"
        pieces.append(values.drop(columns=["level", "period_start"]))
    for code in indicators.loc[indicators["aggregation"] == "survey", "code"]:
        estimates = survey_with_fallback(conn, code, district_codes, as_of)
        estimates["indicator_code"] = code
        pieces.append(estimates)
    values = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()
    grid = pd.MultiIndex.from_product([district_codes, list(indicators["code"])],
                                      names=["district_code", "indicator_code"]).to_frame(index=False)
    cells = grid.merge(values, on=["district_code", "indicator_code"], how="left")
    for column in ("value", "numerator", "denominator", "std_error", "n_units", "carried_value", "carried_units"):
        if column not in cells:
            cells[column] = float("nan")
        cells[column] = pd.to_numeric(cells[column], errors="coerce").astype("float64")
    if "oldest_carried_period" not in cells:
        cells["oldest_carried_period"] = None
    return cells


def district_trends(conn: Connection, indicator_code: str, district_codes: list[str], as_of: str,
                    months: int = TREND_MONTHS) -> dict:
    """The indicator per district over the `months` up to as_of, with each province's own line.

    The province line is the province's rollup (its sum of numerators over sum of
    denominators), not a mean of districts. Survey indicators give every round known by the
    end of as_of (data_access.queries.surveys; the district's own or, without them, its province's, labelled by value_level).
    Returns {"series": DataFrame(admin_code, name_en, name_lo, period, period_start, value,
    value_level), "provinces": DataFrame(admin_code, name_en, name_lo, period, period_start,
    value), "indicator": catalogue row, "districts": comparison_districts frame}.
    """
    indicator = indicator_catalogue(conn, [indicator_code])
    if indicator.empty:
        raise KeyError(f"unknown indicator {indicator_code!r}")
    meta = indicator.iloc[0].to_dict()
    districts = comparison_districts(conn, districts=list(district_codes))
    codes = list(districts["code"])
    provinces = sorted({code[:2] for code in codes})
    if meta["aggregation"] == "survey":
        last = dt.date(int(as_of[:4]), 12, 31)
        first = dt.date(1900, 1, 1)
    else:
        first = period_start(add_months(as_of, -(months - 1)))
        last = period_start(as_of)
    if meta["aggregation"] == "survey":
        # A round is shown from the day it became known, as everywhere else.
        province_rows = surveys.known_rows(
            conn, rollup_series(conn, [indicator_code], "province", provinces, first, last), indicator_code,
            period_end(as_of))
        own = surveys.known_rows(conn, rollup_series(conn, [indicator_code], "district", codes, first, last),
                                 indicator_code, period_end(as_of))
        with_own = set(own["admin_code"])
        borrowed = []
        for code in codes:
            if code not in with_own:
                rows = province_rows[province_rows["admin_code"] == code[:2]].assign(admin_code=code)
                borrowed.append(rows.assign(value_level="province"))
        series = pd.concat([own.assign(value_level="district")] + borrowed, ignore_index=True)
    else:
        series = rollup_series(conn, [indicator_code], "district", codes, first, last).assign(value_level="district")
        province_rows = rollup_series(conn, [indicator_code], "province", provinces, first, last)
    series = series.merge(districts[["code", "name_en", "name_lo"]].rename(columns={"code": "admin_code"}),
                          on="admin_code", how="left")
    province_names = _province_names(conn, provinces)
    province_rows = province_rows.merge(province_names, on="admin_code", how="left")
    return {
        "series": series[["admin_code", "name_en", "name_lo", "period", "period_start", "value", "value_level"]],
        "provinces": province_rows[["admin_code", "name_en", "name_lo", "period", "period_start", "value"]],
        "indicator": meta,
        "districts": districts,
    }


def _province_names(conn: Connection, provinces: list[str]) -> pd.DataFrame:
    if not provinces:
        return pd.DataFrame(columns=["admin_code", "name_en", "name_lo"])
    sql = text("SELECT code AS admin_code, name_en, name_lo FROM admin_unit WHERE code IN :codes").bindparams(
        bindparam("codes", expanding=True))
    return _frame(conn.execute(sql, {"codes": provinces}))
