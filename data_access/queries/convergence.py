"""Which of the five projects reach each village, and how many: the convergence analytic."""
import pandas as pd
from sqlalchemy import Connection, text

from data_access.frames import rows_frame
from data_access import convergence_rollup
from data_access.periods import add_months, period_end, period_start
from data_access.queries.catalogue import target_districts

DEFAULT_WINDOW_MONTHS = 12


def _reach_window(as_of: str, months: int) -> tuple:
    return period_start(add_months(as_of, -(months - 1))), period_end(as_of)


def _coverage_rows(conn: Connection, as_of: str, within: str | None, months: int) -> tuple[str, dict, list[str]]:
    """The condition (on alias o) for observations of a coverage indicator in the window and the place,
    its parameters and the project codes (see _coverage_condition)."""
    condition, params, projects = _coverage_condition(conn, as_of, within, months)
    return condition, params, [code for code, _indicator in projects]


def _coverage_condition(conn: Connection, as_of: str, within: str | None,
                        months: int) -> tuple[str, dict, list[tuple[str, str | None]]]:
    """_coverage_rows with the projects as (code, coverage indicator) pairs, in the program's order.

    The coverage indicators are named in the SQL (not joined from `project`), so that both
    SQLite and PostgreSQL read the window through the (indicator_code, period_start, ...)
    index: joined, SQLite read every month of each indicator and PostgreSQL scanned the whole
    table, so the query grew with the history although it needs 12 months.
    The indicator parameters are ci0, ci1, ... in sorted indicator order.
    """
    projects = [(code, indicator) for code, indicator in conn.execute(
        text("SELECT code, coverage_indicator FROM project ORDER BY sort_order, code"))]
    indicators = sorted({indicator for _code, indicator in projects if indicator})
    first, last = _reach_window(as_of, months)
    params: dict = {"first": first, "last": last}
    params |= {f"ci{i}": code for i, code in enumerate(indicators)}
    in_list = ", ".join(f":ci{i}" for i in range(len(indicators))) or "NULL"
    condition = f"o.indicator_code IN ({in_list}) AND o.period_start BETWEEN :first AND :last"
    if within and within != "00":
        # Filtering the observations too keeps a province's query from scanning the nation.
        condition += " AND o.admin_code LIKE :prefix"
        params["prefix"] = within + "%"
    return condition, params, projects


def _reach_cte(conn: Connection, as_of: str, within: str | None, months: int) -> tuple[str, dict, list[str]]:
    """The `reach` CTE (one row per village and project that reached it in the window), its
    parameters and the project codes."""
    condition, params, project_codes = _coverage_rows(conn, as_of, within, months)
    cte = f"""
        reached AS (
            SELECT DISTINCT o.admin_code, o.indicator_code
            FROM observation o
            WHERE {condition}
              AND (o.value > 0 OR o.numerator > 0)
        ),
        reach AS (
            SELECT DISTINCT r.admin_code, p.code AS project_code
            FROM reached r JOIN project p ON p.coverage_indicator = r.indicator_code
        )"""
    return cte, params, project_codes


def _village_reach_sql(conn: Connection, as_of: str, within: str | None, months: int) -> tuple[str, dict]:
    """SQL giving one row per village with its project flags and count (see village_reach).

    The window's coverage rows are folded into one row per village in a single grouping, one 0/1
    flag per project (a project reaches the village when its indicator is positive in some month),
    then joined to the villages: no DISTINCT over (village, indicator) pairs, no join to `project`
    and no second grouping over the villages' columns (~30 % less time on PostgreSQL nationally).
    """
    condition, params, projects = _coverage_condition(conn, as_of, within, months)
    indicator_param = {code: f"ci{i}" for i, code in enumerate(sorted({ind for _c, ind in projects if ind}))}
    village_filter = ""
    if within and within != "00":
        village_filter = " AND a.code LIKE :prefix"
    per_project = [
        f"MAX(CASE WHEN o.indicator_code = :{indicator_param[indicator]} THEN 1 ELSE 0 END) AS f{i}"
        for i, (_code, indicator) in enumerate(projects) if indicator
    ]
    flag_of = {i: f"COALESCE(r.f{i}, 0)" if indicator else "0" for i, (_code, indicator) in enumerate(projects)}
    count = " + ".join(flag_of.values()) or "0"
    flags = "".join(f', {flag_of[i]} AS "{code}"' for i, (code, _indicator) in enumerate(projects))
    reach = "SELECT CAST(NULL AS VARCHAR(7)) AS admin_code WHERE 1 = 0"
    if per_project:
        reach = f"""
            SELECT o.admin_code, {", ".join(per_project)}
            FROM observation o
            WHERE {condition}
              AND (o.value > 0 OR o.numerator > 0)
            GROUP BY o.admin_code"""
    sql = f"""
        WITH reach AS ({reach})
        SELECT a.code, a.name_en, a.name_lo, a.district_code, a.province_code, a.lon, a.lat,
               CASE WHEN t.admin_code IS NULL THEN 0 ELSE 1 END AS is_target,
               {count} AS n_projects{flags}
        FROM admin_unit a
        LEFT JOIN reach r ON r.admin_code = a.code
        LEFT JOIN target_area t ON t.admin_code = a.district_code AND t.project_code = 'RRPM'
        WHERE a.level = 'village'{village_filter}
    """
    return sql, params


def village_reach(
    conn: Connection, as_of: str, within: str | None = None, months: int = DEFAULT_WINDOW_MONTHS
) -> pd.DataFrame:
    """One row per village (inside `within`): which projects reached it in the `months` up to as_of.

    A project reaches a village when its coverage indicator (project.coverage_indicator)
    is positive (value or numerator) in at least one month of the window. Villages with no
    project at all are included with n_projects = 0.
    Columns: code, name_en, name_lo, district_code, province_code, lon, lat, is_target,
    n_projects, and one 0/1 column per project code (e.g. RRPM, HANSA, ...).
    """
    sql, params = _village_reach_sql(conn, as_of, within, months)
    result = conn.execute(text(sql + " ORDER BY a.code"), params)
    return rows_frame(result.fetchall(), list(result.keys()))


def convergence_by_district(
    conn: Connection, as_of: str, within: str | None = None, months: int = DEFAULT_WINDOW_MONTHS
) -> pd.DataFrame:
    """Per district: villages, target villages, and how many are reached by all five / at least four.

    Counted in SQL (one row per district comes back, not one per village).
    Columns: district_code, name_en, name_lo, is_target, n_villages, n_all, n_four_plus,
    share_all, share_four_plus (percent of the district's villages).
    """
    n_projects = int(conn.execute(text("SELECT COUNT(*) FROM project")).scalar_one())
    mix = convergence_rollup.project_mix(conn, as_of, within) if months == DEFAULT_WINDOW_MONTHS else None
    if mix is not None:
        return _by_district_from_mix(conn, mix, n_projects, within)
    village_sql, params = _village_reach_sql(conn, as_of, within, months)
    params["n_projects"] = n_projects
    sql = f"""
        SELECT v.district_code, d.name_en, d.name_lo, MAX(v.is_target) AS is_target,
               COUNT(*) AS n_villages,
               SUM(CASE WHEN v.n_projects >= :n_projects THEN 1 ELSE 0 END) AS n_all,
               SUM(CASE WHEN v.n_projects >= :n_projects - 1 THEN 1 ELSE 0 END) AS n_four_plus
        FROM ({village_sql}) v JOIN admin_unit d ON d.code = v.district_code
        GROUP BY v.district_code, d.name_en, d.name_lo
        ORDER BY v.district_code
    """
    result = conn.execute(text(sql), params)
    summary = rows_frame(result.fetchall(), list(result.keys()))
    for column in ("is_target", "n_villages", "n_all", "n_four_plus"):
        summary[column] = summary[column].astype(int)
    summary["share_all"] = 100.0 * summary["n_all"] / summary["n_villages"]
    summary["share_four_plus"] = 100.0 * summary["n_four_plus"] / summary["n_villages"]
    return summary


def target_village_share_all_projects(
    conn: Connection, as_of: str, within: str | None = None, months: int = DEFAULT_WINDOW_MONTHS
) -> dict:
    """Share of RRPM target-district villages reached by all five projects (the headline).

    Returns {"n_target_villages", "n_all", "share", "reported"}. reported: whether any target village
    of the place has any report (zero included) of any project's coverage indicator in the window.
    share is None when there are no target villages, and when none of them reported: no report is
    missing, not 0 % (a village that reported zero coverage does count, as not reached).
    """
    mix = convergence_rollup.project_mix(conn, as_of, within) if months == DEFAULT_WINDOW_MONTHS else None
    if mix is not None:
        n_projects = int(conn.execute(text("SELECT COUNT(*) FROM project")).scalar_one())
        targets = set(target_districts(conn))
        in_target = mix[mix["district_code"].isin(targets)]
        n_target = int(in_target["n_villages"].sum())
        n_all = int(in_target.loc[in_target["n_projects"] >= n_projects, "n_villages"].sum()) if n_target else 0
        reported = bool(n_target) and _target_villages_reported(conn, as_of, within, months)
        return {"n_target_villages": n_target, "n_all": n_all,
                "share": (100.0 * n_all / n_target) if reported else None, "reported": reported}
    # Counted in SQL: two numbers come back, not a frame of 8,500 villages (the Overview asks
    # for this month and the previous one on every visit).
    cte, params, project_codes = _reach_cte(conn, as_of, within, months)
    params["n_projects"] = len(project_codes)
    village_filter = ""
    if within and within != "00":
        village_filter = " AND a.code LIKE :prefix"
    row = conn.execute(text(f"""
        WITH {cte},
        per_village AS (SELECT admin_code, COUNT(*) AS n_projects FROM reach GROUP BY admin_code)
        SELECT COUNT(*) AS n_target,
               SUM(CASE WHEN v.n_projects >= :n_projects THEN 1 ELSE 0 END) AS n_all
        FROM admin_unit a
        JOIN target_area t ON t.admin_code = a.district_code AND t.project_code = 'RRPM'
        LEFT JOIN per_village v ON v.admin_code = a.code
        WHERE a.level = 'village'{village_filter}
    """), params).one()
    n_target = int(row.n_target or 0)
    n_all = int(row.n_all or 0) if n_target else 0
    reported = bool(n_target) and _target_villages_reported(conn, as_of, within, months)
    return {"n_target_villages": n_target, "n_all": n_all,
            "share": (100.0 * n_all / n_target) if reported else None, "reported": reported}


def _target_villages_reported(conn: Connection, as_of: str, within: str | None, months: int) -> bool:
    """Whether any RRPM target-district village of the place has a coverage report in the window."""
    condition, params, _projects = _coverage_rows(conn, as_of, within, months)
    found = conn.execute(text(f"""
        SELECT 1 FROM observation o
        JOIN admin_unit a ON a.code = o.admin_code AND a.level = 'village'
        JOIN target_area t ON t.admin_code = a.district_code AND t.project_code = 'RRPM'
        WHERE {condition}
        LIMIT 1
    """), params).first()
    return found is not None


def _by_district_from_mix(conn: Connection, mix: pd.DataFrame, n_projects: int, within: str | None) -> pd.DataFrame:
    """convergence_by_district's frame from the kept counts (data_access/convergence_rollup.py)."""
    params: dict = {}
    where = ""
    if within and within != "00":
        where = " AND d.code LIKE :prefix"
        params["prefix"] = within + "%"
    districts = rows_frame(conn.execute(text(
        "SELECT d.code AS district_code, d.name_en, d.name_lo, "
        "CASE WHEN t.admin_code IS NULL THEN 0 ELSE 1 END AS is_target FROM admin_unit d "
        "LEFT JOIN target_area t ON t.admin_code = d.code AND t.project_code = 'RRPM' "
        f"WHERE d.level = 'district'{where}"), params).fetchall(),
        ["district_code", "name_en", "name_lo", "is_target"])
    counts = mix.assign(all_=mix["n_villages"].where(mix["n_projects"] >= n_projects, 0),
                        four_=mix["n_villages"].where(mix["n_projects"] >= n_projects - 1, 0))
    totals = counts.groupby("district_code").agg(n_villages=("n_villages", "sum"), n_all=("all_", "sum"),
                                                 n_four_plus=("four_", "sum")).reset_index()
    summary = districts.merge(totals, on="district_code", how="inner").sort_values("district_code")
    summary = summary[summary["n_villages"] > 0].reset_index(drop=True)
    for column in ("is_target", "n_villages", "n_all", "n_four_plus"):
        summary[column] = summary[column].astype(int)
    summary["share_all"] = 100.0 * summary["n_all"] / summary["n_villages"]
    summary["share_four_plus"] = 100.0 * summary["n_four_plus"] / summary["n_villages"]
    return summary[["district_code", "name_en", "name_lo", "is_target", "n_villages", "n_all", "n_four_plus",
                    "share_all", "share_four_plus"]]
