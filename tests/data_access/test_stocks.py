"""Carry-forward of stocks on hand-made rows: gaps, the cap at 12 and 13 months, flows, silence, zero."""
import pytest
from sqlalchemy import insert, text

from data_access.database import init_db, make_engine
from data_access.periods import period_start
from data_access.queries.observations import indicator_series, indicator_values, scope_value
from data_access.queries.quality import reporting_completeness
from data_access.rollup import rebuild_rollups
from data_access.schema import AdminUnit, Indicator, Observation
from data_access.stocks import parse_cap, stored_cap
from tests.conftest import TemporaryPostgresDatabase, require_postgres

V1, V2, V3, OTHER = "0101001", "0101002", "0101003", "0102001"


def _unit(code, level, parent):
    return {"code": code, "level": level, "parent_code": parent,
            "province_code": code[:2] if level != "national" else None,
            "district_code": code[:4] if level in ("district", "village") else None,
            "name_en": f"Unit {code}", "name_lo": f"ໜ່ວຍ {code}", "is_demo": True}


def _indicator(code, aggregation):
    return {"code": code, "project_code": None, "name_en": code, "name_lo": code, "unit": "people",
            "period_type": "month", "level": "village", "direction": "higher", "aggregation": aggregation,
            "multiplier": 1.0, "cumulative": aggregation == "latest"}


def _months(first, last):
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _reports(indicator, unit, values: dict):
    return [{"indicator_code": indicator, "admin_code": unit, "period": period, "period_start": period_start(period),
             "value": value} for period, value in values.items()]


# Each case is its own indicator in one database: (code, rule, {unit: {period: value}}).
CASES = {
    # Village 1 misses February and March; village 2 reports every month.
    "GAP": ("latest", {V1: {"2023-01": 10, "2023-04": 12}, V2: dict.fromkeys(_months("2023-01", "2023-04"), 5)}),
    # Village 1 reports once; village 2 keeps the calendar going for 14 months.
    "CAP": ("latest", {V1: {"2023-01": 10}, V2: dict.fromkeys(_months("2023-01", "2024-02"), 1)}),
    # The whole district falls silent after January; another district reports in June.
    "SILENT": ("latest", {V1: {"2023-01": 10}, V2: {"2023-01": 5}, OTHER: {"2023-06": 3}}),
    # A flow: new registrations in the month are never carried.
    "FLOW": ("sum", {V1: {"2023-01": 3}, V2: {"2023-03": 4}}),
    # Village 1 reported zero, which is carried as zero, not as missing.
    "ZERO": ("latest", {V1: {"2023-01": 0}, V2: {"2023-01": 5, "2023-02": 6}}),
    # Village 3 never reports: it is neither carried nor expected.
    "NEVER": ("latest", {V1: {"2023-01": 10, "2023-02": 11}}),
}


def _build(engine):
    units = [_unit("00", "national", None), _unit("01", "province", "00"), _unit("0101", "district", "01"),
             _unit("0102", "district", "01"), _unit(V1, "village", "0101"), _unit(V2, "village", "0101"),
             _unit(V3, "village", "0101"), _unit(OTHER, "village", "0102")]
    rows = [row for code, (_, by_unit) in CASES.items() for unit, values in by_unit.items()
            for row in _reports(code, unit, values)]
    with engine.begin() as conn:
        conn.execute(insert(AdminUnit), units)
        conn.execute(insert(Indicator), [_indicator(code, rule) for code, (rule, _) in CASES.items()])
        conn.execute(insert(Observation), rows)
        rebuild_rollups(conn, carry_forward_months=12)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stocks_engine(request, tmp_path_factory):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('stocks') / 'stocks.sqlite'}")
        init_db(engine)
        _build(engine)
        yield engine
        engine.dispose()
        return
    require_postgres()
    with TemporaryPostgresDatabase() as url:
        engine = make_engine(url)
        init_db(engine)
        _build(engine)
        yield engine
        engine.dispose()


# (indicator, place, month) -> (value, units reporting in the month, carried units, carried value, oldest carried)
EXPECTED = [
    ("GAP", "0101", "2023-01", 15, 2, 0, None, None),
    ("GAP", "0101", "2023-02", 15, 1, 1, 10, "2023-01"),
    ("GAP", "0101", "2023-03", 15, 1, 1, 10, "2023-01"),
    ("GAP", "0101", "2023-04", 17, 2, 0, None, None),
    ("GAP", "01", "2023-03", 15, 1, 1, 10, "2023-01"),
    ("GAP", "00", "2023-03", 15, 1, 1, 10, "2023-01"),
    # 12 months after its only report the value still counts; 13 months after it does not.
    ("CAP", "0101", "2024-01", 11, 1, 1, 10, "2023-01"),
    ("CAP", "0101", "2024-02", 1, 1, 0, None, None),
    ("SILENT", "0101", "2023-06", 15, 0, 2, 15, "2023-01"),
    ("SILENT", "01", "2023-06", 18, 1, 2, 15, "2023-01"),
    ("SILENT", "0101", "2023-03", 15, 0, 2, 15, "2023-01"),
    ("FLOW", "0101", "2023-02", None, 0, 0, None, None),
    ("FLOW", "0101", "2023-03", 4, 1, 0, None, None),
    ("ZERO", "0101", "2023-02", 6, 1, 1, 0, "2023-01"),
    ("NEVER", "0101", "2023-02", 11, 1, 0, None, None),
]


@pytest.mark.parametrize("indicator, place, month, value, reporting, carried_units, carried_value, oldest", EXPECTED,
                         ids=[f"{case[0]}-{case[1]}-{case[2]}" for case in EXPECTED])
def test_stock_is_sum_of_latest_reports_carried_up_to_the_cap(stocks_engine, indicator, place, month, value,
                                                               reporting, carried_units, carried_value, oldest):
    with stocks_engine.connect() as conn:
        shown = scope_value(conn, indicator, None if place == "00" else place, month, month)
    if value is None:
        assert shown["value"] is None
        return
    assert shown["value"] == value
    assert shown["period"] == month
    assert int(shown["n_units"]) == reporting
    assert int(shown["carried_units"]) == carried_units
    assert (None if carried_value is None else float(carried_value)) == shown["carried_value"]
    assert shown["oldest_carried_period"] == oldest


def test_value_older_than_the_cap_is_missing(stocks_engine):
    with stocks_engine.connect() as conn:
        # The silent district's January reports count until January 2024 ... but this
        # indicator's data end in June, so nothing is carried past its newest month either.
        months = indicator_series(conn, "SILENT", "0101", "2023-01", "2024-12")["period"].tolist()
        villages = indicator_values(conn, "CAP", "village", "2024-02", "2024-02", within="0101")
    assert months == _months("2023-01", "2023-06")
    # On the village map, village 1's January 2023 report is 13 months old in February 2024.
    assert villages["admin_code"].tolist() == [V2]


def test_village_map_carries_like_the_rollup(stocks_engine):
    with stocks_engine.connect() as conn:
        villages = indicator_values(conn, "GAP", "village", "2023-03", "2023-03", within="0101").set_index("admin_code")
    assert villages.loc[V1, "value"] == 10 and villages.loc[V1, "carried_units"] == 1
    assert villages.loc[V1, "period"] == "2023-01" and int(villages.loc[V1, "n_units"]) == 0
    assert villages.loc[V2, "carried_units"] == 0 and int(villages.loc[V2, "n_units"]) == 1
    assert V3 not in villages.index


def test_cumulative_line_does_not_fall_when_a_village_misses_a_month(stocks_engine):
    with stocks_engine.connect() as conn:
        series = indicator_series(conn, "GAP", None, "2023-01", "2023-04")
    values = series["value"].tolist()
    assert values == [15, 15, 15, 17]
    assert all(later >= earlier for earlier, later in zip(values, values[1:]))


def test_completeness_counts_reports_in_the_month_not_carried_values(stocks_engine):
    with stocks_engine.connect() as conn:
        march = reporting_completeness(conn, "SILENT", "district", "2023-03", "2023-03", "01").set_index("code")
        never = reporting_completeness(conn, "NEVER", "district", "2023-02", "2023-02", "01").set_index("code")
    # Carried from January, but nobody reported in March: "0 of 2", never "2 of 2".
    assert int(march.loc["0101", "n_reporting"]) == 0 and int(march.loc["0101", "n_expected"]) == 2
    # Village 3 never reported: it is not expected.
    assert int(never.loc["0101", "n_expected"]) == 1


def test_flows_have_no_carried_rows(stocks_engine):
    with stocks_engine.connect() as conn:
        carried = conn.execute(text(
            "SELECT COUNT(*) FROM observation_rollup WHERE indicator_code = 'FLOW' AND carried_units > 0")).scalar_one()
    assert carried == 0


def test_a_new_cap_is_recorded_and_rebuilds_every_stock(empty_engine):
    _build(empty_engine)
    with empty_engine.begin() as conn:
        assert stored_cap(conn) == 12
        rebuild_rollups(conn, ["FLOW"], carry_forward_months=2)
        assert stored_cap(conn) == 2
        # Only FLOW was asked for, but the cap changed: GAP was rebuilt with the new cap too.
        cap_march = scope_value(conn, "CAP", "0101", "2023-03", "2023-03")
        cap_april = scope_value(conn, "CAP", "0101", "2023-04", "2023-04")
        # An import afterwards (no cap given) keeps the recorded cap.
        rebuild_rollups(conn, ["CAP"])
        assert stored_cap(conn) == 2
        cap_april_again = scope_value(conn, "CAP", "0101", "2023-04", "2023-04")
    assert cap_march["value"] == 11 and cap_april["value"] == 1 and cap_april_again["value"] == 1


@pytest.mark.parametrize("setting, months", [("12", 12), (" 0 ", 0), ("120", 120)])
def test_cap_setting_parses(setting, months):
    assert parse_cap(setting) == months


@pytest.mark.parametrize("setting", ["", "twelve", "-1", "121", "1.5", None])
def test_bad_cap_setting_is_refused_with_a_sentence(setting):
    with pytest.raises(ValueError, match="CARRY_FORWARD_MONTHS"):
        parse_cap(setting)
