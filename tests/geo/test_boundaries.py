"""Tests for the bundled boundary files and the geo.boundaries runtime loader."""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

import pytest
from shapely.geometry import Point

from geo import boundaries
from geo.boundaries import (
    DATA_DIR,
    CROSSWALK_DIR,
    alternative_names,
    boundaries_geojson,
    clean_lao_name,
    load_boundaries,
    representative_points,
    resolve_code,
)

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


@pytest.fixture(scope="module")
def provinces():
    return load_boundaries("province")


@pytest.fixture(scope="module")
def districts():
    return load_boundaries("district")


def test_counts_and_columns(provinces, districts):
    assert len(provinces) == 18
    assert len(districts) == 148
    for gdf in (provinces, districts):
        assert list(gdf.columns) == ["code", "name_en", "name_lo", "parent_code", "geometry"]


def test_crs_is_wgs84(provinces, districts):
    assert provinces.crs.to_epsg() == 4326
    assert districts.crs.to_epsg() == 4326


def test_codes_unique_and_well_formed(provinces, districts):
    assert provinces["code"].is_unique and districts["code"].is_unique
    assert list(provinces["code"]) == [f"{i:02d}" for i in range(1, 19)]
    assert districts["code"].str.fullmatch(r"\d{4}").all()
    assert (provinces["parent_code"] == "00").all()
    assert list(districts["code"]) == sorted(districts["code"])


def test_every_district_belongs_to_a_province(provinces, districts):
    assert set(districts["parent_code"]) == set(provinces["code"])
    assert (districts["code"].str[:2] == districts["parent_code"]).all()


def test_district_counts_per_province(districts):
    # Province 10 has no 1011/1012: codes are not always consecutive.
    counts = districts.groupby("parent_code").size().to_dict()
    assert counts["13"] == 15 and counts["06"] == 12 and counts["15"] == 4
    assert "1011" not in set(districts["code"]) and "1013" in set(districts["code"])


def test_district_representative_point_inside_its_province(provinces, districts):
    province_shapes = provinces.set_index("code").geometry
    points = districts.geometry.representative_point()
    outside = [code for code, parent, point in zip(districts["code"], districts["parent_code"], points)
               if not province_shapes[parent].contains(point)]
    assert outside == []


def test_geometries_valid_polygons(provinces, districts):
    for gdf in (provinces, districts):
        assert gdf.geometry.is_valid.all()
        assert not gdf.geometry.is_empty.any()
        assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
        minx, miny, maxx, maxy = gdf.total_bounds
        # Lao PDR lies within roughly 100-108 E, 13.9-22.5 N.
        assert 99.9 < minx < maxx < 107.8 and 13.8 < miny < maxy < 22.6


@pytest.mark.parametrize("level", ["province", "district"])
def test_lao_names_clean(level):
    gdf = load_boundaries(level)
    for name in gdf["name_lo"]:
        assert name.strip() == name and name
        assert unicodedata.normalize("NFC", name) == name
        assert not any(ch in ZERO_WIDTH for ch in name)
        assert "  " not in name and not name.startswith("ມ.")
        assert "\u0ecd\u0eb2" not in name  # SARA AM must be the single code point U+0EB3
        assert any("\u0e81" <= ch <= "\u0eae" or "\u0edc" <= ch <= "\u0edf" for ch in name)
        assert not any(ch.isdigit() for ch in name)
    assert gdf["name_en"].str.len().gt(0).all()


def test_file_sizes():
    assert (DATA_DIR / "districts.geojson").stat().st_size < 500_000
    assert (DATA_DIR / "districts_detail.geojson").stat().st_size < 1_500_000


def test_files_are_compact_utf8_with_exact_properties():
    for filename in ("provinces.geojson", "districts.geojson", "districts_detail.geojson"):
        raw = (DATA_DIR / filename).read_bytes()
        text = raw.decode("utf-8")
        assert "\\u0e" not in text.lower()  # Lao written as UTF-8, not escaped
        assert '", "' not in text  # compact separators
        data = json.loads(text)
        for feature in data["features"]:
            assert list(feature["properties"]) == ["code", "name_en", "name_lo", "parent_code"]
            assert "id" not in feature  # added at runtime; a string id would become a column


def test_spot_checks(provinces, districts):
    d = districts.set_index("code")
    p = provinces.set_index("code")
    assert (d.at["0701", "name_en"], d.at["0701", "name_lo"]) == ("Xamneua", "ຊຳເໜືອ")
    assert d.at["0701", "parent_code"] == "07" and p.at["07", "name_en"] == "Houaphan"
    assert (d.at["1502", "name_en"], d.at["1502", "name_lo"]) == ("Kaleum", "ກະລຶມ")
    assert (d.at["0708", "name_en"], d.at["0708", "name_lo"]) == ("Et", "ແອດ")  # HDX and geoBoundaries: "Add"
    assert d.at["0204", "name_lo"] == "ສ\u0eb3ພັນ"
    assert d.at["1203", "name_lo"] == "ໜອງບົກ"  # HO NO, not the HO MO found in HDX
    assert (d.at["0905", "name_en"], d.at["0903", "name_en"]) == ("Mok", "Nonghet")
    assert d.at["0601", "name_lo"] == "ນະຄອນຫຼວງພະບາງ"
    assert p.at["12", "name_lo"] == "ຄຳມ່ວນ" and p.at["01", "name_lo"] == "ນະຄອນຫຼວງວຽງຈັນ"


def test_same_district_name_in_two_provinces(districts):
    pairs = {"Xaysetha": {"0103", "1701"}, "Viengkham": {"0610", "1009"},
             "Phonthong": {"0612", "1606"}}
    for name, codes in pairs.items():
        assert set(districts.loc[districts["name_en"] == name, "code"]) == codes


def test_alternative_names_and_resolve():
    names = alternative_names("district")
    assert names["add"] == ["0708"] and names["et"] == ["0708"]
    assert names["nonghed"] == names["nonghet"] == ["0903"]
    assert names["mork"] == names["mok-may"] == ["0905"]
    assert names["phookood"] == names["phoukood"] == ["0906"]
    assert names["xaysetha"] == ["0103", "1701"]
    assert resolve_code("district", "Add", parent_code="07") == "0708"
    assert resolve_code("district", "Muang Et") == "0708"
    assert resolve_code("district", "mok may") == "0905"
    # the spellings the published names replaced still find their district
    for old, code in (("Add", "0708"), ("Mad", "1008"), ("Mayparkngum", "0109"), ("Mok-May", "0905"),
                      ("Paksxong", "1604"), ("Home", "1804"), ("Hinherb", "1010")):
        assert resolve_code("district", old) == code
    assert resolve_code("district", "ມ. ສໍາພັນ") == "0204"  # HDX prefix + split SARA AM
    assert resolve_code("district", "Xaysetha", parent_code="17") == "1701"
    with pytest.raises(ValueError, match="ambiguous"):
        resolve_code("district", "Viengkham")
    with pytest.raises(KeyError):
        resolve_code("district", "Atlantis")
    provinces = alternative_names("province")
    for spelling in ("xiengkhuang", "xiangkhoang", "xiengkhouang"):
        assert provinces[spelling] == ["09"]
    assert provinces["huaphanh"] == ["07"] and provinces["salavan"] == ["14"]
    assert provinces["sainyabuli"] == ["08"]
    assert resolve_code("province", "\u200bຫົວພັນ") == "07"


def test_alternative_names_returns_copies():
    first = alternative_names("district")
    first["add"].append("9999")
    first["zzz"] = ["0101"]
    again = alternative_names("district")
    assert again["add"] == ["0708"] and "zzz" not in again


def test_load_boundaries_returns_copies():
    gdf = load_boundaries("district")
    gdf.loc[0, "name_en"] = "changed"
    gdf["extra"] = 1
    fresh = load_boundaries("district")
    assert fresh.loc[0, "name_en"] != "changed" and "extra" not in fresh.columns


def test_boundaries_geojson_ids(districts):
    for detail in (False, True):
        collection = boundaries_geojson("district", detail=detail)
        assert collection["type"] == "FeatureCollection"
        ids = [feature["id"] for feature in collection["features"]]
        assert ids == list(districts["code"])
        assert all(f["properties"]["code"] == f["id"] for f in collection["features"])
    assert boundaries_geojson("province") is boundaries_geojson("province")  # cached
    assert len(boundaries_geojson("province")["features"]) == 18


def test_representative_points(districts):
    points = representative_points("district")
    assert list(points.columns) == ["code", "lon", "lat"]
    assert list(points["code"]) == list(districts["code"])
    assert points["lon"].between(100, 108).all() and points["lat"].between(13.9, 22.5).all()


def test_invalid_level():
    with pytest.raises(ValueError):
        load_boundaries("village")
    with pytest.raises(ValueError):
        boundaries_geojson("country")


def test_clean_lao_name():
    assert clean_lao_name("\u200b\u200bຄຳມ່ວນ") == "ຄຳມ່ວນ"
    assert clean_lao_name("ສ\u0ecd\u0eb2ພັນ") == "ສ\u0eb3ພັນ"
    assert clean_lao_name("ນ\u0ecd\u0ec9\u0eb2") == "ນ\u0ec9\u0eb3"  # tone mark typed in between
    assert clean_lao_name("ມ. ຊຳເໜືອ", strip_district_prefix=True) == "ຊຳເໜືອ"
    assert clean_lao_name("ມະຫາໄຊ", strip_district_prefix=True) == "ມະຫາໄຊ"
    assert clean_lao_name(" ນະຄອນ  ຫຼວງພະບາງ ") == "ນະຄອນຫຼວງພະບາງ"


def test_crosswalk_matches_published_names(districts, provinces):
    for filename, gdf, expected_rows in (("districts.csv", districts, 148),
                                         ("provinces.csv", provinces, 18)):
        with open(CROSSWALK_DIR / filename, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == expected_rows
        published = gdf.set_index("code")
        for row in rows:
            assert row["name_en"] == published.at[row["code"], "name_en"]
            assert row["name_lo"] == published.at[row["code"], "name_lo"]


def test_runtime_module_does_not_reference_shared():
    # The app ships geo/ without the raw sources; the loader must only use geo/data.
    source = open(boundaries.__file__, encoding="utf-8").read()
    assert '"shared"' not in source and "shared/" not in source
    assert DATA_DIR.parent == CROSSWALK_DIR.parent == Path(boundaries.__file__).parent


# Well-known towns (approximate coordinates, all well inside their district) as an
# independent check of the hand-reviewed crosswalk, mostly in provinces HDX lacks.
KNOWN_TOWNS = {
    "Wattay airport": (102.563, 17.988, "0102"),
    "Luang Prabang": (102.135, 19.885, "0601"),
    "Pak Ou caves": (102.22, 20.05, "0604"),
    "Nam Bak": (102.42, 20.63, "0605"),
    "Nong Khiaw": (102.61, 20.57, "0606"),
    "Luang Namtha": (101.41, 21.0, "0301"),
    "Muang Sing": (101.15, 21.18, "0302"),
    "Xayaboury": (101.71, 19.25, "0801"),
    "Hongsa": (101.32, 19.71, "0803"),
    "Kenthao": (101.4, 17.72, "0808"),
    "Phonsavan": (103.19, 19.45, "0901"),
    "Nong Het": (103.99, 19.48, "0903"),
    "Phonhong": (102.41, 18.49, "1001"),
    "Kasi": (102.25, 19.22, "1004"),
    "Vang Vieng": (102.448, 18.922, "1005"),
    "Paksan": (103.66, 18.39, "1101"),
    "Lak Sao": (104.97, 18.19, "1105"),
    "Pakse": (105.80, 15.12, "1601"),
    "Paksong": (106.23, 15.18, "1604"),
    "Champasak": (105.87, 14.88, "1607"),
    "Muang Khong": (105.85, 14.12, "1610"),
    "Tha Thom": (103.58, 18.95, "1802"),
    "Long Tieng": (102.62, 19.13, "1803"),
    "Xam Neua": (104.05, 20.415, "0701"),
    "Kaysone Phomvihane": (104.75, 16.55, "1301"),
    "Thakhek": (104.83, 17.40, "1201"),
    "Huay Xai": (100.42, 20.27, "0501"),
}


@pytest.mark.parametrize("town", sorted(KNOWN_TOWNS))
def test_known_towns_fall_in_their_district(districts, town):
    lon, lat, code = KNOWN_TOWNS[town]
    assert list(districts.loc[districts.contains(Point(lon, lat)), "code"]) == [code]


# English name, Lao name (code table / HDX) and why: each published name reads its Lao name.
@pytest.mark.parametrize("code, name_en, name_lo", [
    ("0708", "Et", "ແອດ"),
    ("1008", "Met", "ແມດ"),
    ("0109", "Parkngum", "ປາກງື່ມ"),
    ("0905", "Mok", "ໝອກ"),
    ("1604", "Paksong", "ປາກຊ່ອງ"),
    ("1804", "Hom", "ຮົ່ມ"),
    ("1010", "Hinheup", "ຫີນເຫີບ"),
])
def test_reviewed_transliterations(districts, code, name_en, name_lo):
    d = districts.set_index("code")
    assert (d.at[code, "name_en"], d.at[code, "name_lo"]) == (name_en, name_lo)


def test_every_crosswalk_name_has_a_reason_and_agrees_with_the_bundled_data(districts):
    import csv

    from geo.boundaries import CROSSWALK_DIR

    with open(CROSSWALK_DIR / "districts.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    published = districts.set_index("code")
    assert len(rows) == len(published) == 148
    for row in rows:
        assert row["reason"].strip(), row["code"]
        assert (row["name_en"], row["name_lo"]) == tuple(published.loc[row["code"], ["name_en", "name_lo"]])
