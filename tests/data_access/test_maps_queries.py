"""Map queries on the test-scale demo (SQLite and PostgreSQL): levels, periods, missing, downloads."""
import csv
import datetime as dt
import io
import json

import pandas as pd
import pytest
import shapely
from sqlalchemy import insert, text

from data_access.queries.maps import (
    JOINED_COLUMNS,
    convergence_data,
    convergence_layer,
    joined_layer,
    map_data,
    map_window,
    to_safe_csv,
    trail,
    village_polygons,
)
from data_access.schema import AdminUnit

AS_OF = "2025-06"


def _raw_ratio(conn, indicator, prefix, period):
    row = conn.execute(text(
        "SELECT SUM(o.numerator), SUM(o.denominator) FROM observation o JOIN admin_unit a ON a.code = o.admin_code "
        "WHERE o.indicator_code = :indicator AND o.period = :period AND a.level = 'village' AND a.code LIKE :prefix "
        "AND o.numerator IS NOT NULL AND o.denominator IS NOT NULL"),
        {"indicator": indicator, "period": period, "prefix": prefix + "%"}).one()
    return 100.0 * row[0] / row[1]


def _demo_report(conn) -> dict:
    return json.loads(conn.execute(text("SELECT report_json FROM import_batch WHERE kind = 'demo'")).scalar_one())


@pytest.mark.parametrize(("meta", "expected"), [
    ({"aggregation": "ratio", "period_type": "month"}, {"start": "2025-05", "end": "2025-05", "period": "2025-05"}),
    ({"aggregation": "ratio", "period_type": "quarter"}, {"start": "2025-Q2", "end": "2025-Q2", "period": "2025-Q2"}),
    ({"aggregation": "sum", "period_type": "year"}, {"start": "2025", "end": "2025", "period": "2025"}),
    ({"aggregation": "survey", "period_type": "year"}, {"start": "2000-01", "end": "2025-05", "period": "2025-05"}),
])
def test_map_window_follows_the_indicator_period(meta, expected):
    window = map_window(meta, "2025-05")
    assert {key: window[key] for key in expected} == expected


def test_national_map_is_provinces_with_ratio_of_sums(demo_engine):
    with demo_engine.connect() as conn:
        data = map_data(conn, "CCT_COMPLY_ALL", None, AS_OF)
        expected = _raw_ratio(conn, "CCT_COMPLY_ALL", "07", AS_OF)
    assert data["level"] == "province"
    assert len(data["units"]) == 18
    values = data["values"].set_index("admin_code")
    assert values.loc["07", "value"] == pytest.approx(expected)
    # RRPM works in four provinces: the others are absent (no data), never zero.
    assert set(values.index) == {"02", "04", "07", "09"}
    assert (values["value"] > 0).all()
    assert [place["code"] for place in data["trail"]] == ["00"]


def test_province_map_is_its_districts_with_completeness(demo_engine):
    with demo_engine.connect() as conn:
        data = map_data(conn, "CCT_COMPLY_ALL", "07", AS_OF)
        expected = _raw_ratio(conn, "CCT_COMPLY_ALL", "0703", AS_OF)
    assert data["level"] == "district"
    assert data["units"]["code"].str.startswith("07").all()
    values = data["values"].set_index("admin_code")
    assert values.index.str.startswith("07").all()
    assert values.loc["0703", "value"] == pytest.approx(expected)
    assert (values["n_reporting"] <= values["n_expected"]).all()
    assert [place["name_en"] for place in data["trail"]] == ["Lao PDR", "Houaphan"]


def test_classes_reference_is_the_whole_country_at_the_map_level(demo_engine):
    with demo_engine.connect() as conn:
        province = map_data(conn, "CCT_COMPLY_ALL", "07", AS_OF)
        other = map_data(conn, "CCT_COMPLY_ALL", "02", AS_OF)
    assert province["reference"].tolist() == other["reference"].tolist()
    assert len(province["reference"]) > len(province["values"])


def test_silent_district_has_no_value_but_says_nobody_reported(demo_engine):
    with demo_engine.connect() as conn:
        stale = _demo_report(conn)["stale_district"]
        data = map_data(conn, "CCT_COMPLY_ALL", stale[:2], "2025-12")
    row = data["values"].set_index("admin_code").loc[stale]
    assert pd.isna(row["value"])
    assert row["n_reporting"] == 0 and row["n_expected"] > 0


def test_district_map_is_its_villages(demo_engine):
    with demo_engine.connect() as conn:
        data = map_data(conn, "CCT_COMPLY_ALL", "0703", AS_OF)
        first = conn.execute(text(
            "SELECT numerator, denominator FROM observation WHERE indicator_code = 'CCT_COMPLY_ALL' "
            "AND admin_code = '0703001' AND period = :period"), {"period": AS_OF}).one()
    assert data["level"] == "village"
    assert data["units"]["code"].str.startswith("0703").all()
    assert data["units"][["lon", "lat"]].notna().all().all()
    values = data["values"].set_index("admin_code")
    assert values.loc["0703001", "value"] == pytest.approx(100.0 * first[0] / first[1])
    assert len(data["reference"]) >= len(data["values"])


def test_survey_shows_the_latest_round_and_is_not_divided_among_districts(demo_engine):
    with demo_engine.connect() as conn:
        provinces = map_data(conn, "STUNTING", None, "2023-06")
        districts = map_data(conn, "STUNTING", "07", "2023-06")
        # A round counts from the day it became known (survey_round), else from the end of its year.
        known_on = {period: _day(day) for period, day in conn.execute(text(
            "SELECT period, available_on FROM survey_round WHERE indicator_code = 'STUNTING'"))}
        as_of_end = dt.date(2023, 6, 30)

        def known(period):
            return known_on.get(period, dt.date(int(period), 12, 31)) <= as_of_end

        rounds = max(period for (period,) in conn.execute(text(
            "SELECT period FROM observation WHERE indicator_code = 'STUNTING' AND admin_code = '07'"))
            if known(period))
        own_estimates = {code for code, period in conn.execute(text(
            "SELECT admin_code, period FROM observation WHERE indicator_code = 'STUNTING' "
            "AND admin_code LIKE '07__' AND value IS NOT NULL")) if known(period)}
    assert provinces["window"]["kind"] == "survey"
    row = provinces["values"].set_index("admin_code").loc["07"]
    assert row["period"] == rounds and row["std_error"] > 0
    # Only districts the survey was designed for have a value: none is derived from the province.
    with_value = set(districts["values"].dropna(subset=["value"])["admin_code"])
    assert with_value == own_estimates
    assert len(with_value) < len(districts["units"])


def test_quarterly_indicator_uses_the_quarter_of_the_month(demo_engine):
    with demo_engine.connect() as conn:
        data = map_data(conn, "GRIEVANCE_RESOLVED", "07", "2025-05")
    assert data["window"]["period"] == "2025-Q2"
    assert set(data["values"]["period"].dropna()) == {"2025-Q2"}


def test_unknown_indicator_is_an_error(demo_engine):
    with demo_engine.connect() as conn, pytest.raises(KeyError):
        map_data(conn, "NOPE", None, AS_OF)


def test_joined_layer_has_every_unit_and_empty_values_where_missing(demo_engine):
    with demo_engine.connect() as conn:
        frame = joined_layer(conn, "CCT_COMPLY_ALL", "07", AS_OF)
        districts = conn.execute(text("SELECT COUNT(*) FROM admin_unit WHERE level = 'district' AND code LIKE '07%'")
                                 ).scalar_one()
    assert list(frame.columns) == JOINED_COLUMNS
    assert len(frame) == districts
    assert (frame["level"] == "district").all() and (frame["period"] == AS_OF).all()
    missing = frame[frame["data_period"].isna()]
    assert not missing.empty and missing["value"].isna().all()


def test_convergence_data_keeps_target_districts_in_the_summary(demo_engine):
    with demo_engine.connect() as conn:
        data = convergence_data(conn, "07", AS_OF)
        targets = {code for (code,) in conn.execute(text(
            "SELECT admin_code FROM target_area WHERE project_code = 'RRPM' AND admin_code LIKE '07%'"))}
    assert set(data["districts"]["district_code"]) == targets
    assert data["villages"]["code"].str.startswith("07").all()
    assert data["n_projects"] == 5 and data["level"] == "district"
    assert data["window"] == {"start": "2024-07", "end": AS_OF}


def test_convergence_layer_has_project_flags(demo_engine):
    with demo_engine.connect() as conn:
        frame = convergence_layer(conn, "0703", AS_OF)
    assert {"RRPM", "HANSA", "SUWASH", "AFN", "ECE", "n_projects", "window_start", "window_end"} <= set(frame.columns)
    assert (frame[["RRPM", "HANSA", "SUWASH", "AFN", "ECE"]].sum(axis=1) == frame["n_projects"]).all()


def test_trail_names_the_way_down(demo_engine):
    with demo_engine.connect() as conn:
        names = [place["name_en"] for place in trail(conn, "0703")]
    assert names == ["Lao PDR", "Houaphan", "Hiem"]


def test_csv_is_formula_safe_has_a_bom_and_leaves_missing_empty():
    frame = pd.DataFrame({"code": ["0703001", "0703002"], "name_en": ["=HYPERLINK(\"x\")", "@SUM(A1)"],
                          "name_lo": ["+ບ້ານ", "-ບ້ານ"], "value": [-5.0, None]})
    text_ = to_safe_csv(frame, ["code", "name", "ຊື່", "value"])
    assert text_.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text_.lstrip("\ufeff"))))
    assert rows[0] == ["code", "name", "ຊື່", "value"]
    assert rows[1] == ["0703001", "'=HYPERLINK(\"x\")", "'+ບ້ານ", "-5.0"]
    assert rows[2] == ["0703002", "'@SUM(A1)", "'-ບ້ານ", ""]


def test_village_areas_are_used_only_where_the_layer_gave_polygons(empty_engine):
    def unit(code, level, parent, geometry=None):
        return {"code": code, "level": level, "parent_code": parent, "province_code": code[:2] if parent else None,
                "district_code": code[:4] if len(code) >= 4 else None, "name_en": code, "name_lo": code,
                "lon": 103.5, "lat": 20.2, "geometry": geometry, "is_demo": False}

    square = shapely.box(103.5, 20.2, 103.51, 20.21)
    with empty_engine.begin() as conn:
        conn.execute(insert(AdminUnit), [
            unit("00", "national", None), unit("07", "province", "00"), unit("0703", "district", "07"),
            unit("0703001", "village", "0703", square), unit("0703002", "village", "0703", shapely.Point(103.6, 20.3)),
            unit("0703003", "village", "0703")])
    with empty_engine.connect() as conn:
        found = village_polygons(conn, "0703")
    assert [code for code, _ in found] == ["0703001"]
    assert found[0][1].equals_exact(square, 1e-6)


def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
