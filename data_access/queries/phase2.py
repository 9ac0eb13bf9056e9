"""Phase II targeting inputs: every district's need, gap and population, the program settings, the exchange rate."""
import pandas as pd
from sqlalchemy import Connection, bindparam, text

from data_access.frames import rows_frame
from data_access.periods import period_end
from data_access.program_settings import program_settings
from data_access import convergence_rollup
from data_access.queries.convergence import _village_reach_sql, convergence_by_district
from data_access.queries.districts import comparison_districts, survey_with_fallback

STUNTING_INDICATOR = "STUNTING"
# A district poverty estimate (share of people below the poverty line, from a poverty map
# or the PMT); the component is offered only when the catalogue has it.
POVERTY_INDICATOR = "POVERTY_HEADCOUNT"
# Women pregnant or with a child under two, per district: the CCT's eligible group.
POPULATION_INDICATOR = "POP_PREG_U2"
# Component column -> True when a higher value means more need.
COMPONENTS = {"stunting": True, "poverty": True, "coverage": False}

INPUT_COLUMNS = [
    "district_code", "name_en", "name_lo", "province_code", "province_name_en", "province_name_lo", "is_target",
    "stunting", "stunting_se", "stunting_period", "stunting_level",
    "poverty", "poverty_period", "poverty_level",
    "coverage", "n_villages",
    "stunting_source", "poverty_source", "population", "population_period", "population_source",
]


def _catalogued(conn: Connection, code: str) -> bool:
    return conn.execute(text("SELECT 1 FROM indicator WHERE code = :code"), {"code": code}).first() is not None


def phase2_inputs(conn: Connection, as_of: str) -> dict:
    """One row per district (all of them) with the inputs of the Phase II score.

    stunting: the latest survey estimate up to as_of, the district's own or else its
    province's (stunting_level says which; never built from villages). poverty: likewise
    from POVERTY_INDICATOR when catalogued, else missing. coverage: percent of the
    district's villages reached by at least four of the five projects in the 12 months up
    to as_of (convergence.convergence_by_district); missing where no village is known.
    is_target: already a Phase I (RRPM) target district.
    Returns {"districts": DataFrame(INPUT_COLUMNS), "available": {component: bool},
    "as_of": as_of}.
    """
    districts = comparison_districts(conn).rename(columns={"code": "district_code"})
    codes = list(districts["district_code"])
    frame = districts.copy()
    stunting = survey_with_fallback(conn, STUNTING_INDICATOR, codes, as_of).rename(columns={
        "value": "stunting", "std_error": "stunting_se", "period": "stunting_period", "value_level": "stunting_level"})
    frame = frame.merge(stunting.drop(columns=["value_code"]), on="district_code", how="left")
    poverty_available = _catalogued(conn, POVERTY_INDICATOR)
    if poverty_available:
        poverty = survey_with_fallback(conn, POVERTY_INDICATOR, codes, as_of).rename(columns={
            "value": "poverty", "period": "poverty_period", "value_level": "poverty_level"})
        frame = frame.merge(poverty.drop(columns=["value_code", "std_error"]), on="district_code", how="left")
    else:
        frame = frame.assign(poverty=float("nan"), poverty_period=None, poverty_level=None)
    frame = _with_sources(conn, frame, STUNTING_INDICATOR, stunting, "stunting_source", "stunting_period")
    frame = _with_sources(conn, frame, POVERTY_INDICATOR, poverty if poverty_available else None,
                          "poverty_source", "poverty_period")
    population = district_latest(conn, POPULATION_INDICATOR, as_of).rename(columns={
        "value": "population", "period": "population_period", "source": "population_source"})
    frame = frame.merge(population, on="district_code", how="left")
    convergence = convergence_by_district(conn, as_of)
    coverage = convergence[["district_code", "share_four_plus", "n_villages"]].rename(
        columns={"share_four_plus": "coverage"})
    frame = frame.merge(coverage, on="district_code", how="left")
    for column in ("stunting", "stunting_se", "poverty", "coverage", "n_villages", "population"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    available = {
        "stunting": bool(frame["stunting"].notna().any()),
        "poverty": poverty_available and bool(frame["poverty"].notna().any()),
        "coverage": bool(frame["coverage"].notna().any()),
        "population": bool(frame["population"].notna().any()),
    }
    return {"districts": frame[INPUT_COLUMNS], "available": available, "as_of": as_of}


def _with_sources(conn: Connection, frame: pd.DataFrame, indicator: str, estimates: pd.DataFrame | None,
                  column: str, period_column: str) -> pd.DataFrame:
    """Adds `column`: the source of the estimate each district uses (its own or its province's)."""
    if estimates is None or estimates.empty:
        return frame.assign(**{column: None})
    sql = text("SELECT admin_code AS value_code, period, source FROM observation "
               "WHERE indicator_code = :code AND admin_code IN :codes").bindparams(bindparam("codes", expanding=True))
    result = conn.execute(sql, {"code": indicator, "codes": sorted(set(estimates["value_code"]))})
    sources = rows_frame(result.fetchall(), ["value_code", "period", "source"])
    picked = estimates[["district_code", "value_code", period_column]].rename(columns={period_column: "period"}).merge(sources, on=["value_code", "period"], how="left")
    return frame.merge(picked[["district_code", "source"]].rename(columns={"source": column}), on="district_code",
                       how="left")


def district_latest(conn: Connection, indicator: str, as_of: str) -> pd.DataFrame:
    """Per district: the latest value of a district-level indicator in a period starting by the end of as_of.

    Columns: district_code, value, period, source; districts that never reported are absent.
    """
    sql = text("""
        SELECT o.admin_code AS district_code, o.value, o.period, o.source
        FROM observation o JOIN admin_unit a ON a.code = o.admin_code AND a.level = 'district'
        WHERE o.indicator_code = :code AND o.period_start <= :last AND o.value IS NOT NULL
          AND o.period_start = (SELECT MAX(l.period_start) FROM observation l
                                WHERE l.indicator_code = o.indicator_code AND l.admin_code = o.admin_code
                                  AND l.period_start <= :last AND l.value IS NOT NULL)
        ORDER BY o.admin_code
    """)
    result = conn.execute(sql, {"code": indicator, "last": period_end(as_of)})
    return rows_frame(result.fetchall(), ["district_code", "value", "period", "source"])


def phase2_settings(conn: Connection, as_of: str) -> dict:
    """The program office's inputs and the exchange rate the costs use.

    Returns {"settings": program_settings() frame, "rate": {"period", "lak_per_usd"} or None}:
    the rate is the latest of exchange_rate in a month up to as_of, else the latest of all.
    """
    rate = conn.execute(text("SELECT period, lak_per_usd FROM exchange_rate WHERE period <= :as_of "
                             "ORDER BY period DESC LIMIT 1"), {"as_of": as_of}).first()
    if rate is None:
        rate = conn.execute(text("SELECT period, lak_per_usd FROM exchange_rate ORDER BY period DESC LIMIT 1")).first()
    return {"settings": program_settings(conn),
            "rate": {"period": rate[0], "lak_per_usd": float(rate[1])} if rate else None}


def village_project_mix(conn: Connection, as_of: str) -> pd.DataFrame:
    """Per district: how many villages are reached by 0, 1, ... 5 of the projects in the 12 months to as_of.

    Counted in SQL over convergence.village_reach's rows. Columns: district_code, n_projects,
    n_villages (only the counts that occur; a district without villages is absent).
    """
    kept = convergence_rollup.project_mix(conn, as_of)
    if kept is not None:
        return kept
    village_sql, params = _village_reach_sql(conn, as_of, None, 12)
    sql = f"""
        SELECT v.district_code, v.n_projects, COUNT(*) AS n_villages FROM ({village_sql}) v
        GROUP BY v.district_code, v.n_projects ORDER BY v.district_code, v.n_projects
    """
    result = conn.execute(text(sql), params)
    mix = rows_frame(result.fetchall(), ["district_code", "n_projects", "n_villages"])
    return mix.astype({"n_projects": int, "n_villages": int})
