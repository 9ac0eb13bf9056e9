"""The payment-delay rule, cycle by cycle: open and paid cycles, the as-of date, bad dates, nothing to count."""
import datetime as dt
import math

import pandas as pd
import pytest

from data_access.payment_delay import days_waiting, delay_summary, rollup_rows, summarise

AS_OF = dt.date(2022, 11, 30)


def _cycles(rows: list[tuple]) -> pd.DataFrame:
    """rows: (district, verified, approved, funds sent, paid, beneficiaries); dates as ISO text or None."""
    frame = pd.DataFrame(rows, columns=["district_code", "verified_on", "approved_on", "funds_sent_on", "paid_on",
                                        "beneficiaries"])
    frame["province_code"] = frame["district_code"].str[:2]
    frame["cycle_no"] = range(1, len(frame) + 1)
    frame["period"] = "2022-08"
    return frame


# Each case: the cycles, and what the month ending on AS_OF must say about them.
CASES = {
    "open and paid cycles": (
        [("0701", "2022-09-06", "2022-10-01", "2022-10-05", "2022-11-10", 100),  # paid: 65 days
         ("0701", "2022-10-11", None, None, None, 300),                          # open: 50 days so far
         ("0702", "2022-11-20", None, None, None, 40)],                          # open: 10 days so far
        {"n_cycles": 3, "delay_days": 50.0, "n_open": 2, "beneficiaries_waiting": 340, "longest_open_days": 50.0,
         "median_open_days": 30.0, "n_paid": 1, "median_paid_days": 65.0, "n_inconsistent": 0},
    ),
    "a cycle verified after the as-of date does not exist yet": (
        [("0701", "2022-11-01", None, None, "2022-11-21", 10),                   # paid: 20 days
         ("0701", "2022-12-02", None, None, None, 999)],
        {"n_cycles": 1, "delay_days": 20.0, "n_open": 0, "beneficiaries_waiting": None, "n_paid": 1,
         "median_paid_days": 20.0},
    ),
    "paid after the as-of date is still open at the as-of date": (
        [("0701", "2022-08-02", "2022-09-01", "2022-12-10", "2022-12-20", 1007)],  # 120 days waiting on 30 Nov
        {"n_cycles": 1, "delay_days": 120.0, "n_open": 1, "beneficiaries_waiting": 1007, "longest_open_days": 120.0,
         "median_open_days": 120.0, "n_paid": 0, "median_paid_days": None},
    ),
    "a cycle paid before this month is not this month's delay": (
        [("0701", "2022-06-01", None, None, "2022-10-31", 50),
         ("0701", "2022-10-20", None, None, "2022-11-01", 60)],                  # 12 days, paid in November
        {"n_cycles": 1, "delay_days": 12.0, "n_paid": 1, "n_open": 0},
    ),
    "dates running backwards are left out and counted": (
        [("0701", "2022-11-10", None, None, "2022-11-02", 80),                   # paid before verified
         ("0701", "2022-10-31", None, None, None, 20)],                          # open: 30 days
        {"n_cycles": 1, "delay_days": 30.0, "n_inconsistent": 1, "n_open": 1, "n_paid": 0},
    ),
    "no cycle at all is missing, not zero": (
        [],
        {"n_cycles": 0, "delay_days": None, "n_open": 0, "beneficiaries_waiting": None, "longest_open_days": None,
         "median_open_days": None, "n_paid": 0, "median_paid_days": None},
    ),
    "all open": (
        [("0701", "2022-09-01", "2022-10-01", None, None, 5),                    # 90 days
         ("0702", "2022-10-01", None, None, None, None)],                        # 60 days, count unknown
        {"n_cycles": 2, "delay_days": 75.0, "n_open": 2, "beneficiaries_waiting": 5, "longest_open_days": 90.0,
         "median_open_days": 75.0, "n_paid": 0, "median_paid_days": None},
    ),
    "all paid": (
        [("0701", "2022-10-01", None, None, "2022-11-05", 5),                    # 35 days
         ("0702", "2022-10-20", None, None, "2022-11-09", 7),                    # 20 days
         ("0703", "2022-11-01", None, None, "2022-11-30", 9)],                   # 29 days, paid on the as-of day
        {"n_cycles": 3, "delay_days": 29.0, "n_open": 0, "beneficiaries_waiting": None, "longest_open_days": None,
         "n_paid": 3, "median_paid_days": 29.0},
    ),
}


@pytest.mark.parametrize("rows, expected", list(CASES.values()), ids=list(CASES))
def test_payment_delay_rule(rows, expected):
    summary = summarise(days_waiting(_cycles(rows), AS_OF))
    assert {key: summary[key] for key in expected} == expected


def test_the_headline_includes_the_open_cycles_that_paid_cycles_alone_hide():
    cycles = _cycles([("0701", "2022-10-20", None, None, "2022-11-09", 7),
                      ("0701", "2022-08-07", None, None, None, 1007),
                      ("0701", "2022-08-07", None, None, None, 900)])
    summary = summarise(days_waiting(cycles, AS_OF))
    assert summary["median_paid_days"] == 20.0
    assert summary["delay_days"] == 115.0  # two cycles waiting 115 days outweigh one paid in 20


def test_summary_per_district_ranks_the_district_with_an_old_open_cycle_worst():
    cycles = _cycles([("0701", "2022-11-01", None, None, "2022-11-21", 10),
                      ("0702", "2022-09-07", None, None, None, 1007),
                      ("0703", "2022-10-25", None, None, "2022-11-25", 30)])
    per_district = delay_summary(days_waiting(cycles, AS_OF), by=["district_code"]).set_index("district_code")
    assert per_district["delay_days"].idxmax() == "0702"
    assert per_district.loc["0702", "delay_days"] == 84.0
    assert per_district.loc["0702", "n_paid"] == 0 and math.isnan(per_district.loc["0702", "median_paid_days"])


def test_rollup_rows_give_each_month_each_level_and_nothing_where_no_cycle_counts():
    cycles = _cycles([("0701", "2022-09-06", None, None, "2022-11-10", 100),
                      ("0902", "2022-10-11", None, None, "2022-10-31", 300)])
    rows = rollup_rows(cycles, ["2022-08", "2022-09", "2022-10", "2022-11", "2022-12"])
    got = {(row.level, row.admin_code, row.period): row.value_sum for row in rows.itertuples()}
    assert got == {
        ("district", "0701", "2022-09"): 24.0, ("province", "07", "2022-09"): 24.0, ("national", "00", "2022-09"): 24.0,
        ("district", "0701", "2022-10"): 55.0, ("province", "07", "2022-10"): 55.0,
        ("district", "0902", "2022-10"): 20.0, ("province", "09", "2022-10"): 20.0,
        ("national", "00", "2022-10"): 37.5,
        ("district", "0701", "2022-11"): 65.0, ("province", "07", "2022-11"): 65.0, ("national", "00", "2022-11"): 65.0,
    }
    # Every month's figure for the country is the same rule applied to the country's cycles.
    for month, as_of in (("2022-10", dt.date(2022, 10, 31)), ("2022-11", AS_OF)):
        assert got[("national", "00", month)] == summarise(days_waiting(cycles, as_of))["delay_days"]
