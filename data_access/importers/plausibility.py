"""Checks of a file's values against what the database already holds: implausible jumps and values replaced.

Both are for the person who imports, before they confirm: a village that reported 18
registered beneficiaries for a year and now reports 999 is most likely a typo (a warning,
not an error: a new village can truly jump), and a file that overwrites figures already
reported should say which ones.

The rule (docs/import-format.md, "Plausibility"): a value is flagged when the place has at
least MIN_REPORTS earlier reports above zero, the value is more than RATIO times the median
of its last HISTORY_REPORTS reports above zero or less than that median divided by RATIO, and
it differs from the median by more than FLOOR (in the indicator's unit), so that 1 -> 6
latrines is not flagged. Zeros are left out of the history because flows such as payments
are zero in the months between cycles; a median of them would flag every payment month.
Survey estimates are not checked (a few rounds, far apart).
"""
import bisect
import datetime as dt
import statistics

from sqlalchemy import Connection, bindparam, text

from data_access.importers.history import VALUE_FIELDS, existing_observations
from data_access.importers.report import ImportReport, quantity
from data_access.periods import add_months

RATIO = 5.0
HISTORY_REPORTS = 12
MIN_REPORTS = 3
FLOOR = 10.0
# How many replaced values the report lists (all are counted, and all kept in the batch history).
REPLACEMENTS_LISTED = 20
_MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12}
_CHUNK = 900  # below SQLite's bound on parameters per statement


def _history(conn: Connection, indicator: str, admins: list[str], first_start, last_start) -> dict[str, list]:
    """admin -> [(period_start, period, value)] sorted, for reports starting in [first_start, last_start)."""
    found: dict[str, list] = {}
    query = text("SELECT admin_code, period_start, period, value FROM observation WHERE indicator_code = :indicator "
                 "AND admin_code IN :admins AND period_start >= :first AND period_start < :last "
                 "AND value > 0").bindparams(bindparam("admins", expanding=True))
    for offset in range(0, len(admins), _CHUNK):
        rows = conn.execute(query, {"indicator": indicator, "admins": admins[offset:offset + _CHUNK],
                                    "first": dt.date.fromisoformat(first_start),
                                    "last": dt.date.fromisoformat(last_start)})
        for admin, start, period, value in rows:
            found.setdefault(admin, []).append((str(start)[:10], period, float(value)))
    for entries in found.values():
        entries.sort()
    return found


def check_history(conn: Connection, records: list[dict], lookup, report: ImportReport) -> None:
    """Warn (implausible_change) about values far outside their place's own history."""
    by_indicator: dict[str, list[dict]] = {}
    for record in records:
        meta = lookup.indicators[record["indicator_code"]]
        if meta["aggregation"] != "survey" and record.get("value") is not None:
            by_indicator.setdefault(record["indicator_code"], []).append(record)
    for indicator, rows in by_indicator.items():
        months = _MONTHS_PER_PERIOD[lookup.indicators[indicator]["period_type"]]
        starts = sorted(str(row["period_start"])[:10] for row in rows)
        # Twice the reports looked at, in time: a place that missed some still has twelve.
        first = add_months(starts[0][:7], -2 * HISTORY_REPORTS * months) + "-01"
        history = _history(conn, indicator, sorted({row["admin_code"] for row in rows}), first, starts[-1])
        for record in rows:
            entries = history.get(record["admin_code"], [])
            before = entries[:bisect.bisect_left(entries, (str(record["period_start"])[:10],))][-HISTORY_REPORTS:]
            if len(before) < MIN_REPORTS:
                continue
            median = statistics.median(value for _, _, value in before)
            value = float(record["value"])
            far = value > RATIO * median or value < median / RATIO
            if far and abs(value - median) > FLOOR:
                _, previous_period, previous = before[-1]
                report.add("implausible_change", file=record.get("file"), row=record["row"],
                           column=record.get("value_column") or "value", value=record["value"],
                           median=quantity(round(median, 2)), reports=len(before),
                           previous=quantity(previous), previous_period=previous_period)


def _shown(values: dict) -> list[float | None]:
    """[numerator, denominator] when the row has both, else [value]: formatted in the reader's language when shown."""
    if values.get("numerator") is not None and values.get("denominator") is not None:
        return [values["numerator"], values["denominator"]]
    return [values.get("value")]


def list_replacements(conn: Connection, records: list[dict], report: ImportReport) -> None:
    """report.summary["replacements"]: the first REPLACEMENTS_LISTED stored values the file changes (old -> new),
    and ["replacements_total"]: how many it changes in all."""
    keys = {(r["indicator_code"], r["admin_code"], r["period"]) for r in records}
    existing = existing_observations(conn, keys)
    changes = []
    for record in sorted(records, key=lambda r: (r["indicator_code"], r["admin_code"], r["period"])):
        old = existing.get((record["indicator_code"], record["admin_code"], record["period"]))
        if old is None or all(old[name] == record.get(name) for name in VALUE_FIELDS):
            continue
        changes.append({"indicator": record["indicator_code"], "place": record["admin_code"],
                        "period": record["period"], "old": _shown(old), "new": _shown(record)})
    # Values as numbers: the page and the command line format them in the reader's language.
    report.summary["replacements"] = changes[:REPLACEMENTS_LISTED]
    report.summary["replacements_total"] = len(changes)
