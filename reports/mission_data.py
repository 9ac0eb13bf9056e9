"""What a mission report shows, read with the very query functions the pages use (nothing recomputed)."""
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed

from data_access.periods import add_months
from data_access.queries.alerts import alerts_for, rules_in_force
from data_access.queries.catalogue import admin_units, target_districts
from data_access.queries.districts import all_districts, district_comparison
from data_access.queries.overview import district_map_data, headline_figures
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
# The key map is the Overview's: compliance with all conditions by district (callbacks/overview.py).
MAP_INDICATOR = "CCT_COMPLY_ALL"
STEPS = ("place", "headline", "framework", "trends", "pipeline", "budget", "completeness")
# Queries run side by side: the database does the work (SQLite and psycopg release the GIL while a
# query runs), so on two cores three readers finish a national report's reads in about half the time.
READERS = 3


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


def _reads(read: Callable, scope: str | None, as_of: str, lang: str, phase2: dict | None) -> dict[str, tuple]:
    """key -> (progress step, zero-argument reader), the slowest first so that they start first."""
    previous = previous_period(as_of)
    level = "district" if scope else "province"

    def projections():
        return [read(cumulative_projection, code, scope, as_of) for code in read(projectable_indicators, None)["code"]]

    def completeness():
        return {code: read(reporting_completeness, code, level, as_of, as_of, scope) for code in COMPLETENESS_INDICATORS}

    return {
        "headline": ("headline", lambda: read(headline_figures, scope, as_of)),
        "headline_previous": ("headline", lambda: read(headline_figures, scope, previous)),
        "alerts": ("alerts", lambda: read(alerts_for, scope, as_of, lang)),
        "framework": ("framework", lambda: read(progress_table, scope, as_of, None)),
        "comparison": ("completeness", lambda: read(district_comparison, compared_districts(read, scope)[0], as_of)),
        "pipeline": ("pipeline", lambda: read(payment_pipeline, scope, as_of)),
        "phase2": ("phase2", lambda: collect_phase2(read, as_of, phase2, is_demo(read))),
        "actions": ("actions", lambda: collect_actions(read, scope, as_of)),
        "projections": ("framework", projections),
        "management": ("budget", lambda: read(management_trends, scope, as_of)),
        "completeness": ("completeness", completeness),
        "stunting": ("trends", lambda: read(survey_trends, "STUNTING", scope, as_of)),
        "compliance": ("trends", lambda: read(compliance_trends, scope, as_of)),
        "map": ("maps", lambda: read(district_map_data, MAP_INDICATOR, scope, as_of)),
        "projects": ("framework", lambda: read(target_projects)),
        "units": ("completeness", lambda: read(admin_units, level, scope)),
        "alert_rules": ("alerts", lambda: read(rules_in_force)),
        "place": ("place", lambda: place_names(read, scope)),
        "is_demo": ("place", lambda: is_demo(read)),
        "sources": ("place", lambda: source_lines(read, lang)),
    }


def collect(read: Callable, scope: str | None, as_of: str, lang: str,
            progress: Callable[[str, int], None] | None = None, phase2: dict | None = None) -> dict:
    """Every query result the report needs. `read` is store.read (or the CLI's equivalent) and must
    be callable from several threads at once (each call opens its own connection); `progress(step,
    percent)` is told, from the caller's thread only, as each part arrives; `phase2`: the Phase II
    page's choices (mission_phase2.parse_selection), None for the page's defaults."""
    scope = scope if scope and scope != "00" else None
    step = progress or (lambda name, percent: None)
    data: dict = {"scope": scope, "as_of": as_of, "previous": previous_period(as_of), "lang": lang}
    reads = _reads(read, scope, as_of, lang, phase2)
    step("place", 5)
    with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="report-read") as pool:
        futures = {pool.submit(reader): key for key, (_step, reader) in reads.items()}
        for done, future in enumerate(as_completed(futures), start=1):
            key = futures[future]
            data[key] = future.result()  # a failed read fails the report, as before
            step(reads[key][0], 5 + int(75 * done / len(futures)))
    return data
