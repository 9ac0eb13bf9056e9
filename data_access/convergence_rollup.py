"""Convergence counts per district and as-of month, rebuilt with the rollup: how many villages each number of projects reaches.

The convergence analytic (queries/convergence.py) asks which of the five projects reached each
village in the 12 months up to a month: at national scale that reads ~100,000 index entries per
question, and the Overview asks it three times per visit (this month, last month, the last
review), the map and Phase II again. Its answer per district is a handful of numbers that change
only when coverage data does, so, like the rollup, they are kept in a table and rebuilt when an
import, a rollback or a full rebuild changes the observations (data_access/rollup.py calls
`refresh_after_rollup` in the same transaction):

    convergence_rollup(period, district_code, n_projects, n_villages)

one row per as-of month, district and number of projects >= 1 (villages reached by none are the
district's other villages, counted live from admin_unit, so a village layer import needs no
rebuild), and one marker row (district "00", 0, 0) per month built, so that "no village reached"
and "not built" differ. Only the 12-month window the pages use is kept; a month not built (a
database from before this table, until `rebuild-rollups`) is answered by the live query.
"""
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, text

from data_access.frames import rows_frame
from data_access.periods import add_months

TABLE = "convergence_rollup"
WINDOW_MONTHS = 12
MARKER = "00"


def coverage_indicators(conn: Connection) -> set[str]:
    return {code for (code,) in conn.execute(text(
        "SELECT coverage_indicator FROM project WHERE coverage_indicator IS NOT NULL"))}


def _months_with_data(conn: Connection) -> list[str]:
    from data_access.queries.catalogue import months_with_data

    return months_with_data(conn)


def _built_months(conn: Connection) -> set[str]:
    return {period for (period,) in conn.execute(text(
        f"SELECT period FROM {TABLE} WHERE district_code = :marker"), {"marker": MARKER})}


def refresh(conn: Connection, months: Iterable[str] | None = None) -> int:
    """Rebuild the given as-of months (None: every month with data), inside the caller's transaction.

    Months without data are dropped from the table (nobody can choose them). Returns the months built.
    """
    from data_access.queries.convergence import _village_reach_sql

    available = set(_months_with_data(conn))
    if months is None:
        conn.execute(text(f"DELETE FROM {TABLE}"))
        wanted = sorted(available)
    else:
        wanted = sorted(set(months) & available)
        if wanted:
            names = {f"m{n}": month for n, month in enumerate(wanted)}
            conn.execute(text(f"DELETE FROM {TABLE} WHERE period IN ({', '.join(':' + name for name in names)})"), names)
    for month in wanted:
        village_sql, params = _village_reach_sql(conn, month, None, WINDOW_MONTHS)
        conn.execute(text(f"""
            INSERT INTO {TABLE} (period, district_code, n_projects, n_villages)
            SELECT :as_of, v.district_code, v.n_projects, COUNT(*) FROM ({village_sql}) v
            WHERE v.n_projects > 0
            GROUP BY v.district_code, v.n_projects
        """), params | {"as_of": month})
        conn.execute(text(f"INSERT INTO {TABLE} (period, district_code, n_projects, n_villages) "
                          "VALUES (:as_of, :marker, 0, 0)"), {"as_of": month, "marker": MARKER})
    return len(wanted)


def months_reached_by(periods: Iterable[str]) -> set[str]:
    """The as-of months whose 12-month window holds one of these months (a month and the 11 after it)."""
    months = set()
    for period in periods:
        if len(period) == 7 and period[4] == "-" and period[5:].isdigit():
            months.update(add_months(period, step) for step in range(WINDOW_MONTHS))
    return months


def refresh_after_rollup(conn: Connection, indicator_codes: list[str] | None, periods) -> int:
    """What rebuild_rollups changed, made true here too: every month on a full rebuild; the months
    whose window holds a changed coverage period; all months when a coverage indicator was rebuilt
    whole; and any month with data not built yet (a new month of other data)."""
    coverage = coverage_indicators(conn)
    if indicator_codes is None and periods is None:
        return refresh(conn)
    if periods is not None:
        months = months_reached_by(period for indicator, period in periods if indicator in coverage)
    elif coverage & set(indicator_codes or ()):
        return refresh(conn)
    else:
        months = set()
    months |= set(_months_with_data(conn)) - _built_months(conn)
    return refresh(conn, months) if months else 0


def project_mix(conn: Connection, as_of: str, within: str | None = None) -> pd.DataFrame | None:
    """Per district (inside `within`): villages by number of projects reaching them, 0 included.

    Columns: district_code, n_projects, n_villages (only the counts that occur). None when the
    month is not built (the caller counts live).
    """
    built = conn.execute(text(f"SELECT 1 FROM {TABLE} WHERE period = :as_of AND district_code = :marker"),
                         {"as_of": as_of, "marker": MARKER}).first()
    if built is None:
        return None
    params: dict = {"as_of": as_of, "marker": MARKER}
    district_filter = village_filter = ""
    if within and within != "00":
        district_filter = " AND c.district_code LIKE :prefix"
        village_filter = " AND a.code LIKE :prefix"
        params["prefix"] = within + "%"
    reached = rows_frame(conn.execute(text(
        f"SELECT c.district_code, c.n_projects, c.n_villages FROM {TABLE} c "
        f"WHERE c.period = :as_of AND c.district_code <> :marker{district_filter}"), params).fetchall(),
        ["district_code", "n_projects", "n_villages"])
    villages = rows_frame(conn.execute(text(
        f"SELECT a.district_code, COUNT(*) FROM admin_unit a WHERE a.level = 'village'{village_filter} "
        "GROUP BY a.district_code"), params).fetchall(),
        ["district_code", "total"])
    reached_total = reached.groupby("district_code")["n_villages"].sum()
    none = villages.set_index("district_code")["total"].sub(reached_total, fill_value=0)
    unreached = pd.DataFrame({"district_code": none.index, "n_projects": 0, "n_villages": none.to_numpy()})
    unreached = unreached[(unreached["n_villages"] > 0) & unreached["district_code"].isin(villages["district_code"])]
    mix = pd.concat([unreached, reached], ignore_index=True)
    mix = mix.astype({"n_projects": int, "n_villages": int})
    return mix.sort_values(["district_code", "n_projects"]).reset_index(drop=True)
