"""Reading village layers (Shapefile .zip or folder, GeoPackage, GeoJSON) in any CRS, and finding their fields."""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import shapely

from geo.layer_safety import MAX_JSON_DEPTH, UnsafeLayer, check_layer_source, json_depth

CRS = "EPSG:4326"
LAYER_EXTENSIONS = (".shp", ".gpkg", ".geojson")
# A zip that inflates to more than this many times its size (and over 50 MB) is refused.
MAX_INFLATION = 100

# Field names seen in Lao village layers (statistics bureau, project GIS units), lower case.
CODE_FIELDS = ("village_code", "vill_code", "vil_code", "villcode", "vcode", "v_code", "vill_id", "vil_id",
               "village_id", "villid", "ban_code", "ban_id", "bancode", "adm3_pcode", "admin3pcode", "pcode",
               "code", "ລະຫັດບ້ານ", "ລະຫັດ")
NAME_EN_FIELDS = ("name_en", "village_en", "vill_name_e", "vil_name_e", "vill_eng", "vname_en", "vill_name",
                  "vil_name", "village_name", "village", "ban_name", "ban_en", "adm3_en", "admin3name_en", "name")
NAME_LO_FIELDS = ("name_lo", "name_lao", "village_lo", "vill_name_l", "vil_name_l", "vill_lao", "vname_lo",
                  "ban_lo", "ban_lao", "adm3_lo", "admin3name_lo", "ຊື່ບ້ານ", "ຊື່")
# Lao PDR spans 100.08-107.70 E and 13.90-22.51 N; the box adds a fifth of a degree on each side
# for points digitised on a border. A village outside it is a swapped or mistyped coordinate.
LAOS_BOUNDS = (99.88, 13.70, 107.90, 22.71)  # min lon, min lat, max lon, max lat
# Degrees never exceed 360; projected metres in Laos are hundreds of thousands.
METRES_THRESHOLD = 1000
_DECLARED_EPSG = (re.compile(r"^EPSG:+(\d+)$", re.IGNORECASE),
                  re.compile(r"^urn:ogc:def:crs:EPSG:[\d.]*:(\d+)$", re.IGNORECASE))
_CRS84 = re.compile(r"^urn:ogc:def:crs:OGC:[\d.]*:CRS84$|^OGC:CRS84$", re.IGNORECASE)
_CODE_VALUE = re.compile(r"^(LA)?\d{6,7}$", re.IGNORECASE)
_LAO_LETTER = re.compile(r"[\u0e81-\u0eae\u0edc-\u0edf]")


class LayerError(ValueError):
    """A layer that cannot be used as given. rule names what is wrong; params say more."""

    def __init__(self, rule: str, **params):
        super().__init__(f"{rule}: {params}")
        self.rule = rule
        self.params = params


def _field_key(name: str) -> str:
    return unicodedata.normalize("NFC", str(name)).strip().casefold()


def _datasets_in_zip(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    inflated = sum(member.file_size for member in members)
    size = path.stat().st_size
    if inflated > 50 * 1024 * 1024 and inflated > MAX_INFLATION * max(size, 1):
        raise LayerError("archive_too_large", size_mb=round(inflated / 1024 / 1024))
    return sorted(member.filename for member in members
                  if member.filename.lower().endswith(LAYER_EXTENSIONS) and not member.filename.startswith("__MACOSX"))


def dataset_path(path: Path, layer: str | None = None) -> tuple[str, str | None]:
    """(GDAL path, layer name or None) for a .zip, a folder, a .shp, a .gpkg or a .geojson.

    A zip or folder holding several datasets, or a GeoPackage with several layers, needs
    `layer` (a dataset's file name without extension, or a GeoPackage layer name).
    """
    gdal_path, layer = _checked_gdal_path(Path(path), layer)
    return gdal_path, _pick_layer(gdal_path, layer)


def _checked_gdal_path(path: Path, layer: str | None) -> tuple[str, str | None]:
    """The dataset GDAL will open, checked (layer_safety) but not opened yet; layer as still to be picked."""
    if path.is_dir():
        candidates = sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.suffix.lower() in LAYER_EXTENSIONS)
        prefix = str(path) + "/"
    elif path.suffix.lower() == ".zip":
        candidates = _datasets_in_zip(path)
        prefix = f"/vsizip/{path}/"
    elif path.suffix.lower() not in (*LAYER_EXTENSIONS, ".json"):
        # GDAL would open anything by its content: only the formats we name are read.
        raise LayerError("unsupported_format", extension=path.suffix.lower() or "?")
    else:
        _check_safe(path)
        return str(path), layer
    _check_safe(path)
    if not candidates:
        raise LayerError("no_layer")
    if len(candidates) > 1:
        chosen = [c for c in candidates if layer and Path(c).stem.casefold() == layer.casefold()]
        if len(chosen) != 1:
            raise LayerError("several_layers", layers=", ".join(Path(c).stem for c in candidates))
        candidates = chosen
        layer = None
    return prefix + candidates[0], layer


def _check_safe(path: Path) -> None:
    try:
        check_layer_source(path)
    except UnsafeLayer as unsafe:
        raise LayerError(unsafe.rule, **unsafe.params) from None
    except (OSError, zipfile.BadZipFile):
        raise LayerError("unreadable_file", detail={"key": "importer.detail.not_layer"}) from None


def _pick_layer(gdal_path: str, layer: str | None) -> str | None:
    try:
        layers = [str(name) for name, _geometry in pyogrio.list_layers(gdal_path)]
    except Exception:  # GDAL's text names the server's temporary path: never shown
        raise LayerError("unreadable_file", detail={"key": "importer.detail.not_layer"}) from None
    if not layers:
        raise LayerError("no_layer")
    if layer:
        if layer not in layers:
            raise LayerError("several_layers" if len(layers) > 1 else "no_layer", layers=", ".join(layers))
        return layer
    if len(layers) > 1:
        raise LayerError("several_layers", layers=", ".join(layers))
    return None


def read_layer(path: Path, layer: str | None = None) -> tuple[gpd.GeoDataFrame, str]:
    """The layer reprojected to EPSG:4326, and the CRS it came in (e.g. "EPSG:32648").

    GeoJSON without a CRS is WGS 84 by definition (RFC 7946); any other layer without a
    CRS (a shapefile missing its .prj) is refused rather than guessed.
    """
    gdal_path, layer = _checked_gdal_path(Path(path), layer)
    is_geojson = gdal_path.lower().endswith((".geojson", ".json"))
    # Parsed (depth-bounded) before GDAL's own JSON parser sees it.
    declared = _declared_geojson_crs(*_geojson_bytes(Path(path), gdal_path)) if is_geojson else None
    layer_name = _pick_layer(gdal_path, layer)
    try:
        frame = pyogrio.read_dataframe(gdal_path, layer=layer_name)
    except Exception:  # GDAL's text names the server's temporary path: never shown
        raise LayerError("unreadable_file", detail={"key": "importer.detail.not_layer"}) from None
    if declared is not None:
        # GDAL falls back to WGS 84 for a CRS it does not know: the declared one decides.
        frame = frame.set_crs(declared, allow_override=True)
    if frame.crs is None:
        if is_geojson:
            frame = frame.set_crs(CRS)
        else:
            raise LayerError("missing_crs")
    original = frame.crs.to_string()
    epsg = frame.crs.to_epsg()
    if epsg:
        original = f"EPSG:{epsg}"
    if frame.crs.is_geographic and not frame.empty:
        _check_degrees(frame)
    if epsg != 4326:
        try:
            frame = frame.to_crs(CRS)
        except Exception:  # pyproj cannot transform from this CRS
            raise LayerError("unknown_crs", crs=original) from None
    frame = frame.set_geometry(shapely.force_2d(frame.geometry.values))
    return frame, original


def _geojson_bytes(path: Path, gdal_path: str) -> tuple[bytes, str]:
    """The GeoJSON GDAL is about to read (a file, a folder's file or a zip member) and its name."""
    if path.is_dir():
        return Path(gdal_path).read_bytes(), Path(gdal_path).name
    if path.suffix.lower() == ".zip":
        member = gdal_path[len(f"/vsizip/{path}/"):]
        with zipfile.ZipFile(path) as archive:
            return archive.read(member), Path(member).name
    return path.read_bytes(), path.name


def _declared_geojson_crs(data: bytes, name: str) -> pyproj.CRS | None:
    """The CRS a GeoJSON names in its (pre-RFC 7946) "crs" member, None when it names none.

    Only EPSG codes and CRS84 are accepted: a free-form CRS text could make PROJ read files.
    """
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise LayerError("nested_too_deep", depth={"number": depth}, limit=MAX_JSON_DEPTH)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise LayerError("not_utf8", position=error.start) from None
    except RecursionError:
        raise LayerError("nested_too_deep", depth={"number": depth}, limit=MAX_JSON_DEPTH) from None
    except ValueError as error:
        raise LayerError("invalid_json", line=getattr(error, "lineno", "?"), position=getattr(error, "colno", "?")) \
            from None
    if not isinstance(document, dict) or document.get("type") not in ("FeatureCollection", "Feature"):
        raise LayerError("wrong_content", name=name, format="GeoJSON")
    crs = document.get("crs")
    if crs is None:
        return None
    declared = crs.get("properties", {}).get("name") if isinstance(crs, dict) and isinstance(
        crs.get("properties"), dict) else None
    declared = str(declared or "").strip()
    if _CRS84.match(declared):
        return pyproj.CRS.from_epsg(4326)
    for pattern in _DECLARED_EPSG:
        match = pattern.match(declared)
        if match:
            try:
                return pyproj.CRS.from_epsg(int(match.group(1)))
            except pyproj.exceptions.CRSError:
                break
    raise LayerError("unknown_crs", crs=declared[:60] or "?")


def _check_degrees(frame: gpd.GeoDataFrame) -> None:
    """A layer said to be in degrees whose numbers are metres: refused, never stored as degrees."""
    minx, miny, maxx, maxy = frame.total_bounds
    largest = max(abs(minx), abs(miny), abs(maxx), abs(maxy))
    if largest == largest and largest > METRES_THRESHOLD:
        raise LayerError("coordinates_look_like_metres", example=f"{maxx:.0f}, {maxy:.0f}")


def inside_laos(lon: float, lat: float) -> bool:
    west, south, east, north = LAOS_BOUNDS
    return west <= lon <= east and south <= lat <= north


def _text_values(series: pd.Series) -> list[str]:
    return [str(value).strip() for value in series.dropna().tolist() if str(value).strip()]


def is_lao_text(series: pd.Series) -> bool:
    """Most non-empty values contain Lao letters."""
    values = _text_values(series)
    return bool(values) and sum(bool(_LAO_LETTER.search(value)) for value in values) >= 0.8 * len(values)


def _looks_like_codes(series: pd.Series, share: float = 0.9) -> bool:
    """At least `share` of the non-empty values are 6-7 digits (optionally "LA"-prefixed)."""
    values = []
    for value in series.dropna().tolist():
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        values.append(str(value).strip())
    values = [value for value in values if value]
    return bool(values) and sum(bool(_CODE_VALUE.match(value)) for value in values) >= share * len(values)


def _attribute_columns(frame: gpd.GeoDataFrame) -> list[str]:
    return [column for column in frame.columns if column != frame.geometry.name]


def _named(frame: gpd.GeoDataFrame, requested: str) -> str:
    by_key = {_field_key(column): column for column in _attribute_columns(frame)}
    column = by_key.get(_field_key(requested))
    if column is None:
        raise LayerError("field_not_found", field=requested, fields=", ".join(_attribute_columns(frame)))
    return column


def find_code_field(frame: gpd.GeoDataFrame, requested: str | None = None) -> str:
    """The field holding village codes: the one named, a usual name, else the only code-like field."""
    if requested:
        return _named(frame, requested)
    columns = _attribute_columns(frame)
    by_key = {_field_key(column): column for column in columns}
    # A field with a usual name needs only most values to look right: the rest are the
    # typos the import is meant to report, not a reason to look elsewhere.
    for name in CODE_FIELDS:
        if name in by_key and _looks_like_codes(frame[by_key[name]], share=0.5):
            return by_key[name]
    code_like = [column for column in columns if _looks_like_codes(frame[column])]
    if len(code_like) == 1:
        return code_like[0]
    if len(code_like) > 1:
        raise LayerError("code_field_ambiguous", fields=", ".join(code_like))
    raise LayerError("code_field_not_found", fields=", ".join(columns))


def find_name_fields(frame: gpd.GeoDataFrame, name_field: str | None = None,
                     name_lo_field: str | None = None) -> tuple[str | None, str | None]:
    """(English name field, Lao name field); at least one is found or LayerError is raised.

    A field named by the user counts as Lao when its values are in Lao script.
    """
    english = lao = None
    if name_lo_field:
        lao = _named(frame, name_lo_field)
    if name_field:
        column = _named(frame, name_field)
        if is_lao_text(frame[column]) and lao is None:
            lao = column
        else:
            english = column
    if name_field or name_lo_field:
        return english, lao
    columns = _attribute_columns(frame)
    by_key = {_field_key(column): column for column in columns}
    for name in NAME_LO_FIELDS:
        if name in by_key and is_lao_text(frame[by_key[name]]):
            lao = by_key[name]
            break
    for name in NAME_EN_FIELDS:
        if name in by_key and by_key[name] != lao and not is_lao_text(frame[by_key[name]]) and not _looks_like_codes(
                frame[by_key[name]]):
            english = by_key[name]
            break
    if lao is None:
        # pandas 3 reads text as StringDtype, earlier versions as object: both are text.
        lao = next((column for column in columns if column != english and _is_text(frame[column])
                    and is_lao_text(frame[column])), None)
    if english is None and lao is None:
        raise LayerError("name_field_not_found", fields=", ".join(columns))
    return english, lao


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series) or series.dtype == object


def repair_geometries(geometries: gpd.GeoSeries) -> tuple[gpd.GeoSeries, set[int], set[int]]:
    """Geometries made valid (a self-intersecting polygon is split by make_valid), with the positions repaired
    and those that could not be repaired (GEOS gave up on them)."""
    values, repaired, broken = list(geometries.values), set(), set()
    for position, geometry in enumerate(values):
        if geometry is None or geometry.is_empty or geometry.geom_type == "Point":
            continue
        try:
            if not geometry.is_valid:
                values[position] = shapely.make_valid(geometry)
                repaired.add(position)
            shapely.point_on_surface(values[position])
        except shapely.errors.GEOSException:
            broken.add(position)
            values[position] = None
    return gpd.GeoSeries(values, index=geometries.index, crs=geometries.crs), repaired, broken


def representative_points(geometries: gpd.GeoSeries) -> gpd.GeoSeries:
    """Points as they are; a point inside each polygon or line otherwise (for lon/lat and the district check)."""
    values = geometries.values
    points = [geometry if geometry is not None and geometry.geom_type == "Point" else (
        None if geometry is None or geometry.is_empty else shapely.point_on_surface(geometry))
        for geometry in values]
    return gpd.GeoSeries(points, index=geometries.index, crs=geometries.crs)
