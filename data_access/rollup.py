"""Rebuilds the pre-aggregated observation_rollup table (DHIS2-style analytics table)."""
from sqlalchemy import Connection, text

from data_access.payment_delay import INDICATOR as PAY_DELAY_INDICATOR, rebuild_payment_delay_rollup
from data_access.schema import NATIONAL_CODE

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


def rebuild_rollups(conn: Connection, indicator_codes: list[str] | None = None) -> int:
    """Recompute rollups (all, or only the given indicators) inside the caller's transaction.

    Additive rules (sum, ratio, latest, max) are summed over space per period: a stock
    such as registered beneficiaries is the sum of the villages' stocks in that month.
    Ratio numerators and denominators are only summed over units that reported both, so
    a ratio is always sum(numerator) / sum(denominator), never a mean of percentages.
    Survey estimates are copied at the level they were reported at and nowhere else.
    Payment delay comes from the payment cycles when there are any (data_access.payment_delay).
    Returns the number of rollup rows written.
    """
    params: dict = {}
    indicator_filter = ""
    if indicator_codes is not None:
        if not indicator_codes:
            return 0
        names = [f"code_{i}" for i in range(len(indicator_codes))]
        params = dict(zip(names, indicator_codes))
        placeholders = ", ".join(f":{name}" for name in names)
        indicator_filter = f" AND o.indicator_code IN ({placeholders})"
        conn.execute(
            text(f"DELETE FROM observation_rollup WHERE indicator_code IN ({placeholders})"), params
        )
    else:
        conn.execute(text("DELETE FROM observation_rollup"))

    written = 0
    for level, (ancestor, source_levels) in _TARGETS.items():
        levels_sql = ", ".join(f"'{name}'" for name in source_levels)
        # PostgreSQL refuses a constant in GROUP BY: the national rollup groups without it.
        select_code = ancestor or f"'{NATIONAL_CODE}'"
        group_code = f"{ancestor}, " if ancestor else ""
        not_null = f" AND {ancestor} IS NOT NULL" if ancestor else ""
        written += conn.execute(
            text(
                f"""
                INSERT INTO observation_rollup
                    (indicator_code, level, admin_code, period, period_start,
                     value_sum, numerator, denominator, std_error, n_units)
                SELECT o.indicator_code, '{level}', {select_code}, o.period, MIN(o.period_start),
                       SUM(o.value),
                       SUM(CASE WHEN o.denominator IS NOT NULL THEN o.numerator END),
                       SUM(CASE WHEN o.numerator IS NOT NULL THEN o.denominator END),
                       NULL,
                       SUM(CASE WHEN {_REPORTED} THEN 1 ELSE 0 END)
                FROM observation o
                JOIN admin_unit a ON a.code = o.admin_code
                JOIN indicator i ON i.code = o.indicator_code
                WHERE i.aggregation <> 'survey' AND a.level IN ({levels_sql}){not_null}{indicator_filter}
                GROUP BY o.indicator_code, {group_code}o.period
                """
            ),
            params,
        ).rowcount
        written += conn.execute(
            text(
                f"""
                INSERT INTO observation_rollup
                    (indicator_code, level, admin_code, period, period_start,
                     value_sum, numerator, denominator, std_error, n_units)
                SELECT o.indicator_code, '{level}', o.admin_code, o.period, o.period_start,
                       o.value, o.numerator, o.denominator, o.std_error,
                       CASE WHEN {_REPORTED} THEN 1 ELSE 0 END
                FROM observation o
                JOIN admin_unit a ON a.code = o.admin_code
                JOIN indicator i ON i.code = o.indicator_code
                WHERE i.aggregation = 'survey' AND a.level = '{level}'{indicator_filter}
                """
            ),
            params,
        ).rowcount
    # Payment delay is derived from the payment cycles (one rule, data_access.payment_delay),
    # not summed from observations: a median of waits cannot be added up over places.
    if indicator_codes is None or PAY_DELAY_INDICATOR in indicator_codes:
        written += rebuild_payment_delay_rollup(conn)
    return written
