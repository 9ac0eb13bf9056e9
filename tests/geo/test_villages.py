"""Tests for the synthetic demo villages and the village-in-district check."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from geo.boundaries import load_boundaries
from geo.villages import (
    MIN_VILLAGES_PER_DISTRICT,
    check_villages_in_districts,
    demo_village_counts,
    generate_demo_villages,
)

# Small urban district, long thin one, big mountainous ones, and two districts that
# share a name with a district in another province.
SAMPLE_CODES = ["0101", "0103", "1701", "0708", "0905", "1502", "1301", "1610"]


@pytest.fixture(scope="module")
def districts():
    return load_boundaries("district")


@pytest.fixture(scope="module")
def sample(districts):
    return districts[districts["code"].isin(SAMPLE_CODES)].reset_index(drop=True)


@pytest.fixture(scope="module")
def sample_counts():
    return {"0101": 20, "0103": 35, "1701": 60, "0708": 150, "0905": 40, "1502": 25,
            "1301": 55, "1610": 30}


@pytest.fixture(scope="module")
def villages(sample, sample_counts):
    return generate_demo_villages(sample, sample_counts, seed=11)


def test_village_columns_and_crs(villages):
    assert list(villages.columns) == ["code", "name_en", "name_lo", "parent_code", "geometry"]
    assert villages.crs.to_epsg() == 4326
    assert set(villages.geom_type) == {"Point"}


def test_villages_inside_their_district(villages, sample):
    shapes = sample.set_index("code").geometry
    for parent, group in villages.groupby("parent_code"):
        xs, ys = group.geometry.x.to_numpy(), group.geometry.y.to_numpy()
        assert shapely.contains_xy(shapes[parent], xs, ys).all(), parent


def test_village_codes(villages, sample_counts):
    assert villages["code"].str.fullmatch(r"\d{7}").all()
    assert villages["code"].is_unique
    assert (villages["code"].str[:4] == villages["parent_code"]).all()
    assert villages.groupby("parent_code").size().to_dict() == sample_counts
    first = villages[villages["parent_code"] == "0708"]["code"]
    assert first.iloc[0] == "0708001" and first.iloc[-1] == "0708150"


def test_village_names_are_marked_as_demo(villages):
    assert villages["name_en"].str.match(r"^Ban [A-Z][a-z]+ ?\d* \(demo\)$").all()
    assert villages["name_lo"].str.startswith("ບ້ານ").all()
    assert villages["name_lo"].str.endswith(" (ຕົວຢ່າງ)").all()
    # 150 villages > 144 syllable pairs: names still unique within the district.
    houaphan_et = villages[villages["parent_code"] == "0708"]
    assert houaphan_et["name_en"].is_unique and houaphan_et["name_lo"].is_unique


def test_deterministic_for_a_seed(sample, sample_counts, villages):
    again = generate_demo_villages(sample, sample_counts, seed=11)
    assert again[["code", "name_en", "name_lo", "parent_code"]].equals(
        villages[["code", "name_en", "name_lo", "parent_code"]])
    assert again.geometry.geom_equals_exact(villages.geometry, tolerance=0).all()
    # Row order of the input does not matter either.
    shuffled = generate_demo_villages(sample.iloc[::-1], dict(reversed(sample_counts.items())), 11)
    assert shuffled.geometry.geom_equals_exact(villages.geometry, tolerance=0).all()
    other = generate_demo_villages(sample, sample_counts, seed=12)
    assert not other.geometry.geom_equals_exact(villages.geometry, tolerance=0).all()


def test_unknown_or_oversized_counts_rejected(sample):
    with pytest.raises(ValueError, match="unknown"):
        generate_demo_villages(sample, {"9999": 3}, seed=1)
    with pytest.raises(ValueError, match="999"):
        generate_demo_villages(sample, {"0101": 1000}, seed=1)


def test_demo_counts_sum_to_total(districts):
    counts = demo_village_counts(districts, total=8500, seed=3)
    assert set(counts) == set(districts["code"])
    assert abs(sum(counts.values()) - 8500) <= 85
    assert min(counts.values()) >= MIN_VILLAGES_PER_DISTRICT
    assert max(counts.values()) <= 999
    assert counts == demo_village_counts(districts, total=8500, seed=3)


def test_demo_counts_follow_area(districts):
    counts = demo_village_counts(districts, total=8500, seed=3)
    # Kaleum (~3,300 km2) must get far more villages than Chanthabuly (~30 km2 urban).
    assert counts["1502"] > 3 * counts["0101"]
    with pytest.raises(ValueError):
        demo_village_counts(districts, total=100, seed=3)


def test_demo_counts_respect_three_digit_serial(districts):
    # One huge and two tiny districts: the big one is capped at 999 and the rest moves.
    trio = districts[districts["code"].isin(["0101", "0104", "1502"])]
    counts = demo_village_counts(trio, total=2500, seed=1)
    assert sum(counts.values()) == 2500
    assert counts["1502"] == 999 and min(counts.values()) >= MIN_VILLAGES_PER_DISTRICT


def test_generate_national_demo(districts):
    counts = demo_village_counts(districts, total=8500, seed=5)
    villages = generate_demo_villages(districts, counts, seed=5)
    assert abs(len(villages) - 8500) <= 85
    assert villages["code"].is_unique
    assert check_villages_in_districts(villages, districts).empty


def test_check_finds_moved_villages(villages, sample):
    moved = villages.copy()
    # 0101001 moved into Kaleum (1502), 0103001 moved out of the country.
    kaleum_point = villages.loc[villages["parent_code"] == "1502", "geometry"].iloc[0]
    moved.loc[moved["code"] == "0101001", "geometry"] = kaleum_point
    moved.loc[moved["code"] == "0103001", "geometry"] = Point(0.0, 0.0)
    report = check_villages_in_districts(moved, sample)
    assert list(report.columns) == ["code", "declared_district", "found_district"]
    assert report.to_dict("records") == [
        {"code": "0101001", "declared_district": "0101", "found_district": "1502"},
        {"code": "0103001", "declared_district": "0103", "found_district": None},
    ]


def test_check_accepts_points_on_the_border(sample):
    district = sample.set_index("code").geometry["0101"]
    corner = Point(district.exterior.coords[0])
    on_border = gpd.GeoDataFrame({"code": ["0101001"]}, geometry=[corner], crs="EPSG:4326")
    assert check_villages_in_districts(on_border, sample).empty


def test_check_empty_input(sample):
    empty = gpd.GeoDataFrame({"code": []}, geometry=[], crs="EPSG:4326")
    report = check_villages_in_districts(empty, sample)
    assert report.empty and list(report.columns) == ["code", "declared_district", "found_district"]
