"""Aggregation rules on a tiny hand-made database: ratio of sums, sums, stocks, surveys, missing."""
import datetime as dt

import pytest
from sqlalchemy import insert

from data_access.periods import period_start
from data_access.queries.observations import indicator_series, indicator_values, scope_value
from data_access.rollup import rebuild_rollups
from data_access.schema import AdminUnit, Indicator, Observation


def _unit(code, level, parent):
    return {"code": code, "level": level, "parent_code": parent,
            "province_code": code[:2] if level != "national" else None,
            "district_code": code[:4] if level in ("district", "village") else None,
            "name_en": f"Unit {code}", "name_lo": f"ໜ່ວຍ {code}", "is_demo": True}


def _indicator(code, aggregation, multiplier=1.0, period_type="month"):
    return {"code": code, "project_code": None, "name_en": code, "name_lo": code, "unit": "percent",
            "period_type": period_type, "level": "village", "direction": "higher", "aggregation": aggregation,
            "multiplier": multiplier, "cumulative": False}


def _obs(indicator, admin, period, value=None, numerator=None, denominator=None, std_error=None):
    return {"indicator_code": indicator, "admin_code": admin, "period": period,
            "period_start": period_start(period), "value": value, "numerator": numerator,
            "denominator": denominator, "std_error": std_error}


@pytest.fixture
def tiny(empty_engine):
    """Province 01 with districts 0101 (villages 0101001-3) and 0102 (village 0102001, never reports)."""
    units = [_unit("00", "national", None), _unit("01", "province", "00"), _unit("0101", "district", "01"),
             _unit("0102", "district", "01"), _unit("0101001", "village", "0101"),
             _unit("0101002", "village", "0101"), _unit("0101003", "village", "0101"),
             _unit("0102001", "village", "0102")]
    indicators = [_indicator("RATIO", "ratio", 100), _indicator("COUNT", "sum"), _indicator("STOCK", "latest"),
                  _indicator("SURVEY", "survey", period_type="year")]
    observations = [
        # A village of 50 women at 90 % and one of 5,000 at 20 %: the district is ~20.7 %, not 55 %.
        _obs("RATIO", "0101001", "2023-01", numerator=45, denominator=50),
        _obs("RATIO", "0101002", "2023-01", numerator=1000, denominator=5000),
        _obs("RATIO", "0101001", "2023-02", numerator=40, denominator=50),
        _obs("COUNT", "0101001", "2023-01", value=3),
        _obs("COUNT", "0101002", "2023-01", value=4),
        _obs("COUNT", "0101001", "2023-02", value=5),
        _obs("STOCK", "0101001", "2023-01", value=10),
        _obs("STOCK", "0101001", "2023-02", value=12),
        _obs("STOCK", "0101002", "2023-01", value=7),
        _obs("STOCK", "0101002", "2023-02", value=9),
        _obs("SURVEY", "0101", "2022", value=48.0, std_error=3.1),
        _obs("SURVEY", "01", "2022", value=44.0, std_error=2.0),
    ]
    with empty_engine.begin() as conn:
        conn.execute(insert(AdminUnit), units)
        conn.execute(insert(Indicator), indicators)
        conn.execute(insert(Observation), observations)
        rebuild_rollups(conn)
    return empty_engine


def test_ratio_is_sum_of_numerators_over_sum_of_denominators(tiny):
    with tiny.connect() as conn:
        district = scope_value(conn, "RATIO", "0101", "2023-01", "2023-01")
    assert district["numerator"] == 1045 and district["denominator"] == 5050
    assert district["value"] == pytest.approx(100 * 1045 / 5050)
    assert district["value"] != pytest.approx((90 + 20) / 2)


def test_ratio_over_a_window_pools_all_months(tiny):
    with tiny.connect() as conn:
        village = scope_value(conn, "RATIO", "0101001", "2023-01", "2023-02")
    assert village["value"] == pytest.approx(100 * 85 / 100)


def test_missing_value_is_not_zero(tiny):
    with tiny.connect() as conn:
        districts = indicator_values(conn, "RATIO", "district", "2023-01", "2023-01", within="01")
        villages = indicator_values(conn, "RATIO", "village", "2023-01", "2023-01", within="0101")
        silent = scope_value(conn, "COUNT", "0102", "2023-01", "2023-02")
    # District 0102 never reported: absent, not a row with 0.
    assert districts["admin_code"].tolist() == ["0101"]
    # Village 0101003 did not report: absent; the district says 2 units reported.
    assert villages["admin_code"].tolist() == ["0101001", "0101002"]
    assert int(districts.iloc[0]["n_units"]) == 2
    assert silent["value"] is None


def test_counts_sum_over_places_and_months(tiny):
    with tiny.connect() as conn:
        value = scope_value(conn, "COUNT", "01", "2023-01", "2023-02")["value"]
    assert value == 12


def test_stock_takes_latest_period_not_sum_of_months(tiny):
    with tiny.connect() as conn:
        district = scope_value(conn, "STOCK", "0101", "2023-01", "2023-02")
    assert district["value"] == 21  # 12 + 9 in February, not 10 + 12 + 7 + 9
    assert district["period"] == "2023-02"


def test_survey_estimate_is_not_reaggregated_across_levels(tiny):
    with tiny.connect() as conn:
        province = scope_value(conn, "SURVEY", "01", "2022", "2022")
        district = scope_value(conn, "SURVEY", "0101", "2022", "2022")
        national = scope_value(conn, "SURVEY", None, "2022", "2022")
    assert province["value"] == 44.0 and province["std_error"] == 2.0
    assert district["value"] == 48.0 and district["std_error"] == 3.1
    # Nothing was surveyed nationally, and the national figure is not built from provinces.
    assert national["value"] is None


def test_series_has_no_rows_for_periods_without_reports(tiny):
    with tiny.connect() as conn:
        series = indicator_series(conn, "RATIO", "0101", "2022-12", "2023-03")
    assert series["period"].tolist() == ["2023-01", "2023-02"]
    assert series["value"].tolist() == pytest.approx([100 * 1045 / 5050, 80.0])
    assert [dt.date.fromisoformat(str(d)[:10]) for d in series["period_start"]] == [
        dt.date(2023, 1, 1), dt.date(2023, 2, 1)]


def test_zero_denominator_gives_no_value_not_zero(empty_engine):
    with empty_engine.begin() as conn:
        conn.execute(insert(AdminUnit), [_unit("00", "national", None), _unit("01", "province", "00"),
                                         _unit("0101", "district", "01"), _unit("0101001", "village", "0101")])
        conn.execute(insert(Indicator), [_indicator("RATIO", "ratio", 100)])
        conn.execute(insert(Observation), [_obs("RATIO", "0101001", "2023-01", numerator=0, denominator=0)])
        rebuild_rollups(conn)
    with empty_engine.connect() as conn:
        assert scope_value(conn, "RATIO", "0101", "2023-01", "2023-01")["value"] is None
