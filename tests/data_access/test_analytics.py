"""Unit tests for the pure computations: ratios, payment delays and backlog, ranking, staleness."""
import datetime as dt
import math

import pandas as pd
import pytest

from data_access.analytics import (
    as_of_period,
    backlog_by_unit,
    best_and_worst,
    cycles_as_of,
    delay_statistics,
    payment_backlog,
    performance_frame,
    periods_between,
    payments_by_cycle,
    pipeline_days,
    rank_values,
    ratio_of_sums,
    relative_performance,
    report_status,
)

# ------------------------------------------------------------------ ratios


def test_ratio_is_sum_of_numerators_over_sum_of_denominators_not_mean_of_ratios():
    villages = pd.DataFrame({"numerator": [45.0, 1.0], "denominator": [50.0, 10.0]})
    # mean of percentages would be (90 + 10) / 2 = 50
    assert ratio_of_sums(villages) == pytest.approx(46 / 60 * 100)


def test_ratio_per_group_gives_each_level_its_own_sums():
    villages = pd.DataFrame({
        "district": ["A", "A", "B"],
        "province": ["P", "P", "P"],
        "numerator": [90.0, 1.0, 10.0],
        "denominator": [100.0, 10.0, 100.0],
    })
    districts = ratio_of_sums(villages, by=["district"]).set_index("district")
    assert districts.loc["A", "value"] == pytest.approx(91 / 110 * 100)
    assert districts.loc["B", "value"] == pytest.approx(10.0)
    # one level up, from the district sums: the same as from the villages, not the mean of 82.7 % and 10 %
    province_from_districts = ratio_of_sums(districts.reset_index().assign(province="P"), by=["province"])
    province_from_villages = ratio_of_sums(villages, by=["province"])
    assert province_from_districts.loc[0, "value"] == pytest.approx(province_from_villages.loc[0, "value"])
    assert province_from_villages.loc[0, "value"] == pytest.approx(101 / 210 * 100)


def test_ratio_ignores_rows_missing_one_part_and_has_no_value_without_denominator():
    rows = pd.DataFrame({"numerator": [5.0, 100.0, None], "denominator": [10.0, None, 40.0]})
    assert ratio_of_sums(rows) == pytest.approx(50.0)
    assert ratio_of_sums(pd.DataFrame({"numerator": [0.0], "denominator": [0.0]})) is None
    grouped = ratio_of_sums(pd.DataFrame({"g": ["x"], "numerator": [0.0], "denominator": [0.0]}), by=["g"])
    assert math.isnan(grouped.loc[0, "value"])


# ------------------------------------------------------------------ payment pipeline


def _cycles(rows):
    frame = pd.DataFrame(rows, columns=["district_code", "cycle_no", "period", "verified_on", "approved_on",
                                        "funds_sent_on", "paid_on", "beneficiaries"])
    for column in ("verified_on", "approved_on", "funds_sent_on", "paid_on"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


CYCLES = _cycles([
    # paid: 10 + 5 + 5 = 20 days
    ("0701", 1, "2022-01", "2022-02-01", "2022-02-11", "2022-02-16", "2022-02-21", 100),
    # paid: 80 + 10 + 10 = 100 days
    ("0701", 2, "2022-02", "2022-03-01", "2022-05-20", "2022-05-30", "2022-06-09", 120),
    # approved 2022-04-10, funds later, paid later
    ("0702", 1, "2022-02", "2022-03-05", "2022-04-10", "2022-07-01", "2022-07-05", 50),
    # never approved
    ("0702", 2, "2022-03", "2022-04-01", None, None, None, None),
    # verified after the as-of date used below
    ("0703", 1, "2022-05", "2022-05-10", "2022-05-20", "2022-05-25", "2022-05-30", 70),
])
AS_OF = dt.date(2022, 4, 30)


def test_cycles_as_of_drops_later_cycles_and_blanks_later_steps():
    frame = cycles_as_of(CYCLES, AS_OF)
    assert list(frame["district_code"]) == ["0701", "0701", "0702", "0702"]
    second = frame[(frame["district_code"] == "0701") & (frame["cycle_no"] == 2)].iloc[0]
    assert pd.isna(second["approved_on"]) and pd.isna(second["paid_on"])


def test_pipeline_days_per_step_and_stage_as_of_a_date():
    frame = pipeline_days(CYCLES, AS_OF).set_index(["district_code", "cycle_no"])
    first = frame.loc[("0701", 1)]
    assert (first["days_to_approval"], first["days_approval_to_funds"], first["days_funds_to_paid"]) == (10, 5, 5)
    assert first["stage"] == "paid" and first["days_verified_to_paid"] == 20
    assert math.isnan(first["days_waiting"])
    waiting = frame.loc[("0701", 2)]
    assert waiting["stage"] == "awaiting_approval"
    assert waiting["days_since_verified"] == (AS_OF - dt.date(2022, 3, 1)).days
    approved = frame.loc[("0702", 1)]
    assert approved["stage"] == "awaiting_funds"
    assert approved["days_waiting"] == (AS_OF - dt.date(2022, 4, 10)).days
    assert approved["days_to_approval"] == 36 and math.isnan(approved["days_approval_to_funds"])


def test_pipeline_days_later_shows_everything_paid():
    frame = pipeline_days(CYCLES, dt.date(2022, 12, 31))
    assert set(frame["stage"]) == {"paid", "awaiting_approval"}
    assert frame.loc[frame["cycle_no"].eq(2) & frame["district_code"].eq("0701"), "days_verified_to_paid"].item() == 100


def test_a_date_running_backwards_gives_no_step_days():
    frame = pipeline_days(_cycles([("0701", 1, "2022-01", "2022-02-10", "2022-02-01", None, None, 5)]),
                          dt.date(2022, 3, 1))
    assert math.isnan(frame.loc[0, "days_to_approval"])


def test_delay_statistics_overall_and_per_district():
    pipeline = pipeline_days(CYCLES, dt.date(2022, 12, 31))
    overall = delay_statistics(pipeline).iloc[0]
    paid_delays = [20, 100, 122, 20]  # 0702/1: 2022-03-05 -> 2022-07-05; 0703/1: 20 days
    assert overall["n_cycles"] == 5 and overall["n_paid"] == 4 and overall["n_open"] == 1
    assert overall["median_days"] == pytest.approx(pd.Series(paid_delays).median())
    assert overall["max_days"] == 122
    assert overall["p90_days"] == pytest.approx(pd.Series(paid_delays).quantile(0.9))
    assert overall["median_to_approval"] == pytest.approx(pd.Series([10, 80, 36, 10]).median())
    per_district = delay_statistics(pipeline, by=["district_code"]).set_index("district_code")
    assert per_district.loc["0701", "median_days"] == 60
    assert per_district.loc["0702", "n_open"] == 1
    assert per_district.loc["0702", "longest_open_days"] == (dt.date(2022, 12, 31) - dt.date(2022, 4, 1)).days
    assert math.isnan(per_district.loc["0701", "longest_open_days"])


def test_delay_statistics_of_no_paid_cycle_are_missing_not_zero():
    pipeline = pipeline_days(_cycles([("0701", 1, "2022-01", "2022-02-01", None, None, None, 5)]), dt.date(2022, 3, 1))
    stats = delay_statistics(pipeline).iloc[0]
    assert stats["n_paid"] == 0 and math.isnan(stats["median_days"]) and math.isnan(stats["mean_days"])


def test_backlog_lists_open_cycles_longest_first_and_counts_stages():
    pipeline = pipeline_days(CYCLES, AS_OF)
    backlog = payment_backlog(pipeline)
    assert list(zip(backlog["district_code"], backlog["cycle_no"])) == [("0701", 2), ("0702", 1), ("0702", 2)]
    summary = backlog_by_unit(backlog).set_index("district_code")
    assert summary.loc["0702", "awaiting_approval"] == 1
    assert summary.loc["0702", "awaiting_funds"] == 1
    assert summary.loc["0702", "approved_unpaid"] == 1
    assert summary.loc["0702", "n_open"] == 2
    assert summary.loc["0702", "beneficiaries_waiting"] == 50  # the unapproved cycle did not say
    assert summary.loc["0701", "awaiting_approval"] == 1 and summary.loc["0701", "approved_unpaid"] == 0
    assert summary.loc["0701", "longest_wait_days"] == (AS_OF - dt.date(2022, 3, 1)).days
    assert list(summary.index) == ["0701", "0702"]


def test_payments_per_cycle_separate_paid_from_waiting_and_convert_at_the_paid_month_rate():
    cycles = CYCLES.assign(amount_lak=CYCLES["beneficiaries"] * 200_000.0)
    pipeline = pipeline_days(cycles, AS_OF)
    rates = pd.DataFrame({"period": ["2022-02", "2022-06"], "lak_per_usd": [10_000.0, 15_000.0]})
    per_period = payments_by_cycle(pipeline, rates).set_index("period")
    # 2022-02 holds 0701/2 (awaiting approval as of April, 120 people) and 0702/1 (awaiting funds, 50)
    assert per_period.loc["2022-02", "n_cycles"] == 2 and per_period.loc["2022-02", "n_paid"] == 0
    assert per_period.loc["2022-02", "beneficiaries_waiting"] == 170
    assert pd.isna(per_period.loc["2022-02", "beneficiaries_paid"])
    assert per_period.loc["2022-01", "beneficiaries_paid"] == 100
    assert per_period.loc["2022-01", "amount_lak_paid"] == 20_000_000
    assert per_period.loc["2022-01", "amount_usd_paid"] == pytest.approx(2_000)  # paid in Feb at 10,000
    later = payments_by_cycle(pipeline_days(cycles, dt.date(2022, 12, 31)), rates).set_index("period")
    # 0701/2 was paid in June (rate 15,000); 0702/1 in July, a month with no rate: USD unknown
    assert later.loc["2022-02", "amount_lak_paid"] == 170 * 200_000
    assert pd.isna(later.loc["2022-02", "amount_usd_paid"])


def test_backlog_of_nothing_is_an_empty_frame():
    pipeline = pipeline_days(CYCLES, dt.date(2022, 2, 25))
    assert payment_backlog(pipeline).empty
    assert backlog_by_unit(payment_backlog(pipeline)).empty


# ------------------------------------------------------------------ ranking


@pytest.mark.parametrize(
    ("values", "direction", "expected"),
    [
        ([70.0, 90.0, 90.0, 50.0], "higher", [3, 1, 1, 4]),
        ([70.0, 90.0, 90.0, 50.0], "lower", [2, 3, 3, 1]),
        ([None, 90.0, 40.0, None], "higher", [None, 1, 2, None]),
        ([None, None], "higher", [None, None]),
        ([30.0, 30.0, 30.0], "lower", [1, 1, 1]),
    ],
)
def test_rank_with_ties_and_missing_values(values, direction, expected):
    ranks = rank_values(pd.Series(values, dtype="float64"), direction)
    assert [None if pd.isna(rank) else int(rank) for rank in ranks] == expected


def test_best_and_worst_include_ties_and_respect_direction():
    values = pd.Series([10.0, 40.0, 40.0, None, 10.0], index=list("abcde"))
    assert best_and_worst(values, "higher") == ({"b", "c"}, {"a", "e"})
    assert best_and_worst(values, "lower") == ({"a", "e"}, {"b", "c"})
    assert best_and_worst(pd.Series([5.0, 5.0]), "higher") == (set(), set())
    assert best_and_worst(pd.Series([5.0, None]), "higher") == (set(), set())


@pytest.mark.parametrize(
    ("value", "reference", "direction", "expected"),
    [
        (90.0, 80.0, "higher", 0.125),
        (70.0, 80.0, "higher", -0.125),
        (60.0, 40.0, "lower", -0.5),  # 60 days of delay against 40: worse
        (30.0, 40.0, "lower", 0.25),
        (None, 40.0, "lower", None),
        (30.0, None, "higher", None),
        (30.0, 0.0, "higher", None),
        (30.0, 20.0, "neutral", None),
    ],
)
def test_relative_performance_is_direction_aware(value, reference, direction, expected):
    result = relative_performance(value, reference, direction)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_performance_frame_uses_target_first_then_province_median():
    frame = pd.DataFrame({
        "district_code": ["0701", "0702", "0703", "0901"],
        "province_code": ["07", "07", "07", "09"],
        "indicator_code": ["X"] * 4,
        "value": [60.0, 80.0, None, 50.0],
        "target": [None, 100.0, None, None],
    })
    result = performance_frame(frame, {"X": "higher"}).set_index("district_code")
    assert result.loc["0701", "reference_kind"] == "province_median"
    assert result.loc["0701", "reference"] == 70.0  # median of 60 and 80; the silent district is not a zero
    assert result.loc["0701", "performance"] == pytest.approx(-10 / 70)
    assert result.loc["0702", "reference_kind"] == "target"
    assert result.loc["0702", "performance"] == pytest.approx(-0.2)
    assert math.isnan(result.loc["0703", "performance"])
    # alone in its province, a district equals its own median
    assert result.loc["0901", "performance"] == 0


# ------------------------------------------------------------------ staleness


@pytest.mark.parametrize(
    ("earlier", "later", "expected"),
    [("2025-09", "2025-12", 3), ("2024-11", "2025-02", 3), ("2025-Q1", "2025-Q4", 3), ("2023", "2025", 2),
     ("2025-12", "2025-12", 0)],
)
def test_periods_between(earlier, later, expected):
    assert periods_between(earlier, later) == expected


@pytest.mark.parametrize(
    ("last_period", "as_of", "period_type", "n", "expected"),
    [
        ("2025-12", "2025-12", "month", 1, "current"),
        ("2025-11", "2025-12", "month", 1, "stale"),
        ("2025-10", "2025-12", "month", 3, "current"),
        ("2025-09", "2025-12", "month", 3, "stale"),
        ("2025-09", "2025-11", "month", 3, "current"),
        (None, "2025-12", "month", 3, "never"),
        ("2025-Q3", "2025-12", "quarter", 2, "current"),
        ("2025-Q2", "2025-12", "quarter", 2, "stale"),
        # in August the third quarter is not over, so the second is the latest one due
        ("2025-Q2", "2025-08", "quarter", 1, "current"),
        ("2025-Q1", "2025-08", "quarter", 1, "stale"),
        ("2026-01", "2025-12", "month", 3, "never"),
    ],
)
def test_report_status_no_report_in_last_n_periods(last_period, as_of, period_type, n, expected):
    assert report_status(last_period, as_of, period_type, n) == expected


@pytest.mark.parametrize(
    ("as_of", "period_type", "expected"),
    [("2025-11", "month", "2025-11"), ("2025-11", "quarter", "2025-Q3"), ("2025-12", "quarter", "2025-Q4"),
     ("2025-02", "quarter", "2024-Q4"), ("2025-03", "quarter", "2025-Q1"), ("2025-06", "year", "2024"),
     ("2025-12", "year", "2025")],
)
def test_as_of_period_is_the_latest_period_already_over(as_of, period_type, expected):
    assert as_of_period(as_of, period_type) == expected


def test_report_status_needs_at_least_one_period():
    with pytest.raises(ValueError):
        report_status("2025-01", "2025-02", "month", 0)
