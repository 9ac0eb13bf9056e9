"""Period codes and their dates."""
import datetime as dt

import pytest

from data_access.periods import (PeriodError, add_months, month_range, period_containing, period_end,
                                 period_start, period_type_of)


@pytest.mark.parametrize("period, kind, start, end", [
    ("2023-05", "month", dt.date(2023, 5, 1), dt.date(2023, 5, 31)),
    ("2024-02", "month", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ("2023-Q2", "quarter", dt.date(2023, 4, 1), dt.date(2023, 6, 30)),
    ("2023-Q4", "quarter", dt.date(2023, 10, 1), dt.date(2023, 12, 31)),
    ("2023", "year", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
])
def test_period_bounds(period, kind, start, end):
    assert period_type_of(period) == kind
    assert period_start(period) == start
    assert period_end(period) == end


@pytest.mark.parametrize("bad", ["2023-13", "2023-Q5", "23-05", "May 2023", ""])
def test_bad_period_is_rejected(bad):
    with pytest.raises(PeriodError):
        period_start(bad)


def test_month_arithmetic():
    assert add_months("2023-11", 3) == "2024-02"
    assert add_months("2023-01", -1) == "2022-12"
    assert month_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert period_containing(dt.date(2023, 8, 9), "quarter") == "2023-Q3"
