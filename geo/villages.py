"""Synthetic demo villages placed inside real district polygons, plus a location check."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

CRS = "EPSG:4326"
# Equal-area CRS so district areas (and so village counts) are comparable north-south.
EQUAL_AREA_CRS = "EPSG:6933"
MIN_VILLAGES_PER_DISTRICT = 15
MAX_VILLAGES_PER_DISTRICT = 999  # the village serial has three digits

# Parallel lists: index i of the Lao list is transliterated by index i of the English one.
FIRST_LO = ["ນາ", "ນ້ຳ", "ຫ້ວຍ", "ໂພນ", "ພູ", "ປາກ", "ດອນ", "ຫາດ", "ທ່າ", "ນອງ", "ຫີນ", "ໂຄກ"]
FIRST_EN = ["Na", "Nam", "Houay", "Phon", "Phou", "Pak", "Don", "Hat", "Tha", "Nong", "Hin", "Khok"]
SECOND_LO = ["ຄຳ", "ໃໝ່", "ສະຫວ່າງ", "ໄຊ", "ທອງ", "ແກ້ວ", "ເໜືອ", "ໃຕ້", "ຫຼວງ", "ນ້ອຍ", "ຍາວ", "ແສງ"]
SECOND_EN = ["kham", "mai", "savang", "xay", "thong", "keo", "neua", "tai", "luang", "noy", "nyao",
             "saeng"]
VILLAGE_LO, VILLAGE_EN = "ບ້ານ", "Ban "
# Marked in both languages so nobody mistakes a generated village for a real one.
DEMO_SUFFIX_LO, DEMO_SUFFIX_EN = " (ຕົວຢ່າງ)", " (demo)"
_NAME_COMBINATIONS = len(FIRST_LO) * len(SECOND_LO)

VILLAGE_COLUMNS = ["code", "name_en", "name_lo", "parent_code", "geometry"]


def _to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise ValueError("districts have no CRS; expected EPSG:4326")
    return gdf if gdf.crs.to_epsg() == 4326 else gdf.to_crs(CRS)


def demo_village_counts(districts: gpd.GeoDataFrame, total: int, seed: int) -> dict[str, int]:
    """Villages per district code: proportional to area with noise, each >= 15, summing to total.

    The noise (log-normal, sigma 0.35) keeps neighbouring districts of equal size from
    getting identical counts. The sum is exact, not just within 1%.
    """
    n = len(districts)
    if n == 0:
        return {}
    if not MIN_VILLAGES_PER_DISTRICT * n <= total <= MAX_VILLAGES_PER_DISTRICT * n:
        raise ValueError(f"total={total} cannot give {n} districts between "
                         f"{MIN_VILLAGES_PER_DISTRICT} and {MAX_VILLAGES_PER_DISTRICT} villages")
    ordered = districts.sort_values("code")
    area = ordered.to_crs(EQUAL_AREA_CRS).geometry.area.to_numpy()
    rng = np.random.default_rng(seed)
    weight = area * rng.lognormal(mean=0.0, sigma=0.35, size=n)
    # Everyone gets the minimum; the rest is shared by weight (largest-remainder rounding).
    spare = total - MIN_VILLAGES_PER_DISTRICT * n
    share = weight / weight.sum() * spare
    extra = np.floor(share).astype(int)
    remainder_order = np.argsort(-(share - extra), kind="stable")
    extra[remainder_order[: spare - extra.sum()]] += 1
    counts = MIN_VILLAGES_PER_DISTRICT + extra
    # Very large districts could exceed the 3-digit serial; move the excess to the others
    # (the feasibility check above guarantees room).
    while counts.max() > MAX_VILLAGES_PER_DISTRICT:
        excess = np.clip(counts - MAX_VILLAGES_PER_DISTRICT, 0, None)
        counts -= excess
        room = np.flatnonzero(counts < MAX_VILLAGES_PER_DISTRICT)
        receivers = room[np.argsort(-weight[room], kind="stable")]
        for i in range(excess.sum()):
            counts[receivers[i % len(receivers)]] += 1
    return dict(zip(ordered["code"].astype(str), counts.tolist()))


def _sample_points(polygon: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform points inside polygon by rejection sampling in its bounding box."""
    shapely.prepare(polygon)
    minx, miny, maxx, maxy = polygon.bounds
    fill = polygon.area / ((maxx - minx) * (maxy - miny))
    found: list[np.ndarray] = []
    have = 0
    while have < n:
        # Oversample by the expected acceptance rate so one or two rounds usually suffice.
        batch = max(64, int((n - have) / max(fill, 0.01) * 1.2))
        xs = rng.uniform(minx, maxx, batch)
        ys = rng.uniform(miny, maxy, batch)
        inside = shapely.contains_xy(polygon, xs, ys)
        found.append(np.column_stack([xs[inside], ys[inside]]))
        have += int(inside.sum())
    return np.concatenate(found)[:n]


def _demo_names(n: int, rng: np.random.Generator) -> tuple[list[str], list[str]]:
    # Use every syllable pair once before repeating; repeats get a number ("... 2"),
    # as real Lao villages sharing a name are told apart.
    picks = np.concatenate([rng.permutation(_NAME_COMBINATIONS)
                            for _ in range(-(-n // _NAME_COMBINATIONS))])[:n]
    names_en, names_lo = [], []
    for i, pick in enumerate(picks):
        first, second = divmod(int(pick), len(SECOND_LO))
        round_no = i // _NAME_COMBINATIONS
        number = f" {round_no + 1}" if round_no else ""
        names_en.append(f"{VILLAGE_EN}{FIRST_EN[first]}{SECOND_EN[second]}{number}{DEMO_SUFFIX_EN}")
        names_lo.append(f"{VILLAGE_LO}{FIRST_LO[first]}{SECOND_LO[second]}{number}{DEMO_SUFFIX_LO}")
    return names_en, names_lo


def generate_demo_villages(districts: gpd.GeoDataFrame, counts: dict[str, int],
                           seed: int) -> gpd.GeoDataFrame:
    """Demo village points (code, name_en, name_lo, parent_code, geometry) in EPSG:4326.

    Codes are the district code plus a serial "001".."999". Points are uniform inside
    the district polygon. The same districts, counts and seed give the same villages.
    """
    districts = _to_wgs84(districts)
    by_code = dict(zip(districts["code"].astype(str), districts.geometry))
    unknown = sorted(set(counts) - set(by_code))
    if unknown:
        raise ValueError(f"counts for unknown district codes: {', '.join(unknown)}")
    too_many = sorted(code for code, n in counts.items() if n > MAX_VILLAGES_PER_DISTRICT)
    if too_many:
        raise ValueError(f"more than {MAX_VILLAGES_PER_DISTRICT} villages for: {', '.join(too_many)}")
    rng = np.random.default_rng(seed)
    frames = []
    # Sorted so the result does not depend on dict or GeoDataFrame row order.
    for code in sorted(counts):
        n = int(counts[code])
        if n <= 0:
            continue
        xy = _sample_points(by_code[code], n, rng)
        names_en, names_lo = _demo_names(n, rng)
        frames.append(pd.DataFrame({
            "code": [f"{code}{serial:03d}" for serial in range(1, n + 1)],
            "name_en": names_en,
            "name_lo": names_lo,
            "parent_code": code,
            "x": xy[:, 0],
            "y": xy[:, 1],
        }))
    if not frames:
        return gpd.GeoDataFrame({c: pd.Series(dtype=str) for c in VILLAGE_COLUMNS[:-1]},
                                geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    table = pd.concat(frames, ignore_index=True)
    geometry = gpd.points_from_xy(table.pop("x"), table.pop("y"), crs=CRS)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=CRS)[VILLAGE_COLUMNS]


def check_villages_in_districts(villages: gpd.GeoDataFrame,
                                districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Villages whose point is not in the district named by their code's first 4 digits.

    Returns columns code, declared_district, found_district (None when the point lies
    in no district, e.g. outside the country). A point on a shared border counts as
    inside both districts, so border points are not reported.
    """
    columns = ["code", "declared_district", "found_district"]
    if villages.empty:
        return pd.DataFrame(columns=columns)
    districts = _to_wgs84(districts)
    if villages.crs is not None and villages.crs != districts.crs:
        villages = villages.to_crs(districts.crs)
    points = gpd.GeoDataFrame(
        {"code": villages["code"].astype(str).to_numpy(),
         "declared_district": villages["code"].astype(str).str[:4].to_numpy()},
        geometry=villages.geometry.to_numpy(), crs=districts.crs,
    )
    found = gpd.sjoin(points, districts[["code", "geometry"]].rename(columns={"code": "found"}),
                      how="left", predicate="intersects")
    found["found"] = found["found"].astype(object).where(found["found"].notna(), None)
    ok = (found["found"] == found["declared_district"]).groupby(level=0).any()
    bad = found.loc[found.index.isin(ok.index[~ok])]
    # A point can fall in two (overlapping) wrong districts; report the first one.
    bad = bad[~bad.index.duplicated(keep="first")]
    result = pd.DataFrame({"code": bad["code"], "declared_district": bad["declared_district"],
                           "found_district": bad["found"]})
    return result.sort_values("code").reset_index(drop=True)[columns]
