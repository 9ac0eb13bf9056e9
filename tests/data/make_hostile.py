"""The hostile corpus: one file per kind of bad upload the importer must refuse with a sentence.

    .venv/bin/python tests/data/make_hostile.py     # writes the small files into tests/data/hostile/

Small files are committed; files that are big by nature (bombs, 128 KiB cells, deep JSON)
are built at test time by the build_* functions, so the repository stays small. Every
place code used exists in the test-scale demo dataset.
"""
import io
import json
import re
import sqlite3
import stat
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOSTILE = HERE / "hostile"
SHAPEFILE = HERE / "villages_utm48"
HEADER = "indicator_code,admin_code,period,value\n"

VRT = (b'<OGRVRTDataSource><OGRVRTLayer name="passwd"><SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
       b"</OGRVRTLayer></OGRVRTDataSource>\n")


def _feature(code: str, coordinates, geometry_type: str = "Point", **properties) -> dict:
    return {"type": "Feature", "properties": {"code": code, **properties},
            "geometry": {"type": geometry_type, "coordinates": coordinates}}


def _collection(features: list[dict], **extra) -> bytes:
    return json.dumps({"type": "FeatureCollection", **extra, "features": features}, ensure_ascii=False).encode()


SMALL: dict[str, bytes] = {
    # GDAL would open these by content: a VRT under a GeoJSON name reads /etc/passwd.
    "vrt_as_geojson.geojson": VRT,
    # Rows swallowed by a quote never closed / closed rows later.
    "unclosed_quote.csv": (HEADER + "CCT_PAID,0703001,2023-05,38\n"
                           'CCT_PAID,0703002,2023-05,"29\nCCT_PAID,0703003,2023-05,12\n'
                           "CCT_PAID,0703004,2023-05,14\n").encode(),
    "quote_closed_later.csv": (HEADER + "CCT_PAID,0703001,2023-05,38\n"
                               'CCT_PAID,0703002,2023-05,"29\nCCT_PAID,0703003,2023-05,12\n'
                               'CCT_PAID,0703004,2023-05,14"\nCCT_PAID,0703005,2023-05,9\n').encode(),
    "nul_byte.csv": (HEADER + "CCT_PAID,0703001,2023-05,38\nCCT_PAID,0703002,2023-05,2\x009\n").encode(),
    "year_zero.csv": (HEADER + "CCT_PAID,0703001,0000-05,38\n").encode(),
    "period_1000_9999.csv": (HEADER + "CCT_PAID,0703001,1000-05,38\nCCT_PAID,0703002,9999-05,29\n").encode(),
    "huge_count.csv": (HEADER + "CCT_PAID,0703001,2023-05,1e308\nCCT_PAID,0703002,2023-05,1e309\n").encode(),
    "outside_laos.geojson": _collection([
        _feature("0703001", [200.0, 95.0], name_en="Ban Nowhere"),
        _feature("0703002", [103.31, 95.0], name_en="Ban Far North")]),
    "utm_without_crs.geojson": _collection([
        _feature("0703001", [612345.0, 2254321.0], name_en="Ban Metres")]),
    "unknown_crs.geojson": _collection([_feature("0703001", [103.31, 20.10], name_en="Ban Unknown")],
                                       crs={"type": "name", "properties": {"name": "EPSG:999999"}}),
    "self_intersecting.geojson": _collection([
        # A bow tie: its two halves cross at (103.31, 20.10).
        _feature("0703001", [[[103.28, 20.07], [103.34, 20.13], [103.34, 20.07], [103.28, 20.13], [103.28, 20.07]]],
                 "Polygon", name_en="Ban Bowtie")]),
    # A Lao name field whose name says nothing (the script decides), next to an English one.
    "lao_names.geojson": _collection([
        _feature("0703001", [103.31, 20.10], VILL_NAME="Ban Nakham", LAONAME="ບ້ານນາຄຳ"),
        _feature("0703002", [103.32, 20.11], VILL_NAME="Ban Phonxay", LAONAME="ບ້ານໂພນໄຊ")]),
    "english_names_only.geojson": _collection([
        _feature("0703001", [103.31, 20.10], name_en="Ban Nakham")]),
}


def write_small() -> None:
    HOSTILE.mkdir(exist_ok=True)
    for name, content in SMALL.items():
        (HOSTILE / name).write_bytes(content)


# ---------------------------------------------------------------- built at test time

def build_vrt_in_zip(folder: Path) -> Path:
    """A zipped "shapefile" whose layer is a VRT under a .geojson name."""
    path = folder / "vrt_in.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("villages.geojson", VRT)
    return path


def build_unknown_crs_in_zip(folder: Path) -> Path:
    """The EPSG:999999 layer zipped: GDAL would silently read it as WGS 84 there too."""
    path = folder / "unknown_crs.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("villages.geojson", SMALL["unknown_crs.geojson"])
    return path


def build_symlink_in_zip(folder: Path) -> Path:
    """A zipped shapefile whose .dbf is a symbolic link to /etc/passwd."""
    path = folder / "symlink.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for suffix in (".shp", ".shx", ".prj"):
            archive.write(SHAPEFILE / f"villages_utm48{suffix}", f"villages_utm48{suffix}")
        link = zipfile.ZipInfo("villages_utm48.dbf")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    return path


def build_symlink_folder(folder: Path) -> Path:
    """A shapefile folder (the command line) whose .dbf is a symbolic link to /etc/passwd."""
    path = folder / "villages_linked"
    path.mkdir()
    for suffix in (".shp", ".shx", ".prj"):
        (path / f"villages_utm48{suffix}").write_bytes((SHAPEFILE / f"villages_utm48{suffix}").read_bytes())
    (path / "villages_utm48.dbf").symlink_to("/etc/passwd")
    return path


def build_bad_sidecar_zip(folder: Path) -> Path:
    """A zipped shapefile whose .prj is no coordinate system but a path GDAL could follow."""
    path = folder / "bad_prj.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for suffix in (".shp", ".shx", ".dbf", ".cpg"):
            archive.write(SHAPEFILE / f"villages_utm48{suffix}", f"villages_utm48{suffix}")
        archive.writestr("villages_utm48.prj", "/work/var/convergence.sqlite")
    return path


def build_virtual_table_gpkg(folder: Path) -> Path:
    """A GeoPackage (real layer) that also defines a virtual table: SQLite modules can open other files."""
    import geopandas as gpd
    import shapely

    path = folder / "virtual.gpkg"
    gpd.GeoDataFrame({"code": ["0703001"], "name_en": ["Ban Nakham"]}, geometry=[shapely.Point(103.31, 20.10)],
                     crs="EPSG:4326").to_file(path, layer="villages", engine="pyogrio")
    connection = sqlite3.connect(path)
    connection.execute("CREATE VIRTUAL TABLE notes USING fts5(text)")
    connection.commit()
    connection.close()
    return path


def _workbook(rows: list[list]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "data"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_member(data: bytes, member: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info.filename, change(content) if info.filename == member else content)
    return out.getvalue()


def build_dimension_bomb() -> bytes:
    """A few kB of .xlsx whose sheet declares A1:XFD1048576 (openpyxl would pad 17 billion cells)."""
    data = _workbook([["indicator_code", "admin_code", "period", "value"], ["CCT_PAID", "0703001", "2023-05", 38]])
    return _rewrite_member(data, "xl/worksheets/sheet1.xml",
                           lambda xml: re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', xml))


def build_inflation_bomb(inflated_mb: int = 480) -> bytes:
    """An .xlsx of a few MB whose sheet inflates to `inflated_mb` MB (the same row repeated), streamed out."""
    data = _workbook([["indicator_code", "admin_code", "period", "value"]])
    row = b'<row><c t="inlineStr"><is><t>CCT_PAID</t></is></c><c t="inlineStr"><is><t>0703001</t></is></c></row>'
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
                continue
            with target.open(info.filename, "w", force_zip64=True) as member:
                member.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats'
                             b'.org/spreadsheetml/2006/main"><sheetData>')
                chunk = row * (1024 * 1024 // len(row))
                for _ in range(inflated_mb):
                    member.write(chunk)
                member.write(b"</sheetData></worksheet>")
    return out.getvalue()


def build_long_cell() -> bytes:
    return (HEADER + "CCT_PAID,0703001,2023-05,38\nCCT_PAID,0703002,2023-05," + "9" * 140_000 + "\n").encode()


def build_deep_json(depth: int = 200_000) -> bytes:
    return b'{"dataValues": ' + b"[" * depth + b"]" * depth + b"}"


def build_deep_geojson(depth: int = 200_000) -> bytes:
    return b'{"type": "FeatureCollection", "features": ' + b"[" * depth + b"]" * depth + b"}"


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[1]))
    write_small()
    print(f"wrote {len(SMALL)} files to {HOSTILE}")
