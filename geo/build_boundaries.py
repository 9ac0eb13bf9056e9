"""Rebuild geo/data/*.geojson from the raw boundary sources and the reviewed crosswalks."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from geo.boundaries import clean_lao_name, is_plausible_lao_name

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "geo"
DEFAULT_OUT = REPO_ROOT / "geo" / "data"
DEFAULT_CROSSWALK = REPO_ROOT / "geo" / "crosswalk"

GEOBOUNDARIES_FILE = "raw/geoboundaries_LAO_ADM2_simplified.geojson"
HDX_ADM1_FILE = "raw/hdx_codab_LAO_ADM1.geojson"
HDX_ADM2_GLOB = "raw/hdx_codab_LAO_ADM2_*.geojson"
DISTRICT_CODES_FILE = "district_codes_lo.csv"
PROVINCE_CODES_FILE = "province_codes_lo.csv"

# Districts per province when geoBoundaries representative points are joined to the
# HDX provinces (SOURCE.md). A different count means a source file changed: stop.
EXPECTED_DISTRICTS_PER_PROVINCE = {
    "01": 9, "02": 7, "03": 5, "04": 7, "05": 5, "06": 12, "07": 10, "08": 11, "09": 7,
    "10": 11, "11": 7, "12": 10, "13": 15, "14": 8, "15": 4, "16": 10, "17": 5, "18": 5,
}

# Lao spellings where the HDX value is a code-point error rather than a spelling
# variant, so "prefer HDX" must not apply. Keyed by code: (HDX value, replacement).
# The HDX value is checked, so a corrected HDX release makes the build stop here.
# 1203 Nongbok: HDX writes ໝ (U+0EDD, HO MO, reads "Mong") for ໜ (U+0EDC, HO NO);
# the code table and every other ໜອງ- name use ໜ.
LAO_NAME_FIXES = {"1203": ("ໝອງບົກ", "ໜອງບົກ")}
# English names where the HDX value is not a reading of the Lao name, so "prefer HDX" must
# not apply either; checked the same way. The reason for every English name is in the
# crosswalk's reason column. 0708: ແອດ reads Et; HDX writes "Add".
ENGLISH_NAME_FIXES = {"0708": ("Add", "Et")}


def hdx_english_name(code: str, hdx_name: str) -> str:
    """The English name the project uses for an HDX district (ENGLISH_NAME_FIXES applied)."""
    name = _title_words(hdx_name)
    if code in ENGLISH_NAME_FIXES and name == ENGLISH_NAME_FIXES[code][0]:
        return ENGLISH_NAME_FIXES[code][1]
    return name

# Distance tolerance in degrees and output precision (decimals). 0.005 deg is ~500 m:
# invisible at national zoom and keeps all 148 districts ~190 kB; the detail file is
# for province-level zoom.
DISTRICT_TOLERANCE, DISTRICT_DECIMALS = 0.005, 4
DETAIL_TOLERANCE, DETAIL_DECIMALS = 0.001, 5
PROVINCE_DECIMALS = 5  # HDX ADM1 is already simplified upstream; only round it.

MAX_DISTRICTS_BYTES = 500_000
MAX_DETAIL_BYTES = 1_500_000

# Equal-area CRS for overlap areas (degrees^2 would over-weight the north slightly).
EQUAL_AREA_CRS = "EPSG:6933"


class BuildError(SystemExit):
    """Raised (exits non-zero) when the sources and the crosswalk do not agree."""

    def __init__(self, problem: str, details: list[str] | None = None) -> None:
        lines = [f"build_boundaries: {problem}"] + [f"  - {item}" for item in details or []]
        super().__init__("\n".join(lines))


@dataclass
class Sources:
    geoboundaries: gpd.GeoDataFrame
    hdx_adm1: gpd.GeoDataFrame
    hdx_adm2: gpd.GeoDataFrame
    district_codes: pd.DataFrame
    province_codes: pd.DataFrame


def read_sources(source: Path) -> Sources:
    """Read the raw files; codes become bare digits ("LA0701" -> "0701")."""
    if not source.is_dir():
        raise BuildError(f"source directory not found: {source}")
    gb = gpd.read_file(source / GEOBOUNDARIES_FILE)
    adm1 = gpd.read_file(source / HDX_ADM1_FILE)
    adm2_files = sorted(source.glob(HDX_ADM2_GLOB))
    if not adm2_files:
        raise BuildError(f"no HDX ADM2 files matching {HDX_ADM2_GLOB} in {source}")
    adm2 = pd.concat(
        [gpd.read_file(path)[["ADM2_EN", "ADM2_LO", "ADM2_PCODE", "ADM1_PCODE", "geometry"]]
         for path in adm2_files],
        ignore_index=True,
    )
    adm2 = gpd.GeoDataFrame(adm2, geometry="geometry", crs=adm1.crs)
    for frame in (gb, adm1, adm2):
        if frame.crs is None or frame.crs.to_epsg() != 4326:
            raise BuildError(f"expected EPSG:4326 sources, got {frame.crs}")
    adm1["code"] = adm1["ADM1_PCODE"].str.removeprefix("LA")
    adm2["code"] = adm2["ADM2_PCODE"].str.removeprefix("LA")
    districts = pd.read_csv(source / DISTRICT_CODES_FILE, dtype=str, encoding="utf-8")
    provinces = pd.read_csv(source / PROVINCE_CODES_FILE, dtype=str, encoding="utf-8")
    districts["code"] = districts["pcode"].str.removeprefix("LA")
    provinces["code"] = provinces["pcode"].str.removeprefix("LA")
    return Sources(gb, adm1, adm2, districts, provinces)


def read_crosswalk(path: Path, code_length: int) -> pd.DataFrame:
    """Read a reviewed crosswalk CSV as strings and check its codes are well formed."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    bad = [c for c in frame["code"] if len(c) != code_length or not c.isdigit()]
    if bad:
        raise BuildError(f"{path.name}: malformed codes", bad)
    duplicated = sorted(frame.loc[frame["code"].duplicated(), "code"])
    if duplicated:
        raise BuildError(f"{path.name}: code used more than once", duplicated)
    return frame


def _title_words(name: str) -> str:
    # HDX has "Boon neua", "Nhot ou", "Ta oi", "Lao ngarm": same names, lower-case
    # second word. Capitalise word starts only (str.title would break "Mok-May"-style).
    return " ".join(word[:1].upper() + word[1:] for word in name.split())


def build_provinces(src: Sources, crosswalk: pd.DataFrame) -> gpd.GeoDataFrame:
    """18 HDX ADM1 polygons with crosswalk English names and HDX Lao names."""
    adm1 = src.hdx_adm1
    if sorted(adm1["code"]) != [f"{i:02d}" for i in range(1, 19)]:
        raise BuildError("HDX ADM1 does not have exactly the provinces 01..18", sorted(adm1["code"]))
    problems: list[str] = []
    if set(crosswalk["code"]) != set(adm1["code"]):
        problems.append(f"provinces.csv codes {sorted(crosswalk['code'])} != HDX codes")
    table_lo = dict(zip(src.province_codes["code"], src.province_codes["name_lo"]))
    xw = crosswalk.set_index("code")
    rows = []
    for record in adm1.sort_values("code").itertuples():
        code = record.code
        name_lo = clean_lao_name(record.ADM1_LO)
        if not is_plausible_lao_name(name_lo):
            name_lo = clean_lao_name(table_lo.get(code, ""))
        if code not in xw.index:
            continue
        reviewed = xw.loc[code]
        alts = {a.strip().casefold() for a in reviewed["alt_names_en"].split(";")}
        # The crosswalk English name is the project's convention (DOMAIN.md); the HDX
        # spelling must at least be listed as an alternative so importers find it.
        if record.ADM1_EN.casefold() not in alts | {reviewed["name_en"].casefold()}:
            problems.append(f"{code}: HDX name {record.ADM1_EN!r} missing from provinces.csv")
        if reviewed["name_lo"] != name_lo:
            problems.append(f"{code}: provinces.csv name_lo {reviewed['name_lo']!r} != source {name_lo!r}")
        rows.append({"code": code, "name_en": reviewed["name_en"], "name_lo": name_lo,
                     "parent_code": "00", "geometry": record.geometry})
    if problems:
        raise BuildError("provinces do not agree with the crosswalk", problems)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def assign_provinces(gb: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame) -> pd.Series:
    """Province code of each geoBoundaries district, from its representative point."""
    points = gpd.GeoDataFrame(geometry=gb.geometry.representative_point(), crs=gb.crs)
    joined = gpd.sjoin(points, provinces[["code", "geometry"]], predicate="within", how="left")
    counts = joined.groupby(level=0)["code"].count()
    problems = [f"{gb.at[i, 'shapeName']}: representative point in {n} provinces"
                for i, n in counts.items() if n != 1]
    if problems:
        raise BuildError("cannot place every district in exactly one province", problems)
    province = joined["code"].astype(str)
    found = province.value_counts().to_dict()
    if found != EXPECTED_DISTRICTS_PER_PROVINCE:
        diff = [f"{code}: expected {n}, found {found.get(code, 0)}"
                for code, n in EXPECTED_DISTRICTS_PER_PROVINCE.items() if found.get(code, 0) != n]
        raise BuildError("districts per province differ from SOURCE.md", diff)
    return province


def match_districts(gb: gpd.GeoDataFrame, province: pd.Series,
                    crosswalk: pd.DataFrame) -> pd.Series:
    """Code of each geoBoundaries district via the crosswalk, joined on name + province.

    Fails if a district is missing from the crosswalk, if its only crosswalk rows are in
    another province, if two districts get one code, or if a crosswalk row is unused.
    """
    by_key = {(row.geoboundaries_shape_name, row.code[:2]): row.code
              for row in crosswalk.itertuples()}
    provinces_by_name: dict[str, list[str]] = {}
    for name, prov in by_key:
        provinces_by_name.setdefault(name, []).append(prov)
    codes = {}
    unmatched, wrong_province = [], []
    for idx, name in gb["shapeName"].items():
        prov = province[idx]
        code = by_key.get((name, prov))
        if code is not None:
            codes[idx] = code
        elif name in provinces_by_name:
            wrong_province.append(f"{name!r}: point in province {prov}, crosswalk has "
                                  f"{', '.join(sorted(provinces_by_name[name]))}")
        else:
            unmatched.append(f"{name!r} (province {prov})")
    if unmatched:
        raise BuildError("geoBoundaries districts not in geo/crosswalk/districts.csv", unmatched)
    if wrong_province:
        raise BuildError("crosswalk code's province prefix disagrees with the district's "
                         "location", wrong_province)
    result = pd.Series(codes, dtype=str)
    reused = result[result.duplicated(keep=False)]
    if not reused.empty:
        raise BuildError("crosswalk gives the same code to several districts",
                         [f"{code}: {', '.join(gb.loc[reused.index[reused == code], 'shapeName'])}"
                          for code in sorted(set(reused))])
    unused = sorted(set(crosswalk["code"]) - set(result))
    if unused:
        raise BuildError("crosswalk rows matched no geoBoundaries district", unused)
    return result


def check_against_hdx(gb: gpd.GeoDataFrame, codes: pd.Series, hdx: gpd.GeoDataFrame,
                      crosswalk: pd.DataFrame) -> dict[str, int]:
    """Cross-check codes and English names against the HDX district polygons.

    For each geoBoundaries district in a province that HDX covers, the HDX district
    with the largest overlap must carry the same code, and the crosswalk English name
    must equal HDX ADM2_EN up to letter case. Returns match statistics.
    """
    gb_area = gb.to_crs(EQUAL_AREA_CRS)
    hdx_area = hdx.to_crs(EQUAL_AREA_CRS)
    names = crosswalk.set_index("code")["name_en"]
    hdx_provinces = set(hdx["code"].str[:2])
    problems: list[str] = []
    stats = {"hdx_overlap_checked": 0, "hdx_name_exact": 0, "hdx_name_case_only": 0, "english_name_fixed": 0,
             "transliteration": 0}
    for idx, code in codes.items():
        if code[:2] not in hdx_provinces:
            stats["transliteration"] += 1
            continue
        candidates = hdx_area[hdx_area["code"].str[:2] == code[:2]]
        overlap = candidates.geometry.intersection(gb_area.geometry[idx]).area.to_numpy()
        best = candidates.iloc[int(np.argmax(overlap))]
        share = overlap.max() / gb_area.geometry[idx].area
        if best["code"] != code or share < 0.9:
            problems.append(f"{gb.at[idx, 'shapeName']!r}: crosswalk {code}, largest HDX "
                            f"overlap {best['code']} ({share:.0%})")
            continue
        stats["hdx_overlap_checked"] += 1
        shape_name, hdx_name = gb.at[idx, "shapeName"], best["ADM2_EN"]
        if names[code].casefold() != hdx_english_name(code, hdx_name).casefold():
            problems.append(f"{code}: crosswalk name_en {names[code]!r} != HDX {hdx_name!r}")
        elif code in ENGLISH_NAME_FIXES:
            stats["english_name_fixed"] += 1
        elif shape_name == hdx_name:
            stats["hdx_name_exact"] += 1
        elif shape_name.casefold() == hdx_name.casefold():
            stats["hdx_name_case_only"] += 1
    missing = sorted(set(hdx["code"]) - set(codes))
    if missing:
        problems.append(f"HDX districts with no geoBoundaries match: {', '.join(missing)}")
    if problems:
        raise BuildError("crosswalk disagrees with the HDX district polygons", problems)
    return stats


def district_names(codes: pd.Series, src: Sources, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """English and Lao names per code: HDX where it has the district, else code table.

    The crosswalk must carry exactly the names derived here, so every published name
    has been looked at by a person and a source change cannot slip through.
    """
    table = dict(zip(src.district_codes["code"], src.district_codes["name_lo"]))
    hdx = src.hdx_adm2.set_index("code")
    xw = crosswalk.set_index("code")
    problems: list[str] = []
    unknown = sorted(set(codes) - set(table))
    if unknown:
        problems.append(f"codes missing from {DISTRICT_CODES_FILE}: {', '.join(unknown)}")
    absent = sorted(set(table) - set(codes))
    if absent:
        problems.append(f"codes in {DISTRICT_CODES_FILE} without a boundary: {', '.join(absent)}")
    rows = []
    for code in sorted(codes):
        if code in hdx.index:
            name_en = _title_words(hdx.at[code, "ADM2_EN"])
            if code in ENGLISH_NAME_FIXES:
                wrong, right = ENGLISH_NAME_FIXES[code]
                if name_en != wrong:
                    problems.append(f"{code}: HDX English is now {name_en!r}; review ENGLISH_NAME_FIXES")
                name_en = right
            name_lo = clean_lao_name(hdx.at[code, "ADM2_LO"], strip_district_prefix=True)
            if code in LAO_NAME_FIXES:
                wrong, right = LAO_NAME_FIXES[code]
                if name_lo != wrong:
                    problems.append(f"{code}: HDX Lao is now {name_lo!r}; review LAO_NAME_FIXES")
                name_lo = right
        else:
            name_en = xw.at[code, "name_en"]
            name_lo = clean_lao_name(table.get(code, ""), strip_district_prefix=True)
        if not is_plausible_lao_name(name_lo):
            problems.append(f"{code}: no usable Lao name (got {name_lo!r})")
        if not str(xw.at[code, "reason"] if "reason" in xw.columns else "").strip():
            problems.append(f"{code}: the crosswalk gives no reason for the name {xw.at[code, 'name_en']!r}")
        if xw.at[code, "name_en"] != name_en:
            problems.append(f"{code}: crosswalk name_en {xw.at[code, 'name_en']!r} != {name_en!r}")
        if xw.at[code, "name_lo"] != name_lo:
            problems.append(f"{code}: crosswalk name_lo {xw.at[code, 'name_lo']!r} != {name_lo!r}")
        rows.append({"code": code, "name_en": name_en, "name_lo": name_lo, "parent_code": code[:2]})
    if problems:
        raise BuildError("district names do not agree with the crosswalk", problems)
    return pd.DataFrame(rows)


def simplify(geometries: gpd.GeoSeries, tolerance: float | None, decimals: int) -> gpd.GeoSeries:
    """Douglas-Peucker per polygon, then snap to the output grid keeping validity."""
    values = geometries.values
    if tolerance is not None:
        values = shapely.simplify(values, tolerance, preserve_topology=True)
    # set_precision (not plain rounding) so snapping cannot create self-intersections.
    values = shapely.set_precision(values, 10.0 ** -decimals)
    return gpd.GeoSeries(values, index=geometries.index, crs=geometries.crs)


def _round_coords(coords: Any, decimals: int) -> Any:
    if isinstance(coords, (float, int)):
        return round(float(coords), decimals)
    return [_round_coords(c, decimals) for c in coords]


def to_geojson_bytes(gdf: gpd.GeoDataFrame, decimals: int) -> bytes:
    """Compact UTF-8 FeatureCollection, features in code order, fixed property order."""
    features = []
    for row in gdf.sort_values("code").itertuples():
        geometry = mapping(row.geometry)
        features.append({
            "type": "Feature",
            "properties": {"code": row.code, "name_en": row.name_en,
                           "name_lo": row.name_lo, "parent_code": row.parent_code},
            "geometry": {"type": geometry["type"],
                         "coordinates": _round_coords(geometry["coordinates"], decimals)},
        })
    collection = {"type": "FeatureCollection", "features": features}
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def check_output(districts: gpd.GeoDataFrame, provinces: gpd.GeoDataFrame, label: str) -> None:
    """Geometry sanity on what will be written: valid, non-empty, inside its province."""
    problems = [f"{code}: invalid or empty geometry"
                for code, geom in zip(districts["code"], districts.geometry)
                if geom is None or geom.is_empty or not geom.is_valid]
    points = districts.geometry.representative_point()
    by_code = provinces.set_index("code").geometry
    for code, parent, point in zip(districts["code"], districts["parent_code"], points):
        if not by_code[parent].contains(point):
            problems.append(f"{code}: representative point not inside province {parent}")
    if problems:
        raise BuildError(f"{label}: output geometry check failed", problems)


def build(source: Path, out: Path, crosswalk_dir: Path) -> dict[str, Any]:
    """Run the whole build; returns a summary (sizes in bytes, match statistics)."""
    src = read_sources(source)
    province_xw = read_crosswalk(crosswalk_dir / "provinces.csv", 2)
    district_xw = read_crosswalk(crosswalk_dir / "districts.csv", 4)

    provinces = build_provinces(src, province_xw)
    gb = src.geoboundaries.reset_index(drop=True)
    if len(gb) != 148:
        raise BuildError(f"expected 148 geoBoundaries districts, found {len(gb)}")
    province = assign_provinces(gb, provinces)
    codes = match_districts(gb, province, district_xw)
    stats = check_against_hdx(gb, codes, src.hdx_adm2, district_xw)
    names = district_names(codes, src, district_xw)

    geometry = gpd.GeoSeries(gb.geometry.values, index=codes.reindex(gb.index).values, crs=gb.crs)
    base = gpd.GeoDataFrame(names, geometry=geometry.loc[names["code"]].values, crs="EPSG:4326")

    province_out = provinces.copy()
    province_out["geometry"] = simplify(provinces.geometry, None, PROVINCE_DECIMALS)
    if not (province_out.geometry.is_valid & ~province_out.geometry.is_empty).all():
        raise BuildError("province geometry invalid after rounding")
    outputs = {
        "provinces.geojson": (province_out, PROVINCE_DECIMALS, None),
        "districts.geojson": (base.assign(geometry=simplify(base.geometry, DISTRICT_TOLERANCE,
                                                            DISTRICT_DECIMALS)),
                              DISTRICT_DECIMALS, MAX_DISTRICTS_BYTES),
        "districts_detail.geojson": (base.assign(geometry=simplify(base.geometry, DETAIL_TOLERANCE,
                                                                   DETAIL_DECIMALS)),
                                     DETAIL_DECIMALS, MAX_DETAIL_BYTES),
    }
    payloads = {}
    for filename, (gdf, decimals, limit) in outputs.items():
        if filename.startswith("districts"):
            check_output(gdf, province_out, filename)
        payload = to_geojson_bytes(gdf, decimals)
        if limit is not None and len(payload) >= limit:
            raise BuildError(f"{filename} is {len(payload):,} bytes, limit {limit:,}")
        payloads[filename] = payload
    # Write only after every check passed, so a failed build leaves the old files intact.
    out.mkdir(parents=True, exist_ok=True)
    for filename, payload in payloads.items():
        (out / filename).write_bytes(payload)
    return {"sizes": {name: len(data) for name, data in payloads.items()},
            "provinces": len(province_out), "districts": len(base), **stats}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="folder with raw/ and the code tables (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder for the GeoJSON files (default: %(default)s)")
    parser.add_argument("--crosswalk", type=Path, default=DEFAULT_CROSSWALK,
                        help="folder with provinces.csv and districts.csv (default: %(default)s)")
    args = parser.parse_args(argv)
    summary = build(args.source.resolve(), args.out.resolve(), args.crosswalk.resolve())
    print(f"provinces: {summary['provinces']}, districts: {summary['districts']}")
    print(f"districts in HDX provinces checked by polygon overlap: {summary['hdx_overlap_checked']} "
          f"(English name identical: {summary['hdx_name_exact']}, differs only in case: "
          f"{summary['hdx_name_case_only']}, other spelling: "
          f"{summary['hdx_overlap_checked'] - summary['hdx_name_exact'] - summary['hdx_name_case_only']})")
    print(f"districts matched by reviewed transliteration only: {summary['transliteration']}")
    for name, size in summary["sizes"].items():
        print(f"{name}: {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
