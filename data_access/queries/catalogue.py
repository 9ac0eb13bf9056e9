"""Lists of things to choose from: places, projects, indicators, periods with data."""
import datetime as dt

import pandas as pd
from sqlalchemy import Connection, text

from data_access.frames import rows_frame
from data_access.periods import period_end
from data_access.store import read_through


def _frame(conn: Connection, sql: str, **params) -> pd.DataFrame:
    result = conn.execute(text(sql), params)
    return rows_frame(result.fetchall(), list(result.keys()))


def admin_units(conn: Connection, level: str, within: str | None = None) -> pd.DataFrame:
    """Units of one level, optionally inside a parent (code prefix).

    Columns: code, name_en, name_lo, parent_code, lon, lat, is_demo.
    """
    sql = "SELECT code, name_en, name_lo, parent_code, lon, lat, is_demo FROM admin_unit WHERE level = :level"
    params: dict = {"level": level}
    if within:
        sql += " AND code LIKE :prefix"
        params["prefix"] = within + "%"
    return _frame(conn, sql + " ORDER BY code", **params)


def admin_unit(conn: Connection, code: str) -> dict | None:
    """One unit as a dict (code, level, name_en, name_lo, parent_code, lon, lat) or None."""
    row = conn.execute(
        text("SELECT code, level, name_en, name_lo, parent_code, lon, lat FROM admin_unit WHERE code = :code"),
        {"code": code},
    ).mappings().first()
    return dict(row) if row else None


def projects(conn: Connection) -> pd.DataFrame:
    """Columns: code, name_en, name_lo, short_lo, sector_en, sector_lo, coverage_indicator, closing_date."""
    return _frame(
        conn,
        "SELECT code, name_en, name_lo, short_lo, sector_en, sector_lo, ministry_en, ministry_lo, "
        "coverage_indicator, closing_date FROM project ORDER BY sort_order, code",
    )


def indicators(conn: Connection, project_code: str | None = None) -> pd.DataFrame:
    """The catalogue. Columns: code, project_code, name_en, name_lo, unit, period_type, level,
    direction, aggregation, multiplier, framework_level, cumulative, min_value, max_value."""
    sql = (
        "SELECT code, project_code, name_en, name_lo, unit, period_type, level, direction, aggregation, "
        "multiplier, framework_level, cumulative, min_value, max_value FROM indicator"
    )
    params = {}
    if project_code:
        sql += " WHERE project_code = :project"
        params["project"] = project_code
    return _frame(conn, sql + " ORDER BY sort_order, code", **params)


def indicator(conn: Connection, code: str) -> dict | None:
    """One indicator's catalogue row as a dict (a copy), or None."""
    row = read_through(conn, indicator_rows).get(code)
    return dict(row) if row else None


def indicator_rows(conn: Connection) -> dict[str, dict]:
    """Every indicator's catalogue row by code (31 rows: one read, kept with the page's other reads,
    instead of a query per indicator a page's queries look up, ~170 of them on a cold page set)."""
    rows = conn.execute(text(
        "SELECT code, project_code, name_en, name_lo, unit, period_type, level, direction, aggregation, "
        "multiplier, framework_level, cumulative, min_value, max_value FROM indicator"
    )).mappings().all()
    return {row["code"]: dict(row) for row in rows}


def months_with_data(conn: Connection) -> list[str]:
    """Month codes for which any monthly indicator has data, newest first."""
    rows = conn.execute(
        text(
            "SELECT DISTINCT r.period FROM observation_rollup r JOIN indicator i ON i.code = r.indicator_code "
            "WHERE r.level = 'national' AND i.period_type = 'month' ORDER BY r.period DESC"
        )
    ).fetchall()
    return [period for (period,) in rows]


def target_districts(conn: Connection, project_code: str = "RRPM") -> list[str]:
    """District codes in the project's target area."""
    rows = conn.execute(
        text("SELECT admin_code FROM target_area WHERE project_code = :project ORDER BY admin_code"),
        {"project": project_code},
    ).fetchall()
    return [code for (code,) in rows]


def projects_closed_by(conn: Connection, as_of: str) -> pd.DataFrame:
    """Projects whose closing date is before the end of the as-of month, in project order.
    Columns: code, name_en, name_lo, short_lo, closing_date (datetime.date)."""
    result = conn.execute(
        text("SELECT code, name_en, name_lo, short_lo, closing_date FROM project "
             "WHERE closing_date IS NOT NULL AND closing_date < :end ORDER BY sort_order, code"),
        {"end": period_end(as_of)},
    )
    frame = rows_frame(result.fetchall(), list(result.keys()))
    frame["closing_date"] = [value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
                             for value in frame["closing_date"]]
    return frame
