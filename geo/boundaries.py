"""Runtime loader for the bundled province and district boundaries in geo/data."""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import pyogrio

Level = Literal["province", "district"]

GEO_DIR = Path(__file__).resolve().parent
DATA_DIR = GEO_DIR / "data"
CROSSWALK_DIR = GEO_DIR / "crosswalk"

COLUMNS = ["code", "name_en", "name_lo", "parent_code", "geometry"]
CRS = "EPSG:4326"
CODE_LENGTH = {"province": 2, "district": 4}

_FILES = {"province": "provinces.geojson", "district": "districts.geojson"}
# Provinces are small enough to serve one geometry for every zoom; only districts have a
# separately simplified detail file.
_DETAIL_FILES = {"province": "provinces.geojson", "district": "districts_detail.geojson"}
_CROSSWALKS = {"province": "provinces.csv", "district": "districts.csv"}

# Characters that are invisible in Lao text but break equality and joins. U+200B is
# what the code tables actually contain; the others are its usual companions.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# SARA AM written as NIGGAHITA + SARA AA (optionally with a tone mark in between, as
# typed on some keyboards). NFC does not merge these, so do it explicitly.
_SPLIT_SARA_AM = re.compile("\u0ecd([\u0ec8-\u0ecb]?)\u0eb2")
# "ມ. " is the abbreviation of ເມືອງ (district) that HDX puts in front of ADM2_LO.
_DISTRICT_PREFIX = re.compile(r"^\s*ມ\.\s*")
# Lao does not separate words with spaces; a space between two Lao characters inside
# an administrative name is a typing artefact (e.g. "ນະຄອນ ຫຼວງພະບາງ").
_SPACE_BETWEEN_LAO = re.compile(r"(?<=[\u0e80-\u0eff])\s+(?=[\u0e80-\u0eff])")
_LAO_LETTER = re.compile(r"[\u0e81-\u0eae\u0edc-\u0edf]")
# Words importers put around a name that are not part of it ("Muang Xay", "Xay district").
_NAME_NOISE = re.compile(
    r"^(?:muang|meuang|mueang|khoueng|khoeng|ເມືອງ|ແຂວງ|ມ\.)\s*|\s*(?:district|province)$"
)
_NON_ALNUM = re.compile(r"[\W_]+")


def clean_lao_name(name: str, *, strip_district_prefix: bool = False) -> str:
    """Return a Lao name in NFC with invisible characters and stray spaces removed."""
    text = unicodedata.normalize("NFC", name).translate(_INVISIBLE)
    text = _SPLIT_SARA_AM.sub("\\1\u0eb3", text)
    if strip_district_prefix:
        text = _DISTRICT_PREFIX.sub("", text)
    text = " ".join(text.split())
    return _SPACE_BETWEEN_LAO.sub("", text)


def is_plausible_lao_name(name: str) -> bool:
    """True if the text has Lao letters and no digits (rejects e.g. the "7386" typo)."""
    return bool(_LAO_LETTER.search(name)) and not any(ch.isdigit() for ch in name)


def name_key(name: str) -> str:
    """Lookup key for a place name: Lao-cleaned, case-folded, whitespace collapsed."""
    return " ".join(clean_lao_name(name).casefold().split())


def _check_level(level: str) -> None:
    if level not in _FILES:
        raise ValueError(f"level must be 'province' or 'district', not {level!r}")


@lru_cache(maxsize=None)
def _read_boundaries(level: str) -> gpd.GeoDataFrame:
    _check_level(level)
    gdf = pyogrio.read_dataframe(DATA_DIR / _FILES[level])
    # GeoJSON is WGS 84 by definition (RFC 7946); state it so callers never get None.
    gdf = gdf.set_crs(CRS, allow_override=True)
    for column in ("code", "name_en", "name_lo", "parent_code"):
        gdf[column] = gdf[column].astype(str)
    return gdf[COLUMNS].sort_values("code").reset_index(drop=True)


def load_boundaries(level: str) -> gpd.GeoDataFrame:
    """Province or district polygons (code, name_en, name_lo, parent_code, geometry), EPSG:4326.

    The file is read once per process; every call returns an independent copy so callers
    may add columns or reproject without affecting each other.
    """
    return _read_boundaries(level).copy()


@lru_cache(maxsize=None)
def boundaries_geojson(level: str, detail: bool = False) -> dict[str, Any]:
    """FeatureCollection dict with ``id`` = code on every feature, for Plotly choropleths.

    Cached and shared between callers so a map render does not pay for parsing or
    deep-copying the file: treat the returned dict as read-only (``copy.deepcopy`` it
    before changing anything).
    ``detail=True`` returns the less simplified district file for province-zoom views.
    """
    _check_level(level)
    files = _DETAIL_FILES if detail else _FILES
    with open(DATA_DIR / files[level], encoding="utf-8") as fh:
        collection = json.load(fh)
    for feature in collection["features"]:
        feature["id"] = feature["properties"]["code"]
    return collection


@lru_cache(maxsize=None)
def _representative_points(level: str) -> pd.DataFrame:
    gdf = _read_boundaries(level)
    points = gdf.geometry.representative_point()
    return pd.DataFrame({"code": gdf["code"], "lon": points.x, "lat": points.y})


def representative_points(level: str) -> pd.DataFrame:
    """One point guaranteed inside each polygon (code, lon, lat), e.g. for map labels."""
    return _representative_points(level).copy()


def _split_alt_names(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


@lru_cache(maxsize=None)
def _alternative_names(level: str) -> dict[str, tuple[str, ...]]:
    _check_level(level)
    candidates: dict[str, set[str]] = {}

    def add(name: str, code: str) -> None:
        key = name_key(name)
        if key:
            candidates.setdefault(key, set()).add(code)

    with open(CROSSWALK_DIR / _CROSSWALKS[level], encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code = row["code"]
            for name in [row["name_en"], row["name_lo"], row.get("geoboundaries_shape_name", "")]:
                if name:
                    add(name, code)
            for alt in _split_alt_names(row["alt_names_en"]):
                add(alt, code)
    # The published names win over the crosswalk if the two ever drift apart.
    gdf = _read_boundaries(level)
    for code, name_en, name_lo in gdf[["code", "name_en", "name_lo"]].itertuples(index=False):
        add(name_en, code)
        add(name_lo, code)
    return {key: tuple(sorted(codes)) for key, codes in sorted(candidates.items())}


def alternative_names(level: str) -> dict[str, list[str]]:
    """Map every known spelling (``name_key``: lower-cased, Lao-cleaned) to its codes.

    Values are lists because some district names exist in two provinces (Xaysetha in
    Vientiane Capital and Attapeu, Viengkham in Luang Prabang and Vientiane Province,
    Phonthong in Luang Prabang and Champasak): a list with more than one code means the
    name alone is ambiguous and the importer must also use the province. See
    ``resolve_code`` for a lookup that does that.
    """
    return {key: list(codes) for key, codes in _alternative_names(level).items()}


@lru_cache(maxsize=None)
def _squashed_names(level: str) -> dict[str, tuple[str, ...]]:
    # Second-chance index ignoring spaces, hyphens and punctuation ("Mok May" = "Mok-May").
    squashed: dict[str, set[str]] = {}
    for key, codes in _alternative_names(level).items():
        squashed.setdefault(_NON_ALNUM.sub("", key), set()).update(codes)
    return {key: tuple(sorted(codes)) for key, codes in squashed.items()}


def resolve_code(level: str, name: str, parent_code: str | None = None) -> str:
    """Code for a free-text name, optionally restricted to one parent (province) code.

    Raises KeyError when the name is unknown and ValueError when it matches several
    codes (pass ``parent_code`` to disambiguate district names used in two provinces).
    """
    _check_level(level)
    key = name_key(name)
    stripped = _NAME_NOISE.sub("", key).strip()
    codes: tuple[str, ...] = ()
    for attempt in (key, stripped):
        codes = _alternative_names(level).get(attempt, ())
        if not codes:
            codes = _squashed_names(level).get(_NON_ALNUM.sub("", attempt), ())
        if codes:
            break
    if parent_code is not None:
        codes = tuple(code for code in codes if code.startswith(parent_code))
    if not codes:
        where = f" in {parent_code}" if parent_code else ""
        raise KeyError(f"unknown {level} name {name!r}{where}")
    if len(codes) > 1:
        raise ValueError(f"{level} name {name!r} is ambiguous: {', '.join(codes)}; give parent_code")
    return codes[0]


def clear_caches() -> None:
    """Forget cached files (for tests or after rebuilding geo/data in a running process)."""
    for cached in (_read_boundaries, boundaries_geojson, _representative_points,
                   _alternative_names, _squashed_names):
        cached.cache_clear()


__all__ = [
    "COLUMNS",
    "CRS",
    "Level",
    "alternative_names",
    "boundaries_geojson",
    "clean_lao_name",
    "clear_caches",
    "is_plausible_lao_name",
    "load_boundaries",
    "name_key",
    "representative_points",
    "resolve_code",
]
