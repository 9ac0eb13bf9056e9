"""Period codes ("2023-05", "2023-Q2", "2023") and their dates, the one place that parses them."""
import datetime as dt
import re

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period text that does not fit the expected period type."""


def period_type_of(period: str) -> str:
    if _MONTH.match(period):
        return "month"
    if _QUARTER.match(period):
        return "quarter"
    if _YEAR.match(period):
        return "year"
    raise PeriodError(f"not a period: {period!r}")


def period_start(period: str) -> dt.date:
    """First day of the period."""
    if m := _MONTH.match(period):
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"month out of range: {period!r}")
        return dt.date(int(m.group(1)), month, 1)
    if m := _QUARTER.match(period):
        return dt.date(int(m.group(1)), 3 * int(m.group(2)) - 2, 1)
    if m := _YEAR.match(period):
        return dt.date(int(m.group(1)), 1, 1)
    raise PeriodError(f"not a period: {period!r}")


def period_end(period: str) -> dt.date:
    """Last day of the period."""
    start = period_start(period)
    months = {"month": 1, "quarter": 3, "year": 12}[period_type_of(period)]
    year, month = divmod(start.month - 1 + months, 12)
    return dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)


def month_code(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_code(day: dt.date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def period_containing(day: dt.date, period_type: str) -> str:
    if period_type == "month":
        return month_code(day)
    if period_type == "quarter":
        return quarter_code(day)
    if period_type == "year":
        return f"{day.year:04d}"
    raise PeriodError(f"unknown period type: {period_type!r}")


def month_range(first: str, last: str) -> list[str]:
    """All month codes from first to last inclusive."""
    start, stop = period_start(first), period_start(last)
    months = []
    year, month = start.year, start.month
    while (year, month) <= (stop.year, stop.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def add_months(period: str, count: int) -> str:
    start = period_start(period)
    year, month = divmod(start.month - 1 + count, 12)
    return f"{start.year + year:04d}-{month + 1:02d}"
