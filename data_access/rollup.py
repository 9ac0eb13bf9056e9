"""Rebuilds the pre-aggregated observation_rollup table (DHIS2-style analytics table)."""
import datetime as dt

from sqlalchemy import Connection, text

from data_access import convergence_rollup
from data_access.payment_delay import INDICATOR as PAY_DELAY_INDICATOR, rebuild_payment_delay_rollup
from data_access.schema import NATIONAL_CODE
from data_access.stocks import STOCK_SQL, parse_cap, store_cap, stored_cap

# For each target level: which column of admin_unit names the ancestor at that level,
# and which reporting levels roll up into it.
_TARGETS = {
    "district": ("a.district_code", ("village", "district")),
    "province": ("a.province_code", ("village", "district", "province")),
    "national": (None, ("village", "district", "province", "national")),
}

_REPORTED = (
    "(o.value IS NOT NULL OR (o.numerator IS NOT NULL AND o.denominator IS NOT NULL))"
)
# Months since year 0 from a "YYYY-MM" period: integer arithmetic both backends share.
_MONTH_INDEX = "(CAST(SUBSTR(o.period, 1, 4) AS INTEGER) * 12 + CAST(SUBSTR(o.period, 6, 2) AS INTEGER) - 1)"
_COLUMNS = ("indicator_code, level, admin_code, period, period_start, value_sum, numerator, denominator, "
            "std_error, n_units, carried_value, carried_units, oldest_carried_period")
# Temporary: the values units carry into months they did not report (stocks only).
_CARRIED = "stock_carried"


def _plus(column: str) -> str:
    """existing + carried for an upsert, where a missing side adds nothing (NULL + x is x)."""
    return (f"{column} = CASE WHEN observation_rollup.{column} IS NULL THEN excluded.{column} "
            f"WHEN excluded.{column} IS NULL THEN observation_rollup.{column} "
            f"ELSE observation_rollup.{column} + excluded.{column} END")


def rebuild_rollups(conn: Connection, indicator_codes: list[str] | None = None,
                    carry_forward_months: int | None = None, periods=None) -> int:
    """Recompute rollups (all, or only the given indicators) inside the caller's transaction.

    Flows (sum) and ratios are summed over space per period, over the units that reported
    in it. Ratio numerators and denominators are only summed over units that reported both,
    so a ratio is always sum(numerator) / sum(denominator), never a mean of percentages.
    Stocks (data_access.stocks) are the sum over units of each unit's latest report up to
    the month, carried at most carry_forward_months months; n_units counts only the units
    that reported in the month, carried_units / carried_value / oldest_carried_period say
    how much of the value is carried and from when.
    Survey estimates are copied at the level they were reported at and nowhere else.
    carry_forward_months: None keeps the cap the database was built with; a different cap
    is recorded in dataset_info and rebuilds every indicator, so no two stocks disagree.
    Payment delay comes from the payment cycles when there are any (data_access.payment_delay).
    periods: (indicator, period) pairs an import changed: only their rollup rows are rebuilt
    (data_access.rollup_scope), and for a stock every month from the first pair on, since
    its reports carry forward; indicator_codes is then ignored.
    Returns the number of rollup rows written.
    """
    # What the caller changed, for the convergence counts (the cap does not touch them).
    requested_indicators, requested_periods = indicator_codes, periods
    previous = stored_cap(conn)
    cap = previous if carry_forward_months is None else parse_cap(carry_forward_months)
    if cap != previous or carry_forward_months is not None:
        store_cap(conn, cap)
    if cap != previous:
        indicator_codes = periods = None
    params: dict = {"cap": cap}
    indicator_filter = ""
    scope_from = scope_where = carried_filter = ""
    if periods is not None:
        from data_access import rollup_scope

        indicator_codes = rollup_scope.create(conn, periods)
        if not indicator_codes:
            return 0
        names = [f"code_{i}" for i in range(len(indicator_codes))]
        params |= dict(zip(names, indicator_codes))
        # Stocks carry from reports before the scope: the carried values are computed from all of the
        # indicator's reports and only the months in the scope kept (carried_filter).
        indicator_filter = f" AND o.indicator_code IN ({', '.join(f':{name}' for name in names)})"
        scope_from, scope_where, carried_filter = rollup_scope.FROM, rollup_scope.WHERE, rollup_scope.CARRIED_FILTER
        conn.execute(text(rollup_scope.DELETE))
    elif indicator_codes is not None:
        if not indicator_codes:
            return 0
        names = [f"code_{i}" for i in range(len(indicator_codes))]
        params |= dict(zip(names, indicator_codes))
        placeholders = ", ".join(f":{name}" for name in names)
        indicator_filter = f" AND o.indicator_code IN ({placeholders})"
        conn.execute(
            text(f"DELETE FROM observation_rollup WHERE indicator_code IN ({placeholders})"), params
        )
    else:
        conn.execute(text("DELETE FROM observation_rollup"))

    calendar_sql, calendar_params = _stock_calendar(conn, indicator_filter, params)
    if calendar_sql:
        _carry_stocks(conn, calendar_sql, indicator_filter, params | calendar_params)
    written = 0
    for level, (ancestor, source_levels) in _TARGETS.items():
        levels_sql = ", ".join(f"'{name}'" for name in source_levels)
        # PostgreSQL refuses a constant in GROUP BY: the national rollup groups without it.
        select_code = ancestor or f"'{NATIONAL_CODE}'"
        group_code = f"{ancestor}, " if ancestor else ""
        not_null = f" AND {ancestor} IS NOT NULL" if ancestor else ""
        # What was reported in each period (stocks included: their carried part comes next).
        written += conn.execute(
            text(
                f"""
                INSERT INTO observation_rollup ({_COLUMNS})
                SELECT o.indicator_code, '{level}', {select_code}, o.period, MIN(o.period_start),
                       SUM(o.value),
                       SUM(CASE WHEN o.denominator IS NOT NULL THEN o.numerator END),
                       SUM(CASE WHEN o.numerator IS NOT NULL THEN o.denominator END),
                       NULL,
                       SUM(CASE WHEN {_REPORTED} THEN 1 ELSE 0 END), NULL, 0, NULL
                FROM {scope_from}observation o
                JOIN admin_unit a ON a.code = o.admin_code
                JOIN indicator i ON i.code = o.indicator_code
                WHERE i.aggregation <> 'survey' AND a.level IN ({levels_sql}){not_null}{indicator_filter}{scope_where}
                GROUP BY o.indicator_code, {group_code}o.period
                """
            ),
            params,
        ).rowcount
        if calendar_sql:
            # Carried values join the month's row, or make it when nobody reported that month.
            conn.execute(
                text(
                    f"""
                    INSERT INTO observation_rollup ({_COLUMNS})
                    SELECT h.indicator_code, '{level}', {select_code.replace("a.", "h.")}, h.period,
                           MIN(h.period_start), SUM(h.value), SUM(h.numerator), SUM(h.denominator), NULL,
                           0, SUM(h.value), COUNT(*), MIN(h.carried_from)
                    FROM {_CARRIED} h
                    WHERE h.unit_level IN ({levels_sql}){not_null.replace("a.", "h.")}{carried_filter}
                    GROUP BY h.indicator_code, {group_code.replace("a.", "h.")}h.period
                    ON CONFLICT (indicator_code, level, admin_code, period) DO UPDATE SET
                        {_plus("value_sum")}, {_plus("numerator")}, {_plus("denominator")},
                        carried_value = excluded.carried_value, carried_units = excluded.carried_units,
                        oldest_carried_period = excluded.oldest_carried_period
                    """
                )
            )
        written += conn.execute(
            text(
                f"""
                INSERT INTO observation_rollup ({_COLUMNS})
                SELECT o.indicator_code, '{level}', o.admin_code, o.period, o.period_start,
                       o.value, o.numerator, o.denominator, o.std_error,
                       CASE WHEN {_REPORTED} THEN 1 ELSE 0 END, NULL, 0, NULL
                FROM {scope_from}observation o
                JOIN admin_unit a ON a.code = o.admin_code
                JOIN indicator i ON i.code = o.indicator_code
                WHERE i.aggregation = 'survey' AND a.level = '{level}'{indicator_filter}{scope_where}
                """
            ),
            params,
        ).rowcount
    if calendar_sql:
        conn.execute(text(f"DROP TABLE {_CARRIED}"))
        # An upsert's rowcount counts updated rows too: count the rows the rebuild left instead.
        written = conn.execute(
            text(f"SELECT COUNT(*) FROM {scope_from}observation_rollup o WHERE 1 = 1{indicator_filter}{scope_where}"),
            params
        ).scalar_one()
    if periods is not None:
        conn.execute(text(rollup_scope.DROP))
    # Payment delay is derived from the payment cycles (one rule, data_access.payment_delay),
    # not summed from observations: a median of waits cannot be added up over places.
    if indicator_codes is None or PAY_DELAY_INDICATOR in indicator_codes:
        written += rebuild_payment_delay_rollup(conn)
    # The convergence counts follow the same observations (data_access/convergence_rollup.py).
    convergence_rollup.refresh_after_rollup(conn, requested_indicators, requested_periods)
    return written
def _stock_calendar(conn: Connection, indicator_filter: str, params: dict) -> tuple[str, dict]:
    """A VALUES list of every month from the first to the last stock report, with each
    stock's last month: carried values fill months in which nobody reported, and never
    run past the newest data. ("", {}) when there is no stock to roll up."""
    ranges = conn.execute(
        text(
            f"""
            SELECT o.indicator_code, MIN(o.period), MAX(o.period)
            FROM observation o JOIN indicator i ON i.code = o.indicator_code
            WHERE {STOCK_SQL}{indicator_filter}
            GROUP BY o.indicator_code
            """
        ),
        params,
    ).all()
    if not ranges:
        return "", {}

    def index(period: str) -> int:
        return int(period[:4]) * 12 + int(period[5:7]) - 1

    first = min(index(low) for _, low, _ in ranges)
    last = max(index(high) for _, _, high in ranges)
    rows, values = [], {}
    for position, month in enumerate(range(first, last + 1)):
        year, month0 = divmod(month, 12)
        values |= {f"cal_m{position}": month, f"cal_p{position}": f"{year:04d}-{month0 + 1:02d}",
                   f"cal_d{position}": dt.date(year, month0 + 1, 1)}
        rows.append(f"(:cal_m{position}, :cal_p{position}, :cal_d{position})")
    ends = []
    for position, (code, _, high) in enumerate(ranges):
        values |= {f"end_c{position}": code, f"end_m{position}": index(high)}
        ends.append(f"(:end_c{position}, :end_m{position})")
    sql = (f"cal (m, period, period_start) AS (VALUES {', '.join(rows)}), "
           f"ends (indicator_code, last_m) AS (VALUES {', '.join(ends)})")
    return sql, values


def _carry_stocks(conn: Connection, calendar_sql: str, indicator_filter: str, params: dict) -> None:
    """Fill a temporary table with the values units carry into the months they did not report.

    Each report holds until the unit's next report, for at most :cap months, and not past
    the stock's last month. Computed once for all levels (the per-unit window does not
    depend on the level summed to). Most reports are followed by one the next month, so
    only reports followed by a gap (or by nothing) are joined with the calendar: the table
    is as small as the gaps, and the reported values are summed by the ordinary GROUP BY.
    """
    conn.execute(text(f"DROP TABLE IF EXISTS {_CARRIED}"))
    conn.execute(
        text(
            f"""
            CREATE TEMPORARY TABLE {_CARRIED} AS
            WITH {calendar_sql},
            spans AS (
                -- CROSS JOIN keeps SQLite's join order: from the few stock indicators through
                -- the observation key (indicator, unit, period), already in the window's order.
                SELECT o.indicator_code, o.admin_code, o.period, {_MONTH_INDEX} AS m, o.value,
                       CASE WHEN o.denominator IS NOT NULL THEN o.numerator END AS numerator,
                       CASE WHEN o.numerator IS NOT NULL THEN o.denominator END AS denominator,
                       LEAD(o.period) OVER (PARTITION BY o.indicator_code, o.admin_code ORDER BY o.period)
                           AS next_period
                FROM indicator i
                CROSS JOIN observation o
                WHERE o.indicator_code = i.code AND {STOCK_SQL} AND {_REPORTED}{indicator_filter}
            ),
            gaps AS MATERIALIZED (
                SELECT sp.*, e.last_m, {_MONTH_INDEX.replace("o.period", "sp.next_period")} AS next_m
                FROM spans sp JOIN ends e ON e.indicator_code = sp.indicator_code
                WHERE sp.m < e.last_m
                  AND (sp.next_period IS NULL OR {_MONTH_INDEX.replace("o.period", "sp.next_period")} > sp.m + 1)
            )
            SELECT g.indicator_code, a.level AS unit_level, a.district_code, a.province_code,
                   c.period, c.period_start, g.value, g.numerator, g.denominator, g.period AS carried_from
            FROM gaps g
            CROSS JOIN cal c
            JOIN admin_unit a ON a.code = g.admin_code
            WHERE c.m > g.m AND c.m <= g.m + :cap AND c.m <= g.last_m AND (g.next_m IS NULL OR c.m < g.next_m)
            """
        ),
        params,
    )
