"""Results-framework targets from CSV or .xlsx: indicator, scope, kind (baseline/annual/end of project), year, value."""
import datetime as dt

from sqlalchemy import Connection, bindparam, insert, text

from data_access.importers import fields
from data_access.importers.indicators import (
    COLUMNS as OBSERVATION_COLUMNS,
    Candidate,
    candidates_from_table,
    check_admin_code,
    is_count,
    range_params,
)
from data_access.importers.lookup import Lookup
from data_access.importers.readers import header_key, read_table
from data_access.importers.report import ImportReport, translatable
from data_access.schema import TARGET_KINDS, Target

COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator_code": OBSERVATION_COLUMNS["indicator_code"],
    "admin_code": ("scope", "scope_code", "ຂອບເຂດ", *OBSERVATION_COLUMNS["admin_code"]),
    "kind": ("target_kind", "type", "ປະເພດ", "ປະເພດຄາດໝາຍ"),
    "year": ("target_year", "ປີ"),
    "value": ("target", "target_value", "ຄ່າ", "ຄ່າຄາດໝາຍ"),
    "target_date": ("date", "due_date", "ວັນທີ", "ວັນທີຄາດໝາຍ"),
    "admin_name": OBSERVATION_COLUMNS["admin_name"],
    "indicator_name": OBSERVATION_COLUMNS["indicator_name"],
    "comment": OBSERVATION_COLUMNS["comment"],
}
REQUIRED = ("indicator_code", "admin_code", "kind", "year", "value")
SCOPE_LEVELS = ("national", "province", "district")
KIND_WORDS = {
    "baseline": "baseline", "base": "baseline", "ຂໍ້ມູນພື້ນຖານ": "baseline", "ພື້ນຖານ": "baseline",
    "annual": "annual", "yearly": "annual", "ຄາດໝາຍປະຈຳປີ": "annual", "ປະຈຳປີ": "annual",
    "end_of_project": "end_of_project", "eop": "end_of_project", "end_of_project_target": "end_of_project",
    "ຄາດໝາຍທ້າຍໂຄງການ": "end_of_project", "ທ້າຍໂຄງການ": "end_of_project",
}
FIRST_YEAR, LAST_YEAR = 1990, 2100


def looks_like_targets(header_keys: set[str]) -> bool:
    """A table with a kind and a year column is a targets file (indicator files have no kind)."""
    def has(column: str) -> bool:
        return bool({header_key(name) for name in (column, *COLUMNS[column])} & header_keys)

    return has("kind") and has("year")


def _year(raw) -> int | None:
    day = fields.date_value(raw)
    if day is not None:
        return day.year
    try:
        number = fields.number(raw)
    except fields.NotANumber:
        return None
    if number is None or not float(number).is_integer() or not FIRST_YEAR <= number <= LAST_YEAR:
        return None
    return int(number)


def _validate(candidate: Candidate, lookup: Lookup, report: ImportReport) -> dict | None:
    problems_before = len(report.problems)
    row, file = candidate.row, candidate.file
    cells = candidate.cells
    for column, raw in cells.items():
        if isinstance(raw, fields.Formula):
            report.add("formula_not_allowed", file=file, row=row, column=candidate.header(column), value=raw.text)
    cells = {column: (None if isinstance(raw, fields.Formula) else raw) for column, raw in cells.items()}
    for column in REQUIRED:
        if fields.is_blank(cells.get(column)) and not isinstance(candidate.cells.get(column), fields.Formula):
            report.add("missing_value", file=file, row=row, column=candidate.header(column), value="")

    meta = None
    if not fields.is_blank(cells.get("indicator_code")):
        meta = lookup.indicators.get(fields.indicator_code(cells["indicator_code"]))
        if meta is None:
            report.add("unknown_indicator", file=file, row=row, column=candidate.header("indicator_code"),
                       value=cells["indicator_code"])
    admin = None
    if not fields.is_blank(cells.get("admin_code")):
        admin = check_admin_code(cells["admin_code"], candidate, lookup, report)
        if admin is not None and lookup.levels[admin] not in SCOPE_LEVELS:
            report.add("wrong_level", file=file, row=row, column=candidate.header("admin_code"), value=cells["admin_code"],
                       level=translatable(f"importer.level.{lookup.levels[admin]}"),
                       expected=[translatable(f"importer.level.{name}") for name in SCOPE_LEVELS])
    kind = None
    if not fields.is_blank(cells.get("kind")):
        kind = KIND_WORDS.get(header_key(str(cells["kind"])))
        if kind is None:
            report.add("invalid_kind", file=file, row=row, column=candidate.header("kind"), value=cells["kind"],
                       kinds=", ".join(TARGET_KINDS))
    year = None
    if not fields.is_blank(cells.get("year")):
        year = _year(cells["year"])
        if year is None:
            report.add("invalid_year", file=file, row=row, column=candidate.header("year"), value=cells["year"],
                       first=FIRST_YEAR, last=LAST_YEAR)
    value = None
    if not fields.is_blank(cells.get("value")):
        try:
            value = fields.number(cells["value"])
        except fields.NotANumber:
            report.add("not_a_number", file=file, row=row, column=candidate.header("value"), value=cells["value"])
    if value is not None and meta is not None:
        if value < 0 and is_count(meta):
            report.add("negative_count", file=file, row=row, column=candidate.header("value"), value=cells["value"])
        elif (meta["min_value"] is not None and value < meta["min_value"]) or (
                meta["max_value"] is not None and value > meta["max_value"]):
            report.add("out_of_range", file=file, row=row, column=candidate.header("value"), value=cells["value"],
                       **range_params(meta["min_value"], meta["max_value"]))
    target_date = None
    if not fields.is_blank(cells.get("target_date")):
        target_date = fields.date_value(cells["target_date"])
        if target_date is None:
            report.add("invalid_date", file=file, row=row, column=candidate.header("target_date"),
                       value=cells["target_date"])
    if report.errors_since(problems_before) or None in (meta, admin, kind, year, value):
        return None
    return {"indicator_code": meta["code"], "admin_code": admin, "kind": kind, "year": year, "value": value,
            "target_date": target_date, "row": row}


def prepare(conn: Connection, source, options, lookup: Lookup, report: ImportReport) -> list[dict]:
    if source.folder is not None:
        report.add("unsupported_format", value=source.name, extension="/")
        return []
    table = read_table(source.data, source.name)
    candidates = candidates_from_table(table, report, COLUMNS, REQUIRED)
    report.rows_total = len(candidates)
    records, first_row = [], {}
    duplicated = set()
    for candidate in candidates:
        record = _validate(candidate, lookup, report)
        if record is None:
            continue
        key = (record["indicator_code"], record["admin_code"], record["kind"], record["year"])
        if key in first_row:
            report.add("duplicate_key", file=candidate.file, row=candidate.row,
                       column=candidate.header("indicator_code"), value=" / ".join(map(str, key)),
                       first_row=first_row[key])
            duplicated.add(key)
            continue
        first_row[key] = candidate.row
        records.append(record)
    records = [r for r in records if (r["indicator_code"], r["admin_code"], r["kind"], r["year"]) not in duplicated]
    report.rows_valid = len(records)
    return records


def _existing(conn: Connection, records: list[dict]) -> dict[tuple, dict]:
    if not records:
        return {}
    indicators = sorted({r["indicator_code"] for r in records})
    rows = conn.execute(
        text("SELECT id, indicator_code, admin_code, kind, year, value, target_date, batch_id FROM target "
             "WHERE indicator_code IN :indicators").bindparams(bindparam("indicators", expanding=True)),
        {"indicators": indicators},
    ).mappings()
    return {(r["indicator_code"], r["admin_code"], r["kind"], r["year"]): dict(r) for r in rows}


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def write(conn: Connection, batch_id: int, records: list[dict], report: ImportReport) -> dict:
    """Upsert the targets; the undo list says how to put every replaced target back."""
    existing = _existing(conn, records)
    undo, inserts = [], []
    unchanged = 0
    for record in records:
        key = (record["indicator_code"], record["admin_code"], record["kind"], record["year"])
        old = existing.get(key)
        values = {"value": record["value"], "target_date": record["target_date"]}
        if old is None:
            inserts.append({"indicator_code": key[0], "admin_code": key[1], "kind": key[2], "year": key[3],
                            "batch_id": batch_id, **values})
            undo.append({"action": "insert", "key": list(key)})
        elif old["value"] == values["value"] and _as_date(old["target_date"]) == values["target_date"]:
            unchanged += 1
        else:
            conn.execute(Target.__table__.update().where(Target.__table__.c.id == old["id"])
                         .values(batch_id=batch_id, **values))
            undo.append({"action": "replace", "key": list(key), "old_value": old["value"],
                         "old_target_date": str(_as_date(old["target_date"])) if old["target_date"] else None,
                         "old_batch_id": old["batch_id"]})
    if inserts:
        conn.execute(insert(Target), inserts)
    report.rows_inserted, report.rows_replaced, report.rows_unchanged = len(inserts), len(undo) - len(inserts), unchanged
    return {"targets": undo}


def rollback(conn: Connection, batch_id: int, undo: dict) -> None:
    from data_access.importers.history import RollbackRefused

    entries = undo.get("targets", [])
    records = [{"indicator_code": e["key"][0]} for e in entries]
    current = _existing(conn, records)
    later = sorted({current[tuple(e["key"])]["batch_id"] for e in entries
                    if tuple(e["key"]) in current and current[tuple(e["key"])]["batch_id"] != batch_id})
    if later:
        raise RollbackRefused("later_batches", batches=", ".join(str(b) for b in later))
    table = Target.__table__
    for entry in entries:
        row = current.get(tuple(entry["key"]))
        if row is None:
            continue
        if entry["action"] == "insert":
            conn.execute(table.delete().where(table.c.id == row["id"]))
        else:
            conn.execute(table.update().where(table.c.id == row["id"]).values(
                value=entry["old_value"], target_date=_as_date(entry["old_target_date"]),
                batch_id=entry["old_batch_id"]))
