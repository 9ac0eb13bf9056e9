"""The plausibility rules (data_access.importers.plausibility) run on the staging table.

Same rules and messages as plausibility.check_history / list_replacements; the rows are
read from import_staging a few thousand places at a time, so memory stays flat whatever
the size of the file.
"""
import bisect
import datetime as dt
import itertools

from sqlalchemy import text

from data_access.importers import plausibility as rules
from data_access.importers.plausibility import _MONTHS_PER_PERIOD, _shown
from data_access.importers.report import ImportReport, quantity
from data_access.importers.staging import MATCH, TABLE
from data_access.periods import add_months

# Places whose history is held in memory at once: memory stays flat whatever the size of the file.
CHUNK = 1000
# Rows fetched at a time (one by one, SQLAlchemy's per-row fetch cost more than the checks).
FETCH = 10_000


def check_history(staging, lookup, report: ImportReport) -> None:
    """Warn (implausible_change) about values far outside their place's own history."""
    conn = staging.conn
    for indicator, first_start, last_start in staging.value_ranges():
        meta = lookup.indicators[indicator]
        if meta["aggregation"] == "survey":
            continue
        months = _MONTHS_PER_PERIOD[meta["period_type"]]
        first_start, last_start = str(first_start)[:10], str(last_start)[:10]
        first = add_months(first_start[:7], -2 * rules.HISTORY_REPORTS * months) + "-01"
        admins = [admin for (admin,) in conn.execute(text(
            f"SELECT DISTINCT admin_code FROM {TABLE} WHERE indicator_code = :indicator AND value IS NOT NULL "
            f"ORDER BY admin_code"), {"indicator": indicator})]
        for offset in range(0, len(admins), CHUNK):
            chunk = admins[offset:offset + CHUNK]
            bounds = {"indicator": indicator, "low": chunk[0], "high": chunk[-1]}
            history = _history(conn, bounds, first, last_start)
            if not history:
                continue
            rows = conn.execute(text(
                f"SELECT row_no, label, admin_code, period_start, value FROM {TABLE} "
                f"WHERE indicator_code = :indicator AND value IS NOT NULL AND admin_code >= :low AND admin_code <= :high"),
                bounds)
            # A million rows pass here: fetched in batches, each start's text and key made once, only the last
            # reports sliced.
            keys: dict = {}
            for row, label, admin, start, value in itertools.chain.from_iterable(rows.partitions(FETCH)):
                entries = history.get(admin)
                if not entries:
                    continue
                key = keys.get(start)
                if key is None:
                    key = keys[start] = (str(start)[:10],)
                end = bisect.bisect_left(entries, key)
                if end < rules.MIN_REPORTS:
                    continue
                before = entries[max(end - rules.HISTORY_REPORTS, 0):end]
                median = _median([number for _, _, number in before])
                value = float(value)
                far = value > rules.RATIO * median or value < median / rules.RATIO
                if far and abs(value - median) > rules.FLOOR:
                    file, _, _, value_column, _ = staging.labels[label]
                    _, previous_period, previous = before[-1]
                    report.add("implausible_change", file=file, row=row, column=value_column, value=value,
                               median=quantity(round(median, 2)), reports=len(before),
                               previous=quantity(previous), previous_period=previous_period)


def _median(values: list[float]) -> float:
    """statistics.median, without its generality (it ran a million times)."""
    values.sort()
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _history(conn, bounds: dict, first_start: str, last_start: str) -> dict[str, list]:
    """plausibility._history for the staged places of one indicator between bounds["low"] and ["high"].

    The places are a range of the key (indicator, place, period) and a semi-join with the staging
    table, not a list of 900 bound parameters: PostgreSQL planned that list generically and compared
    every stored row of the indicator with all 900 (5 s a chunk, 40 s for one month at national scale).
    """
    found: dict[str, list] = {}
    rows = conn.execute(text(
        f"SELECT o.admin_code, o.period_start, o.period, o.value FROM observation o "
        f"WHERE o.indicator_code = :indicator AND o.admin_code >= :low AND o.admin_code <= :high "
        f"AND o.period_start >= :first AND o.period_start < :last AND o.value > 0 "
        f"AND o.admin_code IN (SELECT s.admin_code FROM {TABLE} s WHERE s.indicator_code = :indicator "
        f"AND s.value IS NOT NULL AND s.admin_code >= :low AND s.admin_code <= :high)"),
        bounds | {"first": dt.date.fromisoformat(first_start), "last": dt.date.fromisoformat(last_start)})
    texts: dict = {}
    for admin, start, period, value in itertools.chain.from_iterable(rows.partitions(FETCH)):
        text_of_start = texts.get(start)
        if text_of_start is None:
            text_of_start = texts[start] = str(start)[:10]
        found.setdefault(admin, []).append((text_of_start, period, float(value)))
    for entries in found.values():
        entries.sort()
    return found


def list_replacements(staging, report: ImportReport) -> None:
    """report.summary["replacements"]: the first REPLACEMENTS_LISTED stored values the file changes (old -> new),
    and ["replacements_total"]: how many it changes in all."""
    conn = staging.conn
    staging.match()
    total = conn.execute(text(f"SELECT COUNT(*) FROM {MATCH} WHERE changed = 1")).scalar_one()
    rows = conn.execute(text(
        f"SELECT s.indicator_code, s.admin_code, s.period, o.value, o.numerator, o.denominator, "
        f"s.value, s.numerator, s.denominator FROM {MATCH} m JOIN {TABLE} s ON s.row_no = m.row_no "
        f"JOIN observation o ON o.id = m.observation_id WHERE m.changed = 1 "
        f"ORDER BY s.indicator_code, s.admin_code, s.period LIMIT {rules.REPLACEMENTS_LISTED}")).all()
    report.summary["replacements"] = [
        {"indicator": indicator, "place": admin, "period": period,
         "old": _shown({"value": old_value, "numerator": old_numerator, "denominator": old_denominator}),
         "new": _shown({"value": value, "numerator": numerator, "denominator": denominator})}
        for indicator, admin, period, old_value, old_numerator, old_denominator, value, numerator, denominator in rows]
    report.summary["replacements_total"] = int(total)
