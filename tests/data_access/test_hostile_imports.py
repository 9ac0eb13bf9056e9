"""The hostile corpus on both backends: each bad file gets a sentence naming what is wrong, and nothing is written."""
import threading
import time
import tracemalloc

import pytest
from sqlalchemy import text

from data import make_hostile as hostile
from data.importer_db import demo_copy, row_counts
from data_access.importers import ImportOptions, import_bytes, import_path

# What must never reach a person: server paths, GDAL's own words, a trace, a file's content.
LEAKS = ("/tmp", "/work", "/etc/passwd", "root:", "traceback", "gdal", "vsizip", "village-import-", "ogrvrt", "ogr_", "errno")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory):
    # One copy per backend: every case checks that it wrote nothing, so they can share it.
    with demo_copy(request.param, tmp_path_factory.mktemp(request.param)) as engine:
        yield engine


def small(name):
    return lambda folder: hostile.HOSTILE / name


def built(function, name):
    def build(folder):
        path = folder / name
        path.write_bytes(function())
        return path
    return build


# (case, file builder, rule of the first error, its row, its column)
CASES = [
    ("vrt saved as geojson", small("vrt_as_geojson.geojson"), "refers_to_other_files", None, None),
    ("vrt inside a zip", hostile.build_vrt_in_zip, "refers_to_other_files", None, None),
    ("dbf linked to /etc/passwd", hostile.build_symlink_in_zip, "refers_to_other_files", None, None),
    ("shapefile folder with a linked dbf", hostile.build_symlink_folder, "refers_to_other_files", None, None),
    ("prj that is a path", hostile.build_bad_sidecar_zip, "wrong_content", None, None),
    ("geopackage with a virtual table", hostile.build_virtual_table_gpkg, "refers_to_other_files", None, None),
    ("xlsx declaring A1:XFD1048576", built(hostile.build_dimension_bomb, "dimension_bomb.xlsx"),
     "sheet_too_large", None, None),
    ("unclosed quote", small("unclosed_quote.csv"), "unclosed_quote", 3, None),
    ("quote closed rows later", small("quote_closed_later.csv"), "unclosed_quote", 3, "value"),
    ("cell over 128 KiB", built(hostile.build_long_cell, "long_cell.csv"), "cell_too_long", 3, None),
    ("NUL byte", small("nul_byte.csv"), "nul_character", 3, "value"),
    ("year 0", small("year_zero.csv"), "period_out_of_range", 2, "period"),
    ("years 1000 and 9999", small("period_1000_9999.csv"), "period_out_of_range", 2, "period"),
    ("1e308 as a count", small("huge_count.csv"), "implausible_number", 2, "value"),
    ("JSON nested 200,000 deep", built(hostile.build_deep_json, "deep.json"), "nested_too_deep", None, None),
    ("GeoJSON nested 200,000 deep", built(hostile.build_deep_geojson, "deep.geojson"), "nested_too_deep", None, None),
    ("latitude 95, longitude 200", small("outside_laos.geojson"), "outside_laos", 1, "geometry"),
    ("UTM metres without a CRS", small("utm_without_crs.geojson"), "coordinates_look_like_metres", None, None),
    ("EPSG:999999", small("unknown_crs.geojson"), "unknown_crs", None, None),
    ("EPSG:999999 in a zip", hostile.build_unknown_crs_in_zip, "unknown_crs", None, None),
]


@pytest.mark.parametrize("case, build, rule, row, column", CASES, ids=[case[0] for case in CASES])
def test_a_hostile_file_gets_a_sentence_and_writes_nothing(engine, tmp_path, case, build, rule, row, column):
    path = build(tmp_path)
    before = row_counts(engine)
    for options in (ImportOptions(dry_run=True), ImportOptions(), ImportOptions(accept_valid_rows=True)):
        report = import_path(engine, path, options)
        errors = report.errors
        assert errors, f"{case}: no error reported"
        first = errors[0]
        assert (first.rule, first.row, first.column) == (rule, row, column)
        assert report.status in ("rejected", "dry_run") and report.status != "applied"
        for lang in ("en", "lo"):
            for problem in report.problems:
                message = problem.message(lang)
                assert message and "{" not in message
                assert not [leak for leak in LEAKS if leak in message.lower()], message
            assert not [leak for leak in LEAKS if leak in report.headline(lang).lower()]
    assert row_counts(engine) == before


@pytest.mark.parametrize("text, depth", [
    (b"{}", 1), (b'{"a": "[[[[ {{ ]]"}', 1), (b'{"a": "\\"[["}', 1), (b"[[1, [2]], [3]]", 3), (b"", 0),
    (b'"[[["', 0),
])
def test_json_depth_counts_brackets_outside_strings(text, depth):
    from geo.layer_safety import json_depth

    assert json_depth(text) == depth


def test_json_depth_carries_across_slices():
    from geo.layer_safety import json_depth

    deep = b"[" * 70 + b" " * (5 * 1024 * 1024) + b"[" * 10 + b"]" * 80
    assert json_depth(deep) == 80


def test_the_dimension_bomb_is_refused_in_milliseconds(engine):
    data = hostile.build_dimension_bomb()
    assert len(data) < 6000
    started = time.perf_counter()
    report = import_bytes(engine, data, "dimension_bomb.xlsx", ImportOptions(dry_run=True))
    assert time.perf_counter() - started < 1.0
    assert [p.rule for p in report.errors] == ["sheet_too_large"]
    assert "1,048,576" in report.errors[0].message("en")


def test_an_xlsx_inflating_to_480_mb_is_refused_before_it_is_parsed(engine):
    data = hostile.build_inflation_bomb(480)
    assert len(data) < 10 * 1024 * 1024
    before = row_counts(engine)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        report = import_bytes(engine, data, "inflation_bomb.xlsx", ImportOptions())
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [p.rule for p in report.errors] == ["workbook_too_large"]
    assert "480 MB" in report.errors[0].message("en")
    assert elapsed < 2.0 and peak < 50 * 1024 * 1024
    assert row_counts(engine) == before


def test_the_size_on_disk_is_checked_before_the_file_is_read(engine, tmp_path):
    path = tmp_path / "one_gib.csv"
    with path.open("wb") as handle:  # sparse: a gibibyte on paper, nothing on disk
        handle.truncate(1024 ** 3)
    tracemalloc.start()
    try:
        report = import_path(engine, path, ImportOptions(max_mb=20))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.status == "rejected" and [p.rule for p in report.problems] == ["file_too_large"]
    assert "1024.0 MB" in report.problems[0].message("en")
    assert peak < 20 * 1024 * 1024


def test_a_self_intersecting_polygon_is_repaired_and_said_so(engine):
    from sqlalchemy import select

    from data_access.schema import AdminUnit

    report = import_path(engine, hostile.HOSTILE / "self_intersecting.geojson", ImportOptions(dry_run=True))
    assert not report.errors and [(p.rule, p.row) for p in report.warnings] == [("geometry_repaired", 1)]
    assert report.rows_valid == 1
    applied = import_path(engine, hostile.HOSTILE / "self_intersecting.geojson", ImportOptions())
    assert applied.status == "applied"
    with engine.connect() as conn:
        shape = conn.execute(select(AdminUnit.geometry).where(AdminUnit.code == "0703001")).scalar_one()
    assert shape.is_valid and shape.geom_type in ("MultiPolygon", "GeometryCollection")
    _undo(engine, applied.batch_id)


def _undo(engine, batch_id):
    from data_access.importers.history import rollback_batch

    with engine.begin() as conn:
        rollback_batch(conn, batch_id)


def _names(engine, codes):
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, name_en, name_lo FROM admin_unit WHERE code IN ('0703001', '0703002')"
                                 " ORDER BY code")).all()
    return {code: (en, lo) for code, en, lo in rows if code in codes}


def test_a_lao_name_field_fills_name_lo_and_an_english_only_layer_keeps_it(engine):
    stored = _names(engine, {"0703001", "0703002"})
    checked = import_path(engine, hostile.HOSTILE / "lao_names.geojson", ImportOptions(dry_run=True))
    changes = {(item["field"], item["place"]): (item["old"], item["new"]) for item in checked.summary["replacements"]}
    assert changes[("name_lo", "0703001")] == (stored["0703001"][1], "ບ້ານນາຄຳ")
    assert changes[("name_en", "0703002")] == (stored["0703002"][0], "Ban Phonxay")
    assert ("location", "0703001") in changes and checked.summary["replacements_total"] == 6

    from layouts.importer import replacements_view

    assert "ຊື່ພາສາລາວ" in str(replacements_view(checked.summary, checked.status, "lo"))
    first = import_path(engine, hostile.HOSTILE / "lao_names.geojson", ImportOptions())
    assert first.status == "applied", [p.message("en") for p in first.problems]
    assert first.summary["name_lo_field"] == "LAONAME" and first.summary["name_en_field"] == "VILL_NAME"
    assert _names(engine, {"0703001", "0703002"}) == {"0703001": ("Ban Nakham", "ບ້ານນາຄຳ"),
                                                      "0703002": ("Ban Phonxay", "ບ້ານໂພນໄຊ")}
    second = import_path(engine, hostile.HOSTILE / "english_names_only.geojson", ImportOptions())
    assert second.status in ("applied", "unchanged")
    assert _names(engine, {"0703001"}) == {"0703001": ("Ban Nakham", "ບ້ານນາຄຳ")}
    if second.batch_id:
        _undo(engine, second.batch_id)
    _undo(engine, first.batch_id)


def test_lao_names_are_found_in_pandas_string_columns():
    import geopandas as gpd
    import pandas as pd
    import shapely

    from geo.village_layers import find_name_fields

    for dtype in ("string", object):
        frame = gpd.GeoDataFrame({"vcode": pd.Series(["0703001"], dtype=dtype),
                                  "LAONAME": pd.Series(["ບ້ານນາຄຳ"], dtype=dtype)},
                                 geometry=[shapely.Point(103.31, 20.10)], crs="EPSG:4326")
        assert find_name_fields(frame) == (None, "LAONAME")


# ---------------------------------------------------------------- two imports at once

DISTRICT_ROW = b"indicator_code,admin_code,period,value\nCCT_PAID,0703,2027-06,100\n"
VILLAGE_ROWS = b"indicator_code,admin_code,period,value\nCCT_PAID,0703001,2027-06,60\nCCT_PAID,0703002,2027-06,40\n"


def _slow_writes(monkeypatch, seconds: float) -> None:
    """Each import holds its transaction open `seconds` after writing, so the two overlap for sure."""
    from data_access.importers import staging

    original = staging.Staging.write

    def slow(self, batch_id):
        result = original(self, batch_id)
        time.sleep(seconds)
        return result

    # Observation files are merged from the staging table (data_access.importers.staging).
    monkeypatch.setattr(staging.Staging, "write", slow)


def _at_once(engine, files):
    reports = [None] * len(files)

    def run(position, data, name):
        reports[position] = import_bytes(engine, data, name, ImportOptions())

    threads = [threading.Thread(target=run, args=(i, data, name)) for i, (data, name) in enumerate(files)]
    for thread in threads:
        thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join(60)
    return reports


def _rollup_0703(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT value_sum FROM observation_rollup WHERE indicator_code = 'CCT_PAID' "
                                 "AND admin_code = '0703' AND period = '2027-06'")).scalar()


def test_two_imports_at_once_cannot_bypass_the_mixed_levels_rule(engine, monkeypatch):
    _slow_writes(monkeypatch, 1.0)
    reports = _at_once(engine, [(DISTRICT_ROW, "district.csv"), (VILLAGE_ROWS, "villages.csv")])
    assert sorted(report.status for report in reports) == ["applied", "rejected"]
    applied = next(report for report in reports if report.status == "applied")
    refused = next(report for report in reports if report.status == "rejected")
    assert {p.rule for p in refused.errors} == {"mixed_levels"}
    assert _rollup_0703(engine) == 100
    _undo(engine, applied.batch_id)


def test_a_second_import_waits_then_is_told_to_try_again(engine, monkeypatch):
    from data_access.importers import locking

    before = row_counts(engine)
    _slow_writes(monkeypatch, 2.0)
    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 0.5)
    reports = _at_once(engine, [(DISTRICT_ROW, "district.csv"), (VILLAGE_ROWS.replace(b"2027-06", b"2027-05"),
                                                                 "villages.csv")])
    assert [report.status for report in reports] == ["applied", "rejected"]
    busy = reports[1].problems
    assert [p.rule for p in busy] == ["import_busy"]
    assert "Try again" in busy[0].message("en") and "ລອງໃໝ່" in busy[0].message("lo")
    assert "locked" not in busy[0].message("en")
    _undo(engine, reports[0].batch_id)
    after = row_counts(engine)
    assert {key: after[key] for key in ("observation", "admin_unit", "observation_rollup")} == {
        key: before[key] for key in ("observation", "admin_unit", "observation_rollup")}
