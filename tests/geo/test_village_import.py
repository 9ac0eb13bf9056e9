"""Village layers in any CRS and format: read, joined to districts by code, checked against district polygons."""
import json
import shutil
import zipfile

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from sqlalchemy import text

from data.importer_db import DATA_DIR, demo_copy, row_counts
from data_access.importers import ImportOptions, import_path
from data_access.importers.history import RollbackRefused, batch_record, rollback_batch
from geo.village_layers import (
    LayerError,
    dataset_path,
    find_code_field,
    find_name_fields,
    is_lao_text,
    read_layer,
    representative_points,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    with demo_copy(request.param, tmp_path) as engine:
        yield engine


def villages(engine, prefix: str) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT code, level, parent_code, province_code, district_code, name_en, name_lo, lon, lat, is_demo "
            "FROM admin_unit WHERE code LIKE :p AND level = 'village' ORDER BY code"), {"p": prefix + "%"}).mappings()
        return {row["code"]: dict(row) for row in rows}


# ---------------------------------------------------------------- geo helpers (pure)

def test_a_zipped_shapefile_in_utm_48n_comes_back_in_wgs84():
    frame, crs = read_layer(DATA_DIR / "villages_utm48.zip")
    assert crs == "EPSG:32648" and frame.crs.to_epsg() == 4326
    assert len(frame) == 9
    # Houaphan lies around 103-105 E, 19.5-21 N.
    assert frame.geometry.x.between(103, 105.5).all() and frame.geometry.y.between(19.5, 21.2).all()


def test_the_folder_and_the_zip_hold_the_same_layer():
    from_zip, _ = read_layer(DATA_DIR / "villages_utm48.zip")
    from_folder, _ = read_layer(DATA_DIR / "villages_utm48")
    pd.testing.assert_frame_equal(pd.DataFrame(from_zip.drop(columns="geometry")),
                                  pd.DataFrame(from_folder.drop(columns="geometry")))
    assert from_zip.geometry.geom_equals_exact(from_folder.geometry, tolerance=1e-9).all()


def test_a_geopackage_in_web_mercator_with_polygons():
    frame, crs = read_layer(DATA_DIR / "villages_0707.gpkg")
    assert crs == "EPSG:3857" and set(frame.geometry.geom_type) == {"Polygon"}
    points = representative_points(frame.geometry)
    assert all(polygon.contains(point) for polygon, point in zip(frame.geometry, points))


def test_several_layers_must_be_named(tmp_path):
    folder = tmp_path / "two"
    shutil.copytree(DATA_DIR / "villages_utm48", folder / "a")
    shutil.copytree(DATA_DIR / "villages_utm48", folder / "b")
    for path in (folder / "b").iterdir():
        path.rename(path.with_name("other" + path.suffix))
    with pytest.raises(LayerError) as several:
        dataset_path(folder)
    assert several.value.rule == "several_layers" and "other" in several.value.params["layers"]
    gdal_path, _layer = dataset_path(folder, layer="other")
    assert gdal_path.endswith("other.shp")


def test_a_shapefile_without_its_prj_is_refused(tmp_path):
    archive = tmp_path / "no_prj.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in (DATA_DIR / "villages_utm48").iterdir():
            if path.suffix != ".prj":
                out.write(path, path.name)
    with pytest.raises(LayerError) as missing:
        read_layer(archive)
    assert missing.value.rule == "missing_crs"


def test_fields_are_found_by_name_by_content_or_named_by_the_user():
    frame, _ = read_layer(DATA_DIR / "villages_utm48.zip")
    assert find_code_field(frame) == "VILL_CODE"
    assert find_name_fields(frame) == ("VILL_NAME", "VILL_LAO")
    gpkg, _ = read_layer(DATA_DIR / "villages_0707.gpkg")
    with pytest.raises(LayerError) as ambiguous:
        find_code_field(gpkg)
    assert ambiguous.value.rule == "code_field_ambiguous"
    assert find_code_field(gpkg, "BAN_ID_2023") == "ban_id_2023"
    assert find_name_fields(gpkg) == (None, "ຊື່ບ້ານ")
    with pytest.raises(LayerError) as unknown:
        find_code_field(gpkg, "village")
    assert unknown.value.rule == "field_not_found" and "ban_id_2023" in unknown.value.params["fields"]


def test_lao_script_is_recognised():
    assert is_lao_text(pd.Series(["ບ້ານນາຄຳ", "ບ້ານໂພນ", None]))
    assert not is_lao_text(pd.Series(["Ban Nakham", "Ban Phon"]))


# ---------------------------------------------------------------- imports (both backends)

@pytest.mark.parametrize("name", ["villages_utm48.zip", "villages_utm48"])
def test_the_shapefile_updates_demo_villages_and_adds_new_ones(engine, name):
    demo = villages(engine, "0703")
    report = import_path(engine, DATA_DIR / name, ImportOptions())
    assert report.status == "applied" and not report.problems
    assert (report.rows_inserted, report.rows_replaced) == (3, 6)
    assert report.summary["crs"] == "EPSG:32648"
    updated = villages(engine, "0703")
    for code, before in demo.items():
        after = updated[code]
        assert not after["is_demo"] and after["name_en"] == before["name_en"].replace(" (demo)", "")
        # Reprojected back from UTM: the demo point, to the centimetre.
        assert after["lon"] == pytest.approx(before["lon"], abs=1e-6)
        assert after["lat"] == pytest.approx(before["lat"], abs=1e-6)
    added = villages(engine, "0705")
    assert sorted(added) == ["0705001", "0705002", "0705003"]
    assert {(v["parent_code"], v["province_code"], v["district_code"], v["level"]) for v in added.values()} == {
        ("0705", "07", "0705", "village")}


def test_reimporting_the_layer_changes_nothing(engine):
    import_path(engine, DATA_DIR / "villages_utm48.zip", ImportOptions())
    counts = row_counts(engine)
    again = import_path(engine, DATA_DIR / "villages_utm48.zip", ImportOptions())
    assert again.status == "unchanged" and row_counts(engine) == counts


def test_a_geopackage_imports_once_the_code_field_is_named(engine):
    counts = row_counts(engine)
    ambiguous = import_path(engine, DATA_DIR / "villages_0707.gpkg", ImportOptions())
    assert ambiguous.status == "rejected" and [p.rule for p in ambiguous.problems] == ["code_field_ambiguous"]
    assert row_counts(engine) == counts
    report = import_path(engine, DATA_DIR / "villages_0707.gpkg", ImportOptions(code_field="ban_id_2023"))
    assert report.status == "applied" and report.rows_replaced == 6
    with engine.connect() as conn:
        from data_access.schema import AdminUnit
        from sqlalchemy import select

        rows = conn.execute(select(AdminUnit.code, AdminUnit.geometry, AdminUnit.lon, AdminUnit.lat,
                                   AdminUnit.name_lo).where(AdminUnit.code.like("0707%"),
                                                            AdminUnit.level == "village")).all()
    for code, geometry, lon, lat, name_lo in rows:
        assert geometry.geom_type == "Polygon" and geometry.contains(shapely.Point(lon, lat))
        assert "(ຕົວຢ່າງ)" not in name_lo


def test_quality_problems_are_reported_and_stored_with_the_batch(engine):
    counts = row_counts(engine)
    checked = import_path(engine, DATA_DIR / "bad_villages.geojson", ImportOptions(dry_run=True))
    assert [(p.row, p.column, p.rule, p.value) for p in checked.problems] == [
        (3, "code", "village_outside_district", "0706007"),
        (4, "code", "village_outside_district", "0706008"),
        (5, "code", "unknown_district", "0799001"),
        (6, "code", "invalid_village_code", "07060X1"),
    ]
    assert checked.problems[0].params["found"] == "0707"
    assert "outside every district" in checked.problems[1].message("en")
    assert import_path(engine, DATA_DIR / "bad_villages.geojson", ImportOptions()).status == "rejected"
    assert row_counts(engine) == counts

    report = import_path(engine, DATA_DIR / "bad_villages.geojson", ImportOptions(accept_valid_rows=True))
    assert report.status == "applied" and report.rows_inserted == 2 and report.rows_replaced == 2
    with engine.connect() as conn:
        stored = json.loads(conn.execute(text("SELECT report_json FROM import_batch WHERE id = :b"),
                                         {"b": report.batch_id}).scalar_one())
    summary = stored["report"]["summary"]
    assert (summary["villages_outside_district"], summary["codes_unmatched"]) == (2, 1)
    assert [p["rule"] for p in stored["report"]["problems"]] == [
        "village_outside_district", "village_outside_district", "unknown_district", "invalid_village_code"]
    # The village whose point lies in 0707 still belongs to 0706, as its code says.
    assert villages(engine, "0706007")["0706007"]["district_code"] == "0706"


def test_village_rollback_restores_demo_villages_and_removes_added_ones(engine):
    before = villages(engine, "07")
    report = import_path(engine, DATA_DIR / "villages_utm48.zip", ImportOptions())
    with engine.begin() as conn:
        rollback_batch(conn, report.batch_id)
    assert villages(engine, "07") == before
    with engine.connect() as conn:
        assert batch_record(conn, report.batch_id)["status"] == "rolled_back"


def test_villages_that_data_now_refer_to_are_not_removed(engine):
    report = import_path(engine, DATA_DIR / "villages_utm48.zip", ImportOptions())
    content = b"indicator_code,admin_code,period,value\nSUWASH_LATRINES_BUILT,0705001,2023-05,2\n"
    from data_access.importers import import_bytes

    assert import_bytes(engine, content, "new_village.csv").status == "applied"
    with pytest.raises(RollbackRefused) as refused:
        with engine.begin() as conn:
            rollback_batch(conn, report.batch_id)
    assert refused.value.key == "villages_in_use" and refused.value.params["count"] == 1


def test_representative_points_keep_points_and_place_others_inside():
    series = gpd.GeoSeries([shapely.Point(1, 2), shapely.box(0, 0, 2, 2), None], crs="EPSG:4326")
    points = representative_points(series)
    assert points.iloc[0].equals(shapely.Point(1, 2))
    assert shapely.box(0, 0, 2, 2).contains(points.iloc[1])
    assert points.iloc[2] is None


@pytest.mark.parametrize("epsg, datum", [(3148, "Indian 1960 / UTM zone 48N"), (4678, "Lao 1997")])
def test_layers_on_lao_datums_are_reprojected_to_wgs84(tmp_path, epsg, datum):
    """Lao GIS units still deliver Indian 1960 and Lao 1997 layers: they must land where WGS 84 says."""
    xamneua = shapely.Point(104.0463, 20.4159)  # WGS 84
    source = gpd.GeoDataFrame({"code": ["0701001"], "name": ["Ban test"]}, geometry=[xamneua], crs="EPSG:4326")
    path = tmp_path / f"villages_{epsg}.gpkg"
    source.to_crs(epsg=epsg).to_file(path, driver="GPKG")
    assert gpd.read_file(path).crs.to_epsg() == epsg, datum
    frame, crs = read_layer(path)
    assert crs == f"EPSG:{epsg}" and frame.crs.to_epsg() == 4326
    # The datum shift of several hundred metres is undone: back within ~1 m of where we started.
    assert frame.geometry.iloc[0].distance(xamneua) < 1e-5
