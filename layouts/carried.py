"""The note beside a stock value that is partly or wholly carried forward from earlier reports."""
import pandas as pd

from i18n import format_number, format_period, t

# The columns stock queries add beside a value (data_access.queries.observations.CARRIED_COLUMNS).
CARRIED_COLUMNS = ("carried_value", "carried_units", "oldest_carried_period")
# Beside a table cell whose value holds carried reports; the cell's tooltip says how much.
CARRIED_MARK = "*"


def _missing(value) -> bool:
    return value is None or bool(pd.isna(value))


def carried_note(row, lang: str) -> str:
    """"1,759 of 7,165 carried from Aug 2025", or "" when nothing in the value is carried.

    `row`: a mapping with value, carried_value, carried_units, oldest_carried_period and
    n_units (units that reported in the month), as the stock queries return them. When no
    unit reported in the month the whole value is carried, and the note says so.
    """
    units = row.get("carried_units")
    if _missing(units) or int(units) <= 0 or _missing(row.get("value")):
        return ""
    period = row.get("oldest_carried_period")
    when = format_period(period, lang, short=True) if isinstance(period, str) and period else "?"
    reported = row.get("n_units")
    carried = row.get("carried_value")
    if (not _missing(reported) and int(reported) == 0) or _missing(carried):
        return t("stocks.carried_all", lang, period=when)
    return t("stocks.carried_part", lang, carried=format_number(carried, lang),
             total=format_number(row["value"], lang), period=when)


def carried_rule(months: int | None, lang: str) -> str:
    """The carry-forward rule in one sentence, for the page where a carried value is read."""
    if months is None:
        return ""
    return t("stocks.carried_rule", lang, months=format_number(months, lang))
