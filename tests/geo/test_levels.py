"""Per-zoom geometry: size budget, shared borders without slivers, outlines, hatching, GeoJSON."""
import math

import numpy as np
import pandas as pd
import pytest
import shapely

from geo import levels
from geo.boundaries import load_boundaries

EQUAL_AREA = "EPSG:6933"


def test_national_district_layer_is_under_the_budget():
    collection = levels.layer_geojson("district", "national")
    assert len(collection["features"]) == 148
    assert levels.geojson_size(collection) < levels.NATIONAL_DISTRICT_BUDGET


@pytest.mark.parametrize("zoom", levels.ZOOMS)
def test_every_zoom_is_a_clean_coverage_of_valid_polygons(zoom):
    districts = levels.layer("district", zoom)
    assert sorted(districts["code"]) == sorted(load_boundaries("district")["code"])
    assert districts.geometry.is_valid.all()
    assert not districts.geometry.is_empty.any()
    # Shared borders identical on both sides: no slivers, no overlaps between neighbours.
    assert shapely.coverage_is_valid(districts.geometry.values)


def test_coarser_zooms_have_fewer_vertices_and_smaller_files():
    vertices = [shapely.get_num_coordinates(levels.layer("district", zoom).geometry.values).sum()
                for zoom in levels.ZOOMS]
    sizes = [levels.geojson_size(levels.layer_geojson("district", zoom)) for zoom in levels.ZOOMS]
    assert vertices[0] < vertices[1] <= vertices[2]
    assert sizes[0] < sizes[1] <= sizes[2]


def test_simplification_keeps_district_areas():
    detail = levels.layer("district", "district").to_crs(EQUAL_AREA).set_index("code").area
    national = levels.layer("district", "national").to_crs(EQUAL_AREA).set_index("code").area
    change = (national / detail - 1).abs()
    assert change.median() < 0.01
    # The smallest urban districts of Vientiane change most, still by less than a sixth.
    assert change.max() < 0.15


def test_province_zoom_layer_of_one_province_is_small():
    for province in load_boundaries("province")["code"]:
        collection = levels.layer_geojson("district", "province", province)
        assert collection["features"], province
        assert all(feature["id"].startswith(province) for feature in collection["features"])
        assert levels.geojson_size(collection) < 100_000, province


@pytest.mark.parametrize("zoom", levels.ZOOMS)
def test_provinces_are_the_union_of_their_districts(zoom):
    provinces = levels.layer("province", zoom).to_crs(EQUAL_AREA).set_index("code")
    districts = levels.layer("district", zoom).to_crs(EQUAL_AREA)
    summed = districts.groupby(districts["code"].str[:2]).apply(lambda group: group.area.sum())
    assert list(provinces.index) == [f"{i:02d}" for i in range(1, 19)]
    assert np.allclose(provinces.area.sort_index(), summed.sort_index(), rtol=1e-6)
    assert set(provinces["parent_code"]) == {"00"}


def test_geojson_features_carry_code_as_id_and_both_names():
    collection = levels.layer_geojson("province", "national")
    feature = next(f for f in collection["features"] if f["id"] == "07")
    assert feature["properties"] == {"code": "07", "name_en": "Houaphan", "name_lo": "ຫົວພັນ"}
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_national_coordinates_are_rounded_to_four_decimals():
    collection = levels.layer_geojson("district", "national")
    ring = np.asarray(shapely.geometry.shape(collection["features"][0]["geometry"]).exterior.coords)
    assert np.allclose(ring, np.round(ring, 4), atol=1e-12)


def test_zoom_for_scope():
    assert [levels.zoom_for(scope) for scope in (None, "00", "07", "0703")] == [
        "national", "national", "province", "district"]


def test_unknown_level_or_zoom_is_refused():
    with pytest.raises(ValueError):
        levels.layer("village", "national")
    with pytest.raises(ValueError):
        levels.layer("district", "street")


def _square(code, x0, y0, size=1.0):
    return {"type": "Feature", "id": code, "properties": {"code": code},
            "geometry": shapely.geometry.mapping(shapely.box(x0, y0, x0 + size, y0 + size))}


SQUARES = {"type": "FeatureCollection", "features": [_square("A", 0, 0), _square("B", 2, 0)]}


def test_hatching_covers_only_the_chosen_places():
    hatch = levels.hatch_geojson(SQUARES, ["A"], spacing=0.1)
    lines = shapely.geometry.shape(hatch["features"][0]["geometry"])
    assert shapely.box(-1e-9, -1e-9, 1 + 1e-9, 1 + 1e-9).contains(lines)
    # Diagonals 0.1 apart across a unit square: about 2 / 0.1 lines.
    assert 17 <= len(lines.geoms) <= 21
    slopes = {round((line.coords[-1][1] - line.coords[0][1]) / (line.coords[-1][0] - line.coords[0][0]), 6)
              for line in lines.geoms}
    assert slopes == {1.0}


def test_no_hatching_without_places():
    assert levels.hatch_geojson(SQUARES, [], spacing=0.1)["features"] == []


def test_bounds_of_chosen_features():
    assert levels.bounds(SQUARES, ["B"]) == (2.0, 0.0, 3.0, 1.0)
    assert levels.bounds(SQUARES) == (0.0, 0.0, 3.0, 1.0)
    assert levels.bounds(SQUARES, ["Z"]) is None


def test_points_geojson_keeps_missing_as_null():
    frame = pd.DataFrame({"code": ["0703001", "0703002"], "lon": [103.1, math.nan], "lat": [20.1, math.nan],
                          "value": [np.float64(12.5), math.nan], "n_projects": [np.int64(3), np.int64(0)]})
    collection = levels.points_geojson(frame, ["code", "value", "n_projects"])
    first, second = collection["features"]
    assert first["geometry"] == {"type": "Point", "coordinates": [103.1, 20.1]}
    assert first["properties"] == {"code": "0703001", "value": 12.5, "n_projects": 3}
    assert second["geometry"] is None
    assert second["properties"]["value"] is None
    assert second["properties"]["n_projects"] == 0


def test_polygons_geojson_uses_detailed_geometry_and_frame_properties():
    frame = pd.DataFrame({"code": ["0703", "0704"], "value": [81.5, math.nan]})
    collection = levels.polygons_geojson("district", frame, ["code", "value"])
    assert [feature["id"] for feature in collection["features"]] == ["0703", "0704"]
    assert collection["features"][1]["properties"] == {"code": "0704", "value": None}
    detail = levels.layer("district", "district").set_index("code").geometry["0703"]
    shape = shapely.geometry.shape(collection["features"][0]["geometry"])
    assert shapely.get_num_coordinates(shape) == shapely.get_num_coordinates(detail)


def test_village_areas_become_features_simplified_for_district_zoom():
    circle = shapely.Point(103.5, 20.2).buffer(0.01, quad_segs=64)
    collection = levels.shapes_geojson([("0703001", circle)])
    feature = collection["features"][0]
    assert feature["id"] == "0703001" and feature["properties"] == {"code": "0703001"}
    shape = shapely.geometry.shape(feature["geometry"])
    assert shape.is_valid
    assert shapely.get_num_coordinates(shape) < shapely.get_num_coordinates(circle)
    assert shape.area == pytest.approx(circle.area, rel=0.02)
