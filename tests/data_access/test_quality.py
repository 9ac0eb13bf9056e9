"""Data quality: reporting completeness, and the village-layer import problems shown on the map page."""
import datetime as dt
import json

import pytest
from sqlalchemy import insert, text

from data_access.importers.report import ImportReport
from data_access.periods import period_start
from data_access.queries.quality import reporting_completeness, village_layer_problems, villages_without_location
from data_access.schema import AdminUnit, ImportBatch, Indicator, Observation


def _unit(code, level, parent, lon=None, lat=None):
    return {"code": code, "level": level, "parent_code": parent,
            "province_code": code[:2] if level != "national" else None,
            "district_code": code[:4] if level in ("district", "village") else None,
            "name_en": f"Unit {code}", "name_lo": f"ໜ່ວຍ {code}", "lon": lon, "lat": lat, "is_demo": False}


def _obs(admin, period, value=None, numerator=None, denominator=None, indicator="RATIO"):
    return {"indicator_code": indicator, "admin_code": admin, "period": period, "period_start": period_start(period),
            "value": value, "numerator": numerator, "denominator": denominator}


@pytest.fixture
def tiny(empty_engine):
    """Province 01: district 0101 (villages 0101001-3) and 0102 (village 0102001); district 0201 elsewhere."""
    units = [_unit("00", "national", None), _unit("01", "province", "00"), _unit("02", "province", "00"),
             _unit("0101", "district", "01"), _unit("0102", "district", "01"), _unit("0201", "district", "02"),
             _unit("0101001", "village", "0101", 102.6, 18.0), _unit("0101002", "village", "0101", 102.7, 18.1),
             _unit("0101003", "village", "0101"), _unit("0102001", "village", "0102", 102.9, 18.2),
             _unit("0201001", "village", "0201", 101.9, 21.5)]
    indicator = {"code": "RATIO", "project_code": None, "name_en": "Ratio", "name_lo": "ອັດຕາ", "unit": "percent",
                 "period_type": "month", "level": "village", "direction": "higher", "aggregation": "ratio",
                 "multiplier": 100.0, "cumulative": False}
    observations = [
        _obs("0101001", "2023-01", numerator=4, denominator=5), _obs("0101001", "2023-03", numerator=3, denominator=5),
        # Reported in January only: expected in March, silent then.
        _obs("0101002", "2023-01", numerator=1, denominator=2),
        # A numerator without denominator is not a report.
        _obs("0101003", "2023-03", numerator=1),
        # Last report more than 12 months before March 2023: no longer expected.
        _obs("0102001", "2022-01", numerator=2, denominator=2),
        _obs("0201001", "2023-03", value=50.0),
    ]
    with empty_engine.begin() as conn:
        conn.execute(insert(AdminUnit), units)
        conn.execute(insert(Indicator), [indicator])
        conn.execute(insert(Observation), observations)
    return empty_engine


def test_completeness_counts_reporters_against_recent_reporters(tiny):
    with tiny.connect() as conn:
        districts = reporting_completeness(conn, "RATIO", "district", "2023-03", "2023-03")
        provinces = reporting_completeness(conn, "RATIO", "province", "2023-03", "2023-03")
    assert districts.to_dict("records") == [
        {"code": "0101", "n_reporting": 1, "n_expected": 2},
        {"code": "0201", "n_reporting": 1, "n_expected": 1},
    ]
    assert provinces.to_dict("records") == [
        {"code": "01", "n_reporting": 1, "n_expected": 2},
        {"code": "02", "n_reporting": 1, "n_expected": 1},
    ]


def test_completeness_within_a_province_and_over_a_quarter(tiny):
    with tiny.connect() as conn:
        frame = reporting_completeness(conn, "RATIO", "district", "2023-Q1", "2023-Q1", within="01")
    assert frame.to_dict("records") == [{"code": "0101", "n_reporting": 2, "n_expected": 2}]


def test_completeness_is_per_province_or_district_only(tiny):
    with tiny.connect() as conn, pytest.raises(ValueError):
        reporting_completeness(conn, "RATIO", "village", "2023-03", "2023-03")


def _village_batch(conn, file_name, imported_at, problems):
    report = ImportReport(file_name=file_name, kind="villages", status="applied", rows_total=10)
    for rule, row, value in problems:
        report.add(rule, row=row, column="VILL_CODE", value=value, declared=value[:4], found="", district=value[:4])
    conn.execute(insert(ImportBatch).values(
        kind="villages", file_name=file_name, checksum=file_name + imported_at.isoformat(), imported_at=imported_at,
        rows_total=10, status="applied",
        report_json=json.dumps({"report": report.to_dict(), "undo": {}}, ensure_ascii=False)))


def test_village_layer_problems_from_the_latest_import_of_each_file(tiny):
    with tiny.begin() as conn:
        _village_batch(conn, "villages.gpkg", dt.datetime(2025, 1, 1), [("village_outside_district", 3, "0101009")])
        _village_batch(conn, "villages.gpkg", dt.datetime(2025, 2, 1), [
            ("village_outside_district", 4, "0101002"), ("unknown_district", 7, "0199001"),
            ("invalid_village_code", 8, "12-34"), ("missing_geometry", 9, "0101003")])
        _village_batch(conn, "north.shp", dt.datetime(2025, 1, 15), [("village_outside_district", 2, "0201001")])
    with tiny.connect() as conn:
        found = village_layer_problems(conn, "en")
        in_province = village_layer_problems(conn, "en", within="01")
    assert list(found["batches"]["file_name"]) == ["villages.gpkg", "north.shp"]
    # The January import of villages.gpkg was superseded by February's.
    assert sorted(found["outside"]["code"]) == ["0101002", "0201001"]
    assert list(found["unmatched"]["code"]) == ["0199001", "12-34"]
    assert list(found["unmatched"]["row"]) == [7, 8]
    assert all(isinstance(message, str) and message for message in found["outside"]["message"])
    assert list(in_province["outside"]["code"]) == ["0101002"]
    assert list(in_province["unmatched"]["code"]) == ["0199001"]


def test_no_village_import_gives_empty_tables(tiny):
    with tiny.connect() as conn:
        found = village_layer_problems(conn, "lo")
    assert found["batches"].empty and found["outside"].empty and found["unmatched"].empty


def test_unreadable_report_is_skipped_not_fatal(tiny):
    with tiny.begin() as conn:
        conn.execute(insert(ImportBatch).values(kind="villages", file_name="broken.geojson", checksum="x",
                                                imported_at=dt.datetime(2025, 3, 1), status="applied",
                                                report_json="{not json"))
    with tiny.connect() as conn:
        found = village_layer_problems(conn, "en")
    assert list(found["batches"]["file_name"]) == ["broken.geojson"]
    assert found["outside"].empty


def test_villages_without_location(tiny):
    with tiny.connect() as conn:
        everywhere = villages_without_location(conn)
        elsewhere = villages_without_location(conn, within="02")
    assert list(everywhere["code"]) == ["0101003"]
    assert elsewhere.empty


def test_demo_villages_all_have_a_location(demo_engine):
    with demo_engine.connect() as conn:
        missing = villages_without_location(conn)
        villages = conn.execute(text("SELECT COUNT(*) FROM admin_unit WHERE level = 'village'")).scalar_one()
    assert villages > 0 and missing.empty


@pytest.mark.parametrize("last", [dt.date(2019, 6, 30), dt.date(2020, 2, 15), dt.date(2022, 11, 30),
                                  dt.date(2023, 3, 31), dt.date(2025, 12, 31), dt.date(2030, 1, 1)])
def test_last_reports_seek_the_same_periods_a_plain_group_by_finds(demo_engine, last):
    """Every indicator (monthly, quarterly, yearly), every district, any day: as grouping the whole rollup."""
    from data_access.queries.quality import last_reports

    with demo_engine.connect() as conn:
        indicators = [code for (code,) in conn.execute(text("SELECT code FROM indicator ORDER BY code"))]
        expected = conn.execute(text(
            "SELECT admin_code, indicator_code, MAX(period) FROM observation_rollup WHERE level = 'district' "
            "AND n_units > 0 AND period_start <= :last GROUP BY admin_code, indicator_code "
            "ORDER BY admin_code, indicator_code"), {"last": last}).fetchall()
        found = last_reports(conn, None, indicators, last)
        some = sorted({row[0] for row in expected})[:3]
        found_some = last_reports(conn, some, indicators, last)
    assert [tuple(row) for row in found.itertuples(index=False)] == [tuple(row) for row in expected]
    assert [tuple(row) for row in found_some.itertuples(index=False)] == [
        tuple(row) for row in expected if row[0] in some]
