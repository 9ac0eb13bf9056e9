"""What an uploaded layer must look like before GDAL may open it.

GDAL picks its driver from a file's content, not its name: a GDAL VRT saved as
`.geojson` is opened as a VRT and reads whatever files it names (/etc/passwd, the app's
own database). So every file GDAL could read (the layer and, for a shapefile, its
sidecars, also inside a zip) is checked here first: its first bytes must be those of the
format its extension names, nothing may be a symbolic link or a VRT, and a GeoPackage
may hold no virtual table (SQLite modules such as VirtualOGR open other files).
"""

from __future__ import annotations

import re
import sqlite3
import stat
import tempfile
import zipfile
from pathlib import Path

# What follows "The file ... is not a ..." in messages: the format a person knows.
FORMAT_NAMES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "Shapefile",
                ".shx": "Shapefile", ".dbf": "Shapefile (.dbf)", ".prj": "Shapefile (.prj)", ".cpg": "Shapefile (.cpg)"}
_SHAPE_MAGIC = b"\x00\x00\x27\x0a"
_DBF_VERSIONS = frozenset({0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB, 0xF5, 0xFB})
_WKT_START = re.compile(rb"^\s*(PROJCS|GEOGCS|GEOCCS|COMPD_CS|VERT_CS|LOCAL_CS|PROJCRS|GEOGCRS|GEODCRS|BOUNDCRS|"
                        rb"COMPOUNDCRS|VERTCRS|ENGCRS)\s*\[")
_VRT_MARKERS = (b"<ogrvrtdatasource", b"<vrtdataset", b"<gdal_wms", b"<gdal_wmts", b"<wfs_getcapabilities")
HEAD_BYTES = 4096
# DHIS2 exports and GeoJSON nest a handful of levels; 200,000 levels is an attack on the parser.
MAX_JSON_DEPTH = 64
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


class UnsafeLayer(ValueError):
    """rule: refers_to_other_files or wrong_content; file: the file's name as the user gave it."""

    def __init__(self, rule: str, file: str, format_name: str = ""):
        super().__init__(f"{rule}: {file}")
        self.rule = rule
        self.params = {"name": file, "format": format_name}


def json_depth(data: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest, counted without parsing it (linear, no recursion).

    Strings are blanked first (a "[" inside a name is no nesting); the brackets are then
    summed in slices of 4 MB so that a 20 MB file needs a few tens of MB, not hundreds.
    """
    import numpy as np

    structure = _JSON_STRING.sub(b'""', data)
    deepest = depth = 0
    step = 4 * 1024 * 1024
    for offset in range(0, len(structure), step):
        chunk = np.frombuffer(structure, dtype=np.uint8, count=min(step, len(structure) - offset), offset=offset)
        steps = (np.isin(chunk, (ord("["), ord("{"))).view(np.int8)
                 - np.isin(chunk, (ord("]"), ord("}"))).view(np.int8)).astype(np.int32)
        running = np.cumsum(steps) + depth
        if running.size:
            deepest = max(deepest, int(running.max()))
            depth = int(running[-1])
    return deepest


def _suffix(name: str) -> str:
    return Path(name).suffix.lower()


def check_head(name: str, head: bytes) -> None:
    """UnsafeLayer unless `head` (the first bytes of file `name`) fits the format its extension names."""
    lowered = head.lower()
    if _suffix(name) == ".vrt" or any(marker in lowered for marker in _VRT_MARKERS):
        raise UnsafeLayer("refers_to_other_files", Path(name).name)
    ext = _suffix(name)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    fits = {
        ".geojson": lambda: stripped.startswith(b"{"),
        ".json": lambda: stripped.startswith(b"{"),
        ".gpkg": lambda: head.startswith(b"SQLite format 3\x00"),
        ".shp": lambda: head.startswith(_SHAPE_MAGIC),
        ".shx": lambda: head.startswith(_SHAPE_MAGIC),
        ".dbf": lambda: bool(head) and head[0] in _DBF_VERSIONS,
        ".prj": lambda: bool(_WKT_START.match(head)),
        ".cpg": lambda: len(head) < 64 and re.fullmatch(rb"[\w\- .]*", head.strip()) is not None,
    }.get(ext)
    if fits is not None and not fits():
        raise UnsafeLayer("wrong_content", Path(name).name, FORMAT_NAMES[ext])


def check_geopackage(path: Path, shown_name: str) -> None:
    """UnsafeLayer when the GeoPackage defines a virtual table other than its R-tree spatial index."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            rows = connection.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        raise UnsafeLayer("wrong_content", shown_name, "GeoPackage") from None
    for (sql,) in rows:
        text = " ".join(sql.lower().split())
        if "virtual table" in text and " using rtree" not in text:
            raise UnsafeLayer("refers_to_other_files", shown_name)


def check_file(path: Path, shown_name: str | None = None) -> None:
    """One file on disk: not a symbolic link, content fitting its extension (GeoPackage: no virtual tables)."""
    shown_name = shown_name or path.name
    if path.is_symlink():
        raise UnsafeLayer("refers_to_other_files", shown_name)
    with path.open("rb") as handle:
        check_head(shown_name, handle.read(HEAD_BYTES))
    if _suffix(shown_name) == ".gpkg":
        check_geopackage(path, shown_name)


def check_folder(folder: Path) -> None:
    """A shapefile folder (the command line): every file in it, and no link pointing out of it."""
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise UnsafeLayer("refers_to_other_files", str(path.relative_to(folder)))
        if path.is_file():
            check_file(path, str(path.relative_to(folder)))


def check_zip(path: Path) -> None:
    """Every member of a zip GDAL could read: no links, no VRT, each fitting its extension."""
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            mode = member.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeLayer("refers_to_other_files", member.filename)
            with archive.open(member) as handle:
                check_head(member.filename, handle.read(HEAD_BYTES))
            if _suffix(member.filename) == ".gpkg":
                # sqlite3 needs a real file; the member's size is bounded by the archive checks before.
                with tempfile.NamedTemporaryFile(suffix=".gpkg") as copy:
                    with archive.open(member) as handle:
                        while chunk := handle.read(1 << 20):
                            copy.write(chunk)
                    copy.flush()
                    check_geopackage(Path(copy.name), member.filename)


def check_layer_source(path: Path) -> None:
    """Everything GDAL may read for `path` (a file, a .zip or a folder) is safe to open; UnsafeLayer otherwise."""
    path = Path(path)
    if path.is_symlink():
        raise UnsafeLayer("refers_to_other_files", path.name)
    if path.is_dir():
        check_folder(path)
    elif _suffix(path.name) == ".zip":
        check_zip(path)
    else:
        check_file(path)
