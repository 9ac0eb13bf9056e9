"""Boundary geometry per map zoom: shared-border simplification, outlines, hatching, GeoJSON."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from geo import served
from geo.boundaries import DATA_DIR, load_boundaries

Zoom = Literal["national", "province", "district"]
ZOOMS: tuple[str, ...] = ("national", "province", "district")

# Visvalingam-Whyatt tolerance (degrees) of the shared-border simplification per zoom,
# and the coordinate grid the result is snapped to. National: the whole country on one
# screen, ~1 km detail is invisible; province zoom (~zoom 7-8) keeps ~100 m; district
# zoom (villages) keeps everything the detail file has. (VW tolerances: about the
# square root of the smallest triangle area kept, so 0.004 deg ~ 400 m, under a pixel at zoom 8.)
TOLERANCE = {"national": 0.01, "province": 0.004, "district": 0.0}
GRID = {"national": 1e-4, "province": 1e-5, "district": 1e-5}
DECIMALS = {"national": 4, "province": 5, "district": 5}
# Gaps between neighbouring districts narrower than this (degrees, ~200 m) are slivers
# left by simplifying each district on its own in the source file, not real gaps.
SLIVER_WIDTH = 0.002
# Budget the national district layer must stay under (bytes of compact GeoJSON).
NATIONAL_DISTRICT_BUDGET = 500_000


def zoom_for(scope_code: str | None) -> str:
    """The zoom a map of the scope is drawn at: national, province (2 digits), district (4)."""
    if not scope_code or scope_code == "00":
        return "national"
    return "province" if len(scope_code) == 2 else "district"


def _check(level: str, zoom: str) -> None:
    if level not in ("province", "district"):
        raise ValueError(f"level must be 'province' or 'district', not {level!r}")
    if zoom not in ZOOMS:
        raise ValueError(f"zoom must be one of {', '.join(ZOOMS)}, not {zoom!r}")


@lru_cache(maxsize=1)
def _clean_district_coverage() -> gpd.GeoDataFrame:
    """The detailed districts as one clean polygonal coverage: shared edges identical, no slivers.

    The bundled detail file simplifies each district on its own, so neighbours do not share
    vertices; simplifying such polygons again opens white slivers between them. Cleaning
    the coverage first lets coverage_simplify move each shared border once, for both sides.
    """
    detail = pyogrio.read_dataframe(DATA_DIR / "districts_detail.geojson")
    detail = detail.set_crs("EPSG:4326", allow_override=True).sort_values("code").reset_index(drop=True)
    names = load_boundaries("district").set_index("code")
    geometry = shapely.coverage_clean(detail.geometry.values, gap_width=SLIVER_WIDTH)
    frame = gpd.GeoDataFrame(
        {"code": detail["code"].astype(str),
         "name_en": detail["code"].map(names["name_en"]),
         "name_lo": detail["code"].map(names["name_lo"]),
         "parent_code": detail["code"].str[:2]},
        geometry=shapely.make_valid(geometry), crs="EPSG:4326",
    )
    return frame


@lru_cache(maxsize=None)
def _layer(level: str, zoom: str) -> gpd.GeoDataFrame:
    districts = _clean_district_coverage()
    geometry = districts.geometry.values
    if TOLERANCE[zoom] > 0:
        geometry = shapely.coverage_simplify(geometry, TOLERANCE[zoom])
    geometry = shapely.set_precision(geometry, GRID[zoom])
    layer = districts.set_geometry(gpd.GeoSeries(geometry, crs="EPSG:4326"))
    if level == "district":
        return layer
    # Provinces are the union of their districts, so at every zoom a province border is
    # exactly the outer edge of its districts (no misfit between the two layers).
    provinces = load_boundaries("province").set_index("code")
    rows = []
    for code, group in layer.groupby("parent_code", sort=True):
        rows.append({"code": code, "name_en": provinces.at[code, "name_en"],
                     "name_lo": provinces.at[code, "name_lo"], "parent_code": "00",
                     "geometry": shapely.set_precision(shapely.coverage_union_all(group.geometry.values), GRID[zoom])})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def layer(level: str, zoom: str, within: str | None = None) -> gpd.GeoDataFrame:
    """Polygons of `level` simplified for `zoom` (code, name_en, name_lo, parent_code, geometry).

    `within` keeps only codes starting with that prefix (a province's districts).
    """
    _check(level, zoom)
    frame = _layer(level, zoom)
    if within:
        frame = frame[frame["code"].str.startswith(within)]
    return frame.copy()


def _round_coordinates(geometry, decimals: int):
    return shapely.transform(geometry, lambda xy: np.round(xy, decimals))


def _feature_collection(frame: gpd.GeoDataFrame, decimals: int, properties: tuple[str, ...]) -> dict:
    features = []
    for row, geometry in zip(frame.itertuples(index=False), frame.geometry.values):
        features.append({
            "type": "Feature", "id": row.code,
            "properties": {name: getattr(row, name) for name in properties},
            "geometry": shapely.geometry.mapping(_round_coordinates(geometry, decimals)),
        })
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=256)
def layer_geojson(level: str, zoom: str, within: str | None = None) -> dict[str, Any]:
    """FeatureCollection with ``id`` = code, for Choroplethmap traces and map layers.

    Cached and shared: treat the result as read-only. It is also served at its own URL
    (geo/served.py): figures carry `served.source_of(collection)`, the URL, not the features.
    """
    _check(level, zoom)
    collection = _feature_collection(layer(level, zoom, within), DECIMALS[zoom], ("code", "name_en", "name_lo"))
    return served.ServedCollection(collection, served.layer_name(level, zoom, within))


def geojson_size(collection: dict) -> int:
    """Bytes of the collection as compact JSON (what the browser receives before compression)."""
    return len(json.dumps(collection, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


_DERIVED: OrderedDict = OrderedDict()
_DERIVED_LOCK = threading.Lock()
_DERIVED_SIZE = 256


def _derived(kind: str, collection: dict, key, compute):
    """`compute()` remembered per collection object and key.

    The layers come from layer_geojson's cache, so a page asks again and again for the hatching
    and bounds of the same object with the same places: 0.2-3 s of shapely work each time at
    national scale. The entry holds the collection itself, so its id() cannot be reused by
    another object while the entry lives. Callers must not modify what is returned.
    """
    entry_key = (kind, id(collection), key)
    with _DERIVED_LOCK:
        entry = _DERIVED.get(entry_key)
        if entry is not None and entry[0] is collection:
            _DERIVED.move_to_end(entry_key)
            return entry[1]
    value = compute()
    with _DERIVED_LOCK:
        _DERIVED[entry_key] = (collection, value)
        while len(_DERIVED) > _DERIVED_SIZE:
            _DERIVED.popitem(last=False)
    return value


def bounds(collection: dict, codes=None) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) of the features (only `codes` if given), or None."""
    key = None if codes is None else tuple(sorted(set(codes)))
    return _derived("bounds", collection, key, lambda: _bounds(collection, codes))


def _bounds(collection: dict, codes=None) -> tuple[float, float, float, float] | None:
    wanted = None if codes is None else set(codes)
    boxes = [shapely.bounds(shapely.geometry.shape(feature["geometry"]))
             for feature in collection["features"] if wanted is None or feature["id"] in wanted]
    if not boxes:
        return None
    stacked = np.vstack(boxes)
    return (float(stacked[:, 0].min()), float(stacked[:, 1].min()),
            float(stacked[:, 2].max()), float(stacked[:, 3].max()))


def hatch_geojson(collection: dict, codes, spacing: float) -> dict:
    """Diagonal lines `spacing` degrees apart clipped to the features with these codes.

    MapLibre fills cannot be patterned through plotly, so "no data" areas get these lines
    drawn over their grey fill, which reads as hatching in print and for colour-blind readers.
    """
    # Six significant digits: the spacing travels in the served URL and must rebuild the same lines.
    spacing = float(f"{float(spacing):.6g}")
    key = (tuple(sorted(set(codes))), spacing)
    hatching = _derived("hatch", collection, key, lambda: _hatch_geojson(collection, codes, spacing))
    name = getattr(collection, "name", None)
    if name and name.startswith("layer-") and key[0] and len(key[0]) <= served.MAX_CODES:
        return served.ServedCollection(hatching, f"hatch-{name}", served.hatch_query(key[0], spacing))
    return hatching


def _hatch_geojson(collection: dict, codes, spacing: float) -> dict:
    wanted = set(codes)
    shapes = [shapely.geometry.shape(feature["geometry"])
              for feature in collection["features"] if feature["id"] in wanted]
    if not shapes or spacing <= 0:
        return {"type": "FeatureCollection", "features": []}
    # Hatching does not need border detail finer than a quarter of its spacing.
    shapes = shapely.simplify(np.array(shapes, dtype=object), spacing / 4)
    parts = []
    for shape in shapes:
        min_x, min_y, max_x, max_y = shape.bounds
        # Lines y = x + c, on one global grid of c so that neighbouring areas' hatching lines up.
        offsets = np.arange(np.floor((min_y - max_x) / spacing), np.ceil((max_y - min_x) / spacing) + 1) * spacing
        if offsets.size == 0:
            continue
        lines = shapely.linestrings(np.stack([
            np.stack([np.full_like(offsets, min_x), min_x + offsets], axis=-1),
            np.stack([np.full_like(offsets, max_x), max_x + offsets], axis=-1)], axis=1))
        shapely.prepare(shape)
        clipped = shapely.intersection(lines, shape)
        parts.extend(part for geometry in clipped[~shapely.is_empty(clipped)]
                     for part in shapely.get_parts(geometry) if shapely.get_type_id(part) == 1)
    if not parts:
        return {"type": "FeatureCollection", "features": []}
    merged = _round_coordinates(shapely.multilinestrings(parts), 4)
    return {"type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(merged)}]}


# Village areas at district zoom: ~10 m of detail is below a pixel there.
VILLAGE_TOLERANCE = 0.0001


def shapes_geojson(shapes: list[tuple[str, Any]]) -> dict:
    """FeatureCollection (id = code) of village areas [(code, polygon)], simplified for district zoom.

    Villages need not tile their district (forest and fields lie between them), so each is
    simplified on its own rather than as a coverage.
    """
    features = []
    for code, geometry in shapes:
        simplified = shapely.simplify(geometry, VILLAGE_TOLERANCE, preserve_topology=True)
        features.append({"type": "Feature", "id": code, "properties": {"code": code},
                         "geometry": shapely.geometry.mapping(_round_coordinates(simplified, DECIMALS["district"]))})
    return {"type": "FeatureCollection", "features": features}


def points_geojson(frame, properties: list[str]) -> dict:
    """Point features from a frame with code, lon, lat; rows without coordinates get a null geometry."""
    features = []
    for record in frame.to_dict("records"):
        lon, lat = record.get("lon"), record.get("lat")
        has_point = lon is not None and lat is not None and not (np.isnan(lon) or np.isnan(lat))
        features.append({
            "type": "Feature", "id": record["code"],
            "properties": {name: _json_value(record.get(name)) for name in properties},
            "geometry": {"type": "Point", "coordinates": [round(float(lon), 6), round(float(lat), 6)]}
            if has_point else None,
        })
    return {"type": "FeatureCollection", "features": features}


def polygons_geojson(level: str, frame, properties: list[str]) -> dict:
    """The detailed polygons of the frame's codes, with the frame's columns as properties."""
    shapes = layer(level, "district").set_index("code").geometry
    features = []
    for record in frame.to_dict("records"):
        geometry = shapes.get(record["code"])
        features.append({
            "type": "Feature", "id": record["code"],
            "properties": {name: _json_value(record.get(name)) for name in properties},
            "geometry": shapely.geometry.mapping(_round_coordinates(geometry, 5)) if geometry is not None else None,
        })
    return {"type": "FeatureCollection", "features": features}


def _json_value(value):
    """Plain JSON types: NaN becomes null, numpy scalars become Python numbers."""
    if value is None:
        return None
    if isinstance(value, (np.floating, float)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def clear_caches() -> None:
    """Forget derived geometry (after geo/data was rebuilt in a running process)."""
    for cached in (_clean_district_coverage, _layer, layer_geojson):
        cached.cache_clear()
    served.clear_caches()
