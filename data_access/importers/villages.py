"""Village layers: codes, names and locations into admin_unit, with a data-quality report.

Villages join their district by code prefix (the first four digits), never by name.
A village whose district code matches nothing is an error; a village whose point lies
outside its declared district is imported but listed as a warning, so that the GIS
unit can fix the code or the location.
"""
import contextlib
import tempfile
from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy import Connection, insert, select, text

from data_access.importers import fields
from data_access.importers.lookup import Lookup
from data_access.importers.report import ImportReport
from data_access.schema import AdminUnit
from geo.boundaries import clean_lao_name, load_boundaries
from geo.village_layers import (
    LAYER_EXTENSIONS,
    LayerError,
    find_code_field,
    find_name_fields,
    inside_laos,
    read_layer,
    repair_geometries,
    representative_points,
)
from geo.villages import check_villages_in_districts

__all__ = ["LAYER_EXTENSIONS", "prepare", "rollback", "write"]
MAX_NAME_LENGTH = 200
COORDINATE_DECIMALS = 6


@contextlib.contextmanager
def _local_path(source):
    """A path GDAL can open: the folder itself, or the uploaded bytes written to a temporary file."""
    if source.folder is not None:
        yield source.folder
        return
    with tempfile.TemporaryDirectory(prefix="village-import-") as folder:
        path = Path(folder) / (Path(source.name).name or "layer")
        path.write_bytes(source.data)
        yield path


def _district_polygons(conn: Connection) -> gpd.GeoDataFrame:
    rows = conn.execute(select(AdminUnit.code, AdminUnit.geometry).where(AdminUnit.level == "district")).all()
    rows = [(code, geometry) for code, geometry in rows if geometry is not None]
    if not rows:
        return load_boundaries("district")[["code", "geometry"]]
    return gpd.GeoDataFrame({"code": [code for code, _ in rows]}, geometry=[g for _, g in rows], crs="EPSG:4326")


def _rounded(geometry):
    """Coordinates to COORDINATE_DECIMALS; a shape GEOS cannot snap stays as it is (still valid)."""
    if geometry.geom_type == "Point":
        return geometry
    try:
        return shapely.set_precision(geometry, 10 ** -COORDINATE_DECIMALS)
    except shapely.errors.GEOSException:
        return geometry


def _name(value) -> str:
    return "" if fields.is_blank(value) else clean_lao_name(str(value))


def prepare(conn: Connection, source, options, lookup: Lookup, report: ImportReport) -> list[dict]:
    """Read and check the layer; returns valid villages (code, names, geometry, lon, lat)."""
    try:
        with _local_path(source) as path:
            frame, crs = read_layer(path, options.layer)
        code_field = find_code_field(frame, options.code_field)
        name_en_field, name_lo_field = find_name_fields(frame, options.name_field, options.name_lo_field)
    except LayerError as error:
        report.add(error.rule, **error.params)
        return []
    report.rows_total = len(frame)
    report.summary.update({"crs": crs, "code_field": code_field, "name_en_field": name_en_field or "",
                           "name_lo_field": name_lo_field or ""})
    if frame.empty:
        report.add("empty_file")
        return []
    geometries, repaired, broken = repair_geometries(frame.geometry)
    points = representative_points(geometries)
    records, first_row, duplicated = [], {}, set()
    unmatched = 0
    for position, (raw_code, geometry, point) in enumerate(zip(frame[code_field], geometries, points)):
        row = position + 1
        problems_before = len(report.problems)
        if position in broken:
            report.add("invalid_geometry", row=row, column=frame.geometry.name, value="")
            continue
        if position in repaired:
            report.add("geometry_repaired", row=row, column=frame.geometry.name, value="")
        code = fields.admin_code(raw_code) if not fields.is_blank(raw_code) else ""
        if not code:
            report.add("missing_value", row=row, column=code_field, value="")
        elif len(code) != 7 or not code.isdigit():
            report.add("invalid_village_code", row=row, column=code_field, value=raw_code)
        elif lookup.levels.get(code[:4]) != "district":
            report.add("unknown_district", row=row, column=code_field, value=raw_code, district=code[:4])
            unmatched += 1
        elif code in lookup.levels and lookup.levels[code] != "village":
            report.add("invalid_village_code", row=row, column=code_field, value=raw_code)
        if geometry is None or geometry.is_empty or point is None:
            report.add("missing_geometry", row=row, column=frame.geometry.name, value="")
        elif not inside_laos(point.x, point.y):
            report.add("outside_laos", row=row, column=frame.geometry.name,
                       value=f"{point.y:.5g}, {point.x:.5g}")
        name_en = _name(frame[name_en_field].iloc[position]) if name_en_field else ""
        name_lo = _name(frame[name_lo_field].iloc[position]) if name_lo_field else ""
        if not name_en and not name_lo:
            report.add("missing_value", row=row, column=name_lo_field or name_en_field, value="")
        for column, name in ((name_en_field, name_en), (name_lo_field, name_lo)):
            if "\x00" in name:
                report.add("nul_character", row=row, column=column)
            elif len(name) > MAX_NAME_LENGTH:
                report.add("value_too_long", row=row, column=column, value=name[:40] + "…", limit=MAX_NAME_LENGTH)
        if report.errors_since(problems_before):
            continue
        if code in first_row:
            report.add("duplicate_key", row=row, column=code_field, value=raw_code, first_row=first_row[code])
            duplicated.add(code)
            continue
        first_row[code] = row
        records.append({
            "code": code, "row": row, "name_en": name_en, "name_lo": name_lo,
            "geometry": _rounded(geometry),
            "lon": round(point.x, COORDINATE_DECIMALS), "lat": round(point.y, COORDINATE_DECIMALS),
        })
    records = [record for record in records if record["code"] not in duplicated]

    outside = 0
    if records:
        located = gpd.GeoDataFrame({"code": [r["code"] for r in records]},
                                   geometry=gpd.points_from_xy([r["lon"] for r in records], [r["lat"] for r in records]),
                                   crs="EPSG:4326")
        rows = {r["code"]: r["row"] for r in records}
        for finding in check_villages_in_districts(located, _district_polygons(conn)).itertuples(index=False):
            outside += 1
            found = finding.found_district
            report.add("village_outside_district", row=rows[finding.code], column=code_field, value=finding.code,
                       variant=None if found else "nowhere", declared=finding.declared_district, found=found or "")
    report.summary.update({"villages_outside_district": outside, "codes_unmatched": unmatched})
    report.rows_valid = len(records)
    _list_changes(conn, records, report)
    return records


def _list_changes(conn: Connection, records: list[dict], report: ImportReport) -> None:
    """Names and locations of existing villages the layer changes, old -> new (as write() will apply them)."""
    from data_access.importers.plausibility import REPLACEMENTS_LISTED

    codes = [record["code"] for record in records]
    stored = {}
    for offset in range(0, len(codes), 500):
        for row in conn.execute(select(AdminUnit.code, AdminUnit.name_en, AdminUnit.name_lo, AdminUnit.lon,
                                       AdminUnit.lat).where(AdminUnit.code.in_(codes[offset:offset + 500]))).mappings():
            stored[row["code"]] = row
    changes = []
    for record in sorted(records, key=lambda r: r["code"]):
        old = stored.get(record["code"])
        if old is None:
            continue
        for field in ("name_en", "name_lo"):
            # An empty name keeps the stored one (see write): not a change.
            if record[field] and record[field] != (old[field] or ""):
                changes.append({"field": field, "place": record["code"], "old": old[field] or "", "new": record[field]})
        if old["lat"] is None or abs(old["lat"] - record["lat"]) > 1e-6 or abs(old["lon"] - record["lon"]) > 1e-6:
            changes.append({"field": "location", "place": record["code"],
                            "old": "" if old["lat"] is None else f"{old['lat']:.5f}, {old['lon']:.5f}",
                            "new": f"{record['lat']:.5f}, {record['lon']:.5f}"})
    report.summary["replacements"] = changes[:REPLACEMENTS_LISTED]
    report.summary["replacements_total"] = len(changes)


_UNIT_FIELDS = ("name_en", "name_lo", "lon", "lat", "is_demo", "parent_code", "province_code", "district_code")


def _geometry_wkt(geometry) -> str | None:
    return None if geometry is None else shapely.to_wkt(geometry, rounding_precision=COORDINATE_DECIMALS)


def write(conn: Connection, batch_id: int, records: list[dict], report: ImportReport) -> dict:
    """Insert new villages, update existing ones (demo villages become real ones); undo keeps the old rows."""
    codes = [record["code"] for record in records]
    existing = {}
    for offset in range(0, len(codes), 500):
        chunk = codes[offset:offset + 500]
        for row in conn.execute(select(AdminUnit.code, AdminUnit.geometry, *[getattr(AdminUnit, f) for f in _UNIT_FIELDS])
                                .where(AdminUnit.code.in_(chunk))).mappings():
            existing[row["code"]] = dict(row)
    undo, inserts = [], []
    unchanged = 0
    table = AdminUnit.__table__
    for record in records:
        code = record["code"]
        values = {"level": "village", "parent_code": code[:4], "province_code": code[:2], "district_code": code[:4],
                  "name_en": record["name_en"], "name_lo": record["name_lo"], "lon": record["lon"],
                  "lat": record["lat"], "geometry": record["geometry"], "is_demo": False}
        old = existing.get(code)
        # A layer without a name in one language keeps the name already stored in it.
        for name in ("name_en", "name_lo") if old is not None else ():
            if not values[name] and old[name]:
                values[name] = old[name]
        if old is None:
            inserts.append({"code": code, **values})
            undo.append({"action": "insert", "code": code})
            continue
        if all(old[name] == values[name] for name in _UNIT_FIELDS) and _geometry_wkt(old["geometry"]) == _geometry_wkt(
                values["geometry"]):
            unchanged += 1
            continue
        conn.execute(table.update().where(table.c.code == code).values(**values))
        undo.append({"action": "replace", "code": code,
                     "old": {**{name: old[name] for name in _UNIT_FIELDS}, "geometry": _geometry_wkt(old["geometry"])}})
    if inserts:
        conn.execute(insert(AdminUnit), inserts)
    report.rows_inserted, report.rows_replaced, report.rows_unchanged = len(inserts), len(undo) - len(inserts), unchanged
    return {"villages": undo}


def rollback(conn: Connection, batch_id: int, undo: dict) -> None:
    """Delete the villages the batch added and restore the ones it changed.

    Refused when a later village import changed the same villages (roll that back first)
    or when data now refers to a village the batch added (deleting it would orphan them).
    """
    import json

    from data_access.importers.history import RollbackRefused

    entries = undo.get("villages", [])
    codes = {entry["code"] for entry in entries}
    later = []
    for other_id, stored in conn.execute(
            text("SELECT id, report_json FROM import_batch WHERE kind = 'villages' AND status = 'applied' AND id > :id"),
            {"id": batch_id}):
        touched = {entry["code"] for entry in json.loads(stored or "{}").get("undo", {}).get("villages", [])}
        if touched & codes:
            later.append(other_id)
    if later:
        raise RollbackRefused("later_batches", batches=", ".join(str(b) for b in sorted(later)))
    added = sorted(entry["code"] for entry in entries if entry["action"] == "insert")
    in_use = 0
    for offset in range(0, len(added), 500):
        chunk = added[offset:offset + 500]
        params = {f"c{i}": code for i, code in enumerate(chunk)}
        placeholders = ", ".join(f":{name}" for name in params)
        for table_name in ("observation", "target"):
            in_use += conn.execute(
                text(f"SELECT COUNT(*) FROM {table_name} WHERE admin_code IN ({placeholders})"), params).scalar_one()
    if in_use:
        raise RollbackRefused("villages_in_use", count=in_use)
    table = AdminUnit.__table__
    for entry in entries:
        if entry["action"] == "insert":
            conn.execute(table.delete().where(table.c.code == entry["code"]))
        else:
            old = dict(entry["old"])
            geometry = old.pop("geometry")
            conn.execute(table.update().where(table.c.code == entry["code"]).values(
                **old, geometry=shapely.from_wkt(geometry) if geometry else None))
