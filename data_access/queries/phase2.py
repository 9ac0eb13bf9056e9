"""Phase II targeting inputs: every district's need (stunting, poverty) and convergence gap as of a month."""
import pandas as pd
from sqlalchemy import Connection, text

from data_access.queries.convergence import convergence_by_district
from data_access.queries.districts import comparison_districts, survey_with_fallback

STUNTING_INDICATOR = "STUNTING"
# A district poverty estimate (share of people below the poverty line, from a poverty map
# or the PMT); the component is offered only when the catalogue has it.
POVERTY_INDICATOR = "POVERTY_HEADCOUNT"
# Component column -> True when a higher value means more need.
COMPONENTS = {"stunting": True, "poverty": True, "coverage": False}

INPUT_COLUMNS = [
    "district_code", "name_en", "name_lo", "province_code", "province_name_en", "province_name_lo", "is_target",
    "stunting", "stunting_se", "stunting_period", "stunting_level",
    "poverty", "poverty_period", "poverty_level",
    "coverage", "n_villages",
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
    convergence = convergence_by_district(conn, as_of)
    coverage = convergence[["district_code", "share_four_plus", "n_villages"]].rename(
        columns={"share_four_plus": "coverage"})
    frame = frame.merge(coverage, on="district_code", how="left")
    for column in ("stunting", "stunting_se", "poverty", "coverage", "n_villages"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    available = {
        "stunting": bool(frame["stunting"].notna().any()),
        "poverty": poverty_available and bool(frame["poverty"].notna().any()),
        "coverage": bool(frame["coverage"].notna().any()),
    }
    return {"districts": frame[INPUT_COLUMNS], "available": available, "as_of": as_of}
