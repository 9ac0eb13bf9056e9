"""Data quality: reporting completeness, and village-layer problems found at import."""
import datetime as dt
import json
import logging

import pandas as pd
from sqlalchemy import Connection, text

from data_access.frames import rows_frame
from data_access.periods import add_months, month_code, period_end, period_start

log = logging.getLogger(__name__)

EXPECTED_MONTHS = 12
# Import rules (data_access/importers/report.py) that put a village in the wrong place or
# leave it without a place: shown on the map page's data-quality panel.
OUTSIDE_RULES = ("village_outside_district",)
UNMATCHED_RULES = ("unknown_district", "invalid_village_code", "unknown_admin_code")
_ANCESTOR = {"province": "a.province_code", "district": "a.district_code"}
_BELOW = {"province": ("province", "district", "village"), "district": ("district", "village")}
COMPLETENESS_COLUMNS = ["code", "n_reporting", "n_expected"]


def reporting_completeness(
    conn: Connection,
    indicator_code: str,
    level: str,
    start: str,
    end: str,
    within: str | None = None,
    expected_months: int = EXPECTED_MONTHS,
) -> pd.DataFrame:
    """Per unit of `level` (province or district): reporters in [start, end] and reporters expected.

    A reporter is a unit (village, district, ...) with a value or a numerator/denominator
    pair for the indicator. Expected: every unit that reported it at least once in the
    `expected_months` up to the end of the window (a village that never reports this
    indicator, e.g. outside the project's area, is not expected to). Columns: code,
    n_reporting, n_expected; units with no reporter in the whole span are absent.
    """
    if level not in _ANCESTOR:
        raise ValueError(f"completeness is counted per province or district, not {level!r}")
    last = period_end(end)
    first_expected = period_start(add_months(month_code(last), -(expected_months - 1)))
    params = {"indicator": indicator_code, "first": period_start(start), "last": last,
              "first_expected": min(first_expected, period_start(start))}
    where = ""
    if within:
        where = " AND o.admin_code LIKE :prefix"
        params["prefix"] = within + "%"
    levels = ", ".join(f"'{name}'" for name in _BELOW[level])
    ancestor = _ANCESTOR[level]
    # Each unit once (a hash aggregate), then counted per place: COUNT(DISTINCT ...) per place sorted
    # every row of the window, a third slower on both databases.
    sql = f"""
        SELECT {ancestor} AS code, SUM(u.in_window) AS n_reporting, COUNT(*) AS n_expected
        FROM (SELECT o.admin_code, MAX(CASE WHEN o.period_start >= :first THEN 1 ELSE 0 END) AS in_window
              FROM observation o
              WHERE o.indicator_code = :indicator AND o.period_start BETWEEN :first_expected AND :last
                AND (o.value IS NOT NULL OR (o.numerator IS NOT NULL AND o.denominator IS NOT NULL)){where}
              GROUP BY o.admin_code) u
        JOIN admin_unit a ON a.code = u.admin_code
        WHERE a.level IN ({levels})
        GROUP BY {ancestor}
        ORDER BY {ancestor}
    """
    result = conn.execute(text(sql), params)
    frame = rows_frame(result.fetchall(), COMPLETENESS_COLUMNS)
    frame[["n_reporting", "n_expected"]] = frame[["n_reporting", "n_expected"]].astype("int64")
    return frame


def village_layer_problems(conn: Connection, lang: str, within: str | None = None) -> dict:
    """Problems the village-layer imports reported, for the latest applied import of each file.

    Returns {"batches": DataFrame(batch_id, file_name, imported_at, rows_total),
    "outside": DataFrame(batch_id, file_name, row, code, message) for villages whose point
    lies outside their declared district, "unmatched": same columns for codes that match
    no district or are malformed}. Messages are in `lang`. `within` keeps codes with that
    prefix (a province or district).
    """
    # Imported here: the importers package loads every importer, which other queries do not need.
    from data_access.importers.report import ImportReport

    rows = conn.execute(
        text("SELECT id, file_name, imported_at, rows_total, report_json FROM import_batch "
             "WHERE kind = 'villages' AND status = 'applied' ORDER BY imported_at DESC, id DESC")
    ).fetchall()
    batches, outside, unmatched, seen_files = [], [], [], set()
    for batch_id, file_name, imported_at, rows_total, report_json in rows:
        if file_name in seen_files:
            continue  # an older import of the same file was superseded
        seen_files.add(file_name)
        batches.append({"batch_id": batch_id, "file_name": file_name, "imported_at": imported_at,
                         "rows_total": rows_total})
        try:
            document = json.loads(report_json or "{}")
            # Importers store {"report": ..., "undo": ...}; a bare report is read as well.
            content = document.get("report", document) if isinstance(document, dict) else {}
            report = ImportReport.from_dict(content | {"file_name": file_name, "kind": "villages"})
        except (ValueError, TypeError, KeyError):
            log.warning("import batch %s has an unreadable report", batch_id, exc_info=True)
            continue
        for problem in report.problems:
            code = problem.value or ""
            if within and not code.startswith(within):
                continue
            entry = {"batch_id": batch_id, "file_name": file_name, "row": problem.row, "code": code,
                     "message": problem.message(lang)}
            if problem.rule in OUTSIDE_RULES:
                outside.append(entry)
            elif problem.rule in UNMATCHED_RULES:
                unmatched.append(entry)
    columns = ["batch_id", "file_name", "row", "code", "message"]
    return {
        "batches": pd.DataFrame(batches, columns=["batch_id", "file_name", "imported_at", "rows_total"]),
        "outside": pd.DataFrame(outside, columns=columns),
        "unmatched": pd.DataFrame(unmatched, columns=columns),
    }


def villages_without_location(conn: Connection, within: str | None = None) -> pd.DataFrame:
    """Villages with no coordinates (they cannot be drawn). Columns: code, name_en, name_lo, district_code."""
    sql = ("SELECT code, name_en, name_lo, district_code FROM admin_unit "
           "WHERE level = 'village' AND (lon IS NULL OR lat IS NULL)")
    params = {}
    if within:
        sql += " AND code LIKE :prefix"
        params["prefix"] = within + "%"
    result = conn.execute(text(sql + " ORDER BY code"), params)
    return rows_frame(result.fetchall(), ["code", "name_en", "name_lo", "district_code"])


def last_reports(conn: Connection, district_codes: list[str] | None, indicator_codes: list[str],
                 last: dt.date) -> pd.DataFrame:
    """Each district's latest period with a report of each indicator, up to the day `last`.

    A report is a district rollup row with n_units > 0 (a unit reported in that period: a stock
    carried forward from earlier is not a report). One index seek per district and indicator
    (the rollup's primary key ends in period), backwards from `last`: grouping the whole history
    read every district row of the rollup, 150-400 ms at national scale, for the alerts on every page.
    district_codes: None for every district. Columns: district_code, indicator_code, last_period;
    pairs that never reported are absent.
    """
    if not indicator_codes or district_codes == []:
        return pd.DataFrame(columns=["district_code", "indicator_code", "last_period"])
    params: dict = {"last": last, "upper": f"{last.year:04d}-~"}
    params |= {f"i{n}": code for n, code in enumerate(indicator_codes)}
    indicators = " UNION ALL ".join(f"SELECT :i{n} AS code" for n in range(len(indicator_codes)))
    district_filter = ""
    if district_codes is not None:
        params |= {f"d{n}": code for n, code in enumerate(district_codes)}
        district_filter = f" AND d.code IN ({', '.join(f':d{n}' for n in range(len(district_codes)))})"
    # Periods of one indicator sort as text in time order (2025-03, 2025-Q1, 2025); `upper` bounds
    # the seek to the year of `last` and the filter on period_start does the rest.
    sql = f"""
        SELECT p.district_code, p.indicator_code, p.last_period FROM (
            SELECT d.code AS district_code, ind.code AS indicator_code,
                   (SELECT r.period FROM observation_rollup r
                    WHERE r.indicator_code = ind.code AND r.level = 'district' AND r.admin_code = d.code
                      AND r.period <= :upper AND r.period_start <= :last AND r.n_units > 0
                    ORDER BY r.period DESC LIMIT 1) AS last_period
            FROM admin_unit d CROSS JOIN ({indicators}) ind
            WHERE d.level = 'district'{district_filter}
        ) p WHERE p.last_period IS NOT NULL
        ORDER BY p.district_code, p.indicator_code
    """
    result = conn.execute(text(sql), params)
    return rows_frame(result.fetchall(), ["district_code", "indicator_code", "last_period"])
