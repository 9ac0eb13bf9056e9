"""The Overview page's headline figures for one place as of one month."""
from sqlalchemy import Connection

from data_access import significance
from data_access.periods import period_end
from data_access.queries import surveys
from data_access.queries.baselines import reference_baseline
from data_access.queries.catalogue import indicator as indicator_meta
from data_access.queries.convergence import target_village_share_all_projects
from data_access.queries.observations import scope_value
from data_access.queries.quality import reporting_completeness
from data_access.queries.payments import payment_delay
from data_access.queries.targets import end_of_project_target
from data_access.store import read_through
from data_access.stocks import stored_cap

FIRST_PERIOD = "2000-01"


def survey_latest_and_baseline(conn: Connection, indicator_code: str, scope_code: str | None, as_of: str) -> dict:
    """Latest survey estimate known by the end of as_of for the scope, or its nearest parent
    with one, and the baseline it is measured against there.

    Survey estimates are never derived from finer levels: a district without its own estimate
    shows its province's, and says so through `level_code`. A round counts from the day it
    became known (data_access.queries.surveys). The baseline is the place's results-framework
    baseline, else its oldest known round (data_access.queries.baselines: "source" says which).
    change: data_access.significance.change_verdict of latest against baseline ("better",
    "worse", "no_change", "untested"), None when the latest round is not after the baseline.
    Returns {"level_code", "latest": {period, value, std_error} | None, "baseline": {value, year,
    period, std_error, source} | None, "change"}.
    """
    meta = indicator_meta(conn, indicator_code) or {}
    period_type = meta.get("period_type", "year")
    as_of_end = period_end(as_of)
    candidates = []
    if scope_code and scope_code != "00":
        candidates.append(scope_code)
        if len(scope_code) >= 4:
            candidates.append(scope_code[:2])
    candidates.append("00")
    for code in candidates:
        estimates = surveys.survey_estimates(conn, indicator_code, code, as_of_end, period_type)
        if estimates:
            latest = estimates[-1]
            base = reference_baseline(conn, indicator_code, code, as_of_end, period_type)
            change = None
            if base is not None and latest["period"] > base["period"]:
                change = significance.change_verdict(latest["value"], latest["std_error"], base["value"],
                                                     base["std_error"], meta.get("direction"))
            return {"level_code": code, "latest": latest, "baseline": base, "change": change}
    return {"level_code": None, "latest": None, "baseline": None, "change": None}


def _reporters(conn: Connection, indicator_code: str, scope_code: str | None, as_of: str) -> tuple[int, int]:
    """(units that reported in the as-of month, units expected to report: at least once in the
    12 months to as_of), counted by the map's completeness query so both pages agree. A stock
    carried forward from August is not a report in December: it is not counted as reporting."""
    within = scope_code if scope_code and scope_code != "00" else None
    level = "district" if within and len(within) >= 4 else "province"
    frame = reporting_completeness(conn, indicator_code, level, as_of, as_of, within)
    return int(frame["n_reporting"].sum()), int(frame["n_expected"].sum())


def _expected_reporters(conn: Connection, indicator_code: str, scope_code: str | None, as_of: str) -> int:
    return _reporters(conn, indicator_code, scope_code, as_of)[1]


def headline_values(conn: Connection, scope_code: str | None, as_of: str, first_month: str | None = None) -> dict:
    """The five cards' numbers for a place and month (what a change since last month or since the last
    review compares: card_changes.compare): registered, compliance, stunting, convergence, payment_delay
    as in headline_figures, which adds the reporting counts and the target. One computation: both read these."""
    return {
        # A stock as of the month: carried reports count up to the cap; older ones leave it missing.
        "registered": scope_value(conn, "CCT_REGISTERED", scope_code, as_of, as_of),
        "compliance": scope_value(conn, "CCT_COMPLY_ALL", scope_code, first_month or as_of, as_of),
        "stunting": survey_latest_and_baseline(conn, "STUNTING", scope_code, as_of),
        "convergence": target_village_share_all_projects(conn, as_of, scope_code),
        "payment_delay": read_through(conn, payment_delay, scope_code, as_of, first_month),
    }


def headline_figures(conn: Connection, scope_code: str | None, as_of: str, first_month: str | None = None) -> dict:
    """Everything the Overview cards show, for a place (None = national) as of a month.

    first_month (the review page: a quarter's or semester's first month; None = as_of alone):
    the flows and ratios cover the months first_month to as_of (compliance from the numerators
    and denominators summed over them, payment delay over the cycles paid in them and those
    waiting at the end); the stocks and states stay those of as_of, the period's end
    (registered to date, convergence, the latest survey round known by then).

    Keys: registered (value, period, carried_value, carried_units, oldest_carried_period: the
    registration stock carries each village's latest report, see data_access.stocks),
    registered_reporting (villages that reported it in the as-of month), carry_forward_months
    (the cap the rollup was built with), registered_expected / compliance_expected (villages that
    reported in the last 12 months: completeness is n_units of that), registered_target (EOP target at this scope or None),
    compliance (value, numerator, denominator, n_units), stunting (see
    survey_latest_and_baseline), convergence (n_target_villages, n_all, share),
    payment_delay (queries.payments.payment_delay: the headline including open cycles, and
    its open and paid parts).
    """
    values = read_through(conn, headline_values, scope_code, as_of, first_month)
    registered_reporting, registered_expected = _reporters(conn, "CCT_REGISTERED", scope_code, as_of)
    return values | {
        "registered_expected": registered_expected,
        "registered_reporting": registered_reporting,
        "carry_forward_months": stored_cap(conn),
        "compliance_expected": _expected_reporters(conn, "CCT_COMPLY_ALL", scope_code, as_of),
        "registered_target": end_of_project_target(conn, "CCT_REGISTERED", scope_code),
    }


def district_map_data(conn: Connection, indicator_code: str, scope_code: str | None, period: str) -> dict:
    """Districts to draw for the scope (its province's, or all) and the indicator's values there.

    Returns {"units": DataFrame(code, name_en, name_lo), "values": indicator_values frame,
    "indicator": catalogue row}.
    """
    from data_access.queries.catalogue import admin_units, indicator
    from data_access.queries.observations import indicator_values

    province = scope_code[:2] if scope_code and scope_code != "00" else None
    return {
        "units": admin_units(conn, "district", province),
        "values": indicator_values(conn, indicator_code, "district", period, period, within=province),
        "indicator": indicator(conn, indicator_code),
    }
