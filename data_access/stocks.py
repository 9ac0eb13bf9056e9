"""Stock indicators: which they are, and how long a unit's last report may be carried forward.

A stock (registered to date, villages certified ODF, households with a home garden, active
beneficiaries) describes a state, not an event: a missed report does not un-register
anyone. So a stock at a place and month is the sum over its units of each unit's latest
report up to that month, as long as that report is at most CARRY_FORWARD_MONTHS old.
Flows (new registrations, payments in the month, sessions held) are never carried.

The cap the rollup was built with is kept in dataset_info, so that the importer (which
rebuilds the rollup of the indicators it touched), the village map (which reads raw rows)
and the pages' notes all use the cap the numbers were actually built with.
"""
from sqlalchemy import Connection, text

DEFAULT_CARRY_FORWARD_MONTHS = 12
CAP_KEY = "carry_forward_months"
STOCK_RULES = ("latest", "max")

# SQL test on the indicator table aliased `i`: monthly stocks are carried. Quarterly and
# yearly stocks do not exist in the results framework; they keep the in-period rule.
STOCK_SQL = "(i.aggregation IN ('latest', 'max') AND i.period_type = 'month')"


def is_stock(meta: dict) -> bool:
    """True for an indicator (catalogue row) whose values are carried forward."""
    return meta.get("aggregation") in STOCK_RULES and meta.get("period_type", "month") == "month"


def parse_cap(value) -> int:
    """The CARRY_FORWARD_MONTHS setting as a whole number of months (0 = never carry)."""
    try:
        months = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"CARRY_FORWARD_MONTHS must be a whole number of months, not {value!r}") from None
    if not 0 <= months <= 120:
        raise ValueError(f"CARRY_FORWARD_MONTHS must be between 0 and 120 months, not {months}")
    return months


def stored_cap(conn: Connection) -> int:
    """The cap the current rollup was built with (the default before any rollup was built)."""
    row = conn.execute(text("SELECT value FROM dataset_info WHERE key = :key"), {"key": CAP_KEY}).first()
    if row is None:
        return DEFAULT_CARRY_FORWARD_MONTHS
    try:
        return parse_cap(row[0])
    except ValueError:
        return DEFAULT_CARRY_FORWARD_MONTHS


def store_cap(conn: Connection, months: int) -> None:
    """Record the cap inside the caller's transaction (delete + insert works on both backends)."""
    conn.execute(text("DELETE FROM dataset_info WHERE key = :key"), {"key": CAP_KEY})
    conn.execute(text("INSERT INTO dataset_info (key, value) VALUES (:key, :value)"),
                 {"key": CAP_KEY, "value": str(months)})
