"""Which rollup rows an import changed: a temporary table rebuild_rollups joins on.

An import of one month touches one period of each indicator it holds, and only those
rollup rows are rebuilt. Flows, ratios and surveys are summed per period, so their scope is
exactly the (indicator, period) pairs. A stock's report carries into the following months
(data_access.stocks) and a new last month moves where carrying stops, so a stock's scope
is every month from its first pair on.

Consecutive periods of an indicator are one row (first start, last start): a ten-year backlog
is one range, not 120 rows that every observation of the indicator is compared with (PostgreSQL
did that 117 million times per rollup level). An indicator has one period type, so a range holds
no period the pairs do not name.
"""
import datetime as dt

from sqlalchemy import Connection, text

from data_access.periods import period_end, period_start

TABLE = "rollup_scope"
_END = dt.date(9999, 12, 31)
# CROSS JOIN: SQLite keeps the scope as the outer loop, so it reads only the scoped periods through
# the index (indicator_code, period_start, ...) instead of every row of the indicator.
FROM = f"{TABLE} rs CROSS JOIN "
WHERE = (" AND rs.indicator_code = o.indicator_code"
         " AND o.period_start >= rs.first_start AND o.period_start <= rs.last_start")
CARRIED_FILTER = (f" AND EXISTS (SELECT 1 FROM {TABLE} rs WHERE rs.indicator_code = h.indicator_code"
                  f" AND h.period_start >= rs.first_start AND h.period_start <= rs.last_start)")
DELETE = (f"DELETE FROM observation_rollup WHERE EXISTS (SELECT 1 FROM {TABLE} rs"
          f" WHERE rs.indicator_code = observation_rollup.indicator_code"
          f" AND observation_rollup.period_start >= rs.first_start AND observation_rollup.period_start <= rs.last_start)")
DROP = f"DROP TABLE IF EXISTS {TABLE}"


def scope_rows(conn: Connection, periods) -> list[tuple[str, dt.date, dt.date]]:
    """(indicator, first start, last start) rows: one per pair, one per stock from its first pair."""
    kinds = {code: (aggregation, period_type) for code, aggregation, period_type in conn.execute(
        text("SELECT code, aggregation, period_type FROM indicator"))}
    by_indicator: dict[str, set[str]] = {}
    for indicator, period in periods:
        by_indicator.setdefault(indicator, set()).add(period)
    rows = []
    for indicator, found in sorted(by_indicator.items()):
        aggregation, period_type = kinds.get(indicator, (None, None))
        ordered = sorted(found, key=period_start)
        if aggregation in ("latest", "max") and period_type == "month":
            rows.append((indicator, period_start(ordered[0]), _END))
            continue
        first = previous = ordered[0]
        for period in ordered[1:]:
            if period_start(period) != period_end(previous) + dt.timedelta(days=1):
                rows.append((indicator, period_start(first), period_start(previous)))
                first = period
            previous = period
        rows.append((indicator, period_start(first), period_start(previous)))
    return rows


def create(conn: Connection, periods) -> list[str]:
    """Fill the scope table for the pairs; returns the indicators in it ([] and no table when none)."""
    rows = scope_rows(conn, periods)
    if not rows:
        return []
    conn.execute(text(DROP))
    conn.execute(text(f"CREATE TEMPORARY TABLE {TABLE} (indicator_code VARCHAR(40), first_start DATE, "
                      f"last_start DATE)"))
    as_text = conn.dialect.name == "sqlite"  # SQLite keeps dates as ISO text, as SQLAlchemy writes them
    conn.execute(text(f"INSERT INTO {TABLE} VALUES (:code, :first, :last)"),
                 [{"code": code, "first": first.isoformat() if as_text else first,
                   "last": last.isoformat() if as_text else last} for code, first, last in rows])
    return sorted({code for code, _, _ in rows})
