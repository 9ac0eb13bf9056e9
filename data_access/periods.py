"""Period codes ("2023-05", "2023-Q2", "2023") and their dates, the one place that parses them."""
import datetime as dt
import re
from dataclasses import dataclass

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


# ---------------------------------------------------------------- review periods
# The shared period filter offers months, quarters and semesters (the program's review periods:
# "the last six months of 2022" is 2022-S2). Semesters are a filter choice, not a reporting period
# type: no indicator is reported per semester, so period_type_of (the importer's check) does not
# know them.
_SEMESTER = re.compile(r"^(\d{4})-S([12])$")
REVIEW_KINDS = ("month", "quarter", "semester")
_KIND_MONTHS = {"month": 1, "quarter": 3, "semester": 6}


@dataclass(frozen=True)
class PeriodWindow:
    """A chosen period as months: first and last month, the as-of month pages use, the previous period.

    as_of_rule: "latest_data" (the latest month with data inside the period), "period_end"
    (the period has no month with data: its last month, so pages show missing, never an older
    month's figures) or "month" (a month is its own as-of).
    """

    code: str
    kind: str
    start: str
    end: str
    as_of: str
    as_of_rule: str
    previous: str
    has_data: bool

    @property
    def months(self) -> list[str]:
        return month_range(self.start, self.end)


def review_kind(code: str) -> str:
    """"month", "quarter" or "semester" for a filter value ("2022-11", "2022-Q4", "2022-S2")."""
    if _SEMESTER.match(code or ""):
        return "semester"
    kind = period_type_of(code or "")
    if kind not in REVIEW_KINDS:
        raise PeriodError(f"not a review period: {code!r}")
    return kind


def _first_month(code: str, kind: str) -> str:
    if kind == "semester":
        match = _SEMESTER.match(code)
        return f"{match.group(1)}-{1 if match.group(2) == '1' else 7:02d}"
    return month_code(period_start(code))


def _code_of(first_month: str, kind: str) -> str:
    year, month = int(first_month[:4]), int(first_month[5:7])
    if kind == "semester":
        return f"{year:04d}-S{1 if month <= 6 else 2}"
    return period_containing(dt.date(year, month, 1), kind)


def previous_review_period(code: str) -> str:
    """The period of the same kind just before: 2022-S2 -> 2022-S1, 2022-S1 -> 2021-S2, 2023-Q1 -> 2022-Q4."""
    kind = review_kind(code)
    return _code_of(add_months(_first_month(code, kind), -_KIND_MONTHS[kind]), kind)


def period_window(code: str, months_with_data=()) -> PeriodWindow:
    """The one reading of a period filter value: its months, its as-of month and the period before.

    months_with_data: month codes with data (any order; catalogue.months_with_data). The as-of
    month of a quarter or semester is the latest month with data inside it (Jul–Dec 2022 with
    data up to November: 2022-11), else its last month (nothing inside: pages show missing).
    """
    kind = review_kind(code)
    start = _first_month(code, kind)
    end = add_months(start, _KIND_MONTHS[kind] - 1)
    inside = sorted(month for month in months_with_data if start <= month <= end)
    if kind == "month":
        as_of, rule = code, "month"
    elif inside:
        as_of, rule = inside[-1], "latest_data"
    else:
        as_of, rule = end, "period_end"
    return PeriodWindow(code=code, kind=kind, start=start, end=end, as_of=as_of, as_of_rule=rule,
                        previous=previous_review_period(code), has_data=bool(inside))


def review_periods(months_with_data, kind: str) -> list[str]:
    """The quarters or semesters (newest first) that contain at least one month with data."""
    codes = {_code_of(month, kind) for month in months_with_data}
    return sorted(codes, key=lambda code: _first_month(code, kind), reverse=True)


def filter_choices(months_with_data) -> list[str]:
    """The shared period filter's values: the months with data and the quarters and semesters
    holding them, newest first; a semester before its quarter before its month when they end
    together (Jul–Dec 2022, Q4 2022, December 2022, November 2022, ...)."""
    months = sorted(set(months_with_data))
    codes = months + review_periods(months, "quarter") + review_periods(months, "semester")
    windows = [period_window(code) for code in codes]
    windows.sort(key=lambda window: (window.end, _KIND_MONTHS[window.kind]), reverse=True)
    return [window.code for window in windows]


def as_date(value) -> dt.date | None:
    """A database or spreadsheet date value as a date: None (or NaN from pandas) stays None, a
    datetime loses its time, text is read from its ISO "YYYY-MM-DD" start."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
