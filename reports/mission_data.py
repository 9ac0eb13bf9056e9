"""What a mission report shows, read with the very query functions the pages use (nothing recomputed)."""
from collections.abc import Callable

from data_access.periods import add_months
from data_access.queries.catalogue import admin_units, target_districts
from data_access.queries.districts import all_districts, district_comparison
from data_access.queries.overview import headline_figures
from data_access.queries.quality import reporting_completeness
from data_access.queries.targets import cumulative_projection, progress_table, projectable_indicators, target_projects
from data_access.queries.trends import compliance_trends, management_trends, payment_pipeline, survey_trends
from reports.context import is_demo, place_names, source_lines
from reports.mission_actions import collect_actions
from reports.mission_phase2 import collect_phase2

# A supervision mission reviews the six months since the previous one.
REVIEW_MONTHS = 6
PROJECTION_INDICATOR = "CCT_REGISTERED"
COMPLETENESS_INDICATORS = ("CCT_REGISTERED", "CCT_COMPLY_ALL")
STEPS = ("place", "headline", "framework", "trends", "pipeline", "budget", "completeness")


def previous_period(as_of: str) -> str:
    """The as-of month of the previous review (one semester earlier)."""
    return add_months(as_of, -REVIEW_MONTHS)


def compared_districts(read: Callable, scope: str | None) -> tuple[list[str], str | None]:
    """The districts whose reporting the report judges, as the district comparison page picks
    them: a district's or province's districts, else the program's target districts."""
    province = scope[:2] if scope and scope != "00" else None
    if province:
        frame = read(all_districts)
        return list(frame.loc[frame["province_code"] == province, "code"]), province
    return sorted(read(target_districts)), None


def collect(read: Callable, scope: str | None, as_of: str, lang: str,
            progress: Callable[[str, int], None] | None = None, phase2: dict | None = None) -> dict:
    """Every query result the report needs. `read` is store.read (or the CLI's equivalent);
    `progress(step, percent)` is told as each part is read; `phase2`: the Phase II page's choices
    (mission_phase2.parse_selection), None for the page's defaults."""
    scope = scope if scope and scope != "00" else None
    step = progress or (lambda name, percent: None)
    data: dict = {"scope": scope, "as_of": as_of, "previous": previous_period(as_of), "lang": lang}
    step("place", 5)
    data["place"] = place_names(read, scope)
    data["is_demo"] = is_demo(read)
    data["sources"] = source_lines(read, lang)
    step("headline", 15)
    data["headline"] = read(headline_figures, scope, as_of)
    data["headline_previous"] = read(headline_figures, scope, data["previous"])
    step("framework", 30)
    data["projects"] = read(target_projects)
    data["framework"] = read(progress_table, scope, as_of, None)
    projectable = read(projectable_indicators, None)
    data["projections"] = [read(cumulative_projection, code, scope, as_of) for code in projectable["code"]]
    step("trends", 50)
    data["stunting"] = read(survey_trends, "STUNTING", scope, as_of)
    data["compliance"] = read(compliance_trends, scope, as_of)
    step("pipeline", 65)
    data["pipeline"] = read(payment_pipeline, scope, as_of)
    step("budget", 75)
    data["management"] = read(management_trends, scope, as_of)
    step("completeness", 85)
    within = scope
    level = "district" if within else "province"
    data["units"] = read(admin_units, level, within)
    data["completeness"] = {code: read(reporting_completeness, code, level, as_of, as_of, within)
                            for code in COMPLETENESS_INDICATORS}
    codes, _province = compared_districts(read, scope)
    data["comparison"] = read(district_comparison, codes, as_of)
    data["phase2"] = collect_phase2(read, as_of, phase2, data["is_demo"])
    data["actions"] = collect_actions(read, scope, as_of)
    return data
