"""Import batches: the checksum that makes re-imports no-ops, the history that makes every batch undoable."""
import datetime as dt
import json

import pandas as pd
from sqlalchemy import Connection, bindparam, insert, select, text, update

from data_access.frames import rows_frame
from data_access.rollup import rebuild_rollups
from data_access.schema import ImportBatch, Observation, ObservationHistory
from data_access.store import bump_data_version

OBSERVATION_KINDS = ("indicators", "dhis2")
ROLLBACK_KINDS = ("indicators", "dhis2", "targets", "villages")
VALUE_FIELDS = ("value", "numerator", "denominator", "std_error", "source")
BATCH_COLUMNS = ["id", "kind", "file_name", "imported_at", "imported_by", "rows_total", "rows_inserted",
                 "rows_replaced", "rows_rejected", "status"]


class RollbackRefused(Exception):
    """A rollback that would lose or corrupt data; key/params make the translated message."""

    def __init__(self, key: str, **params):
        super().__init__(f"{key}: {params}")
        self.key = key
        self.params = params


def now() -> dt.datetime:
    """Batch times are stored in UTC without a zone (the column type is portable)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def applied_batch_with_checksum(conn: Connection, checksum: str) -> dict | None:
    """The applied batch that imported exactly this content (same checksum), if any."""
    row = conn.execute(
        select(ImportBatch.id, ImportBatch.imported_at, ImportBatch.kind)
        .where(ImportBatch.checksum == checksum, ImportBatch.status == "applied")
        .order_by(ImportBatch.id.desc())
    ).mappings().first()
    return dict(row) if row else None


def start_batch(conn: Connection, kind: str, file_name: str, checksum: str, imported_by: str | None) -> int:
    return conn.execute(
        insert(ImportBatch).values(kind=kind, file_name=file_name[:500], checksum=checksum, imported_at=now(),
                                   imported_by=(imported_by or "")[:100] or None, status="applied")
    ).inserted_primary_key[0]


def forget_batch(conn: Connection, batch_id: int) -> None:
    """Remove a batch that wrote nothing (nothing refers to it)."""
    conn.execute(ImportBatch.__table__.delete().where(ImportBatch.id == batch_id))


def finish_batch(conn: Connection, batch_id: int, report, undo: dict | None = None) -> None:
    conn.execute(
        update(ImportBatch).where(ImportBatch.id == batch_id).values(
            rows_total=report.rows_total, rows_inserted=report.rows_inserted, rows_replaced=report.rows_replaced,
            rows_rejected=report.rows_rejected,
            report_json=json.dumps({"report": report.to_dict(), "undo": undo or {}}, ensure_ascii=False,
                                   default=str),
        )
    )


# ---------------------------------------------------------------- observations

def existing_observations(conn: Connection, keys: set[tuple[str, str, str]]) -> dict[tuple, dict]:
    """Current observation rows for the given (indicator, admin, period) keys."""
    if not keys:
        return {}
    indicators = sorted({key[0] for key in keys})
    periods = sorted({key[2] for key in keys})
    rows = conn.execute(
        text("SELECT id, indicator_code, admin_code, period, value, numerator, denominator, std_error, source, "
             "batch_id FROM observation WHERE indicator_code IN :indicators AND period IN :periods")
        .bindparams(bindparam("indicators", expanding=True), bindparam("periods", expanding=True)),
        {"indicators": indicators, "periods": periods},
    ).mappings()
    found = {}
    for row in rows:
        key = (row["indicator_code"], row["admin_code"], row["period"])
        if key in keys:
            found[key] = dict(row)
    return found


def observations_at(conn: Connection, indicator_periods: set[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
    """Admin codes that already have a row, per (indicator, period)."""
    if not indicator_periods:
        return {}
    indicators = sorted({pair[0] for pair in indicator_periods})
    periods = sorted({pair[1] for pair in indicator_periods})
    result: dict[tuple[str, str], set[str]] = {}
    rows = conn.execute(
        text("SELECT indicator_code, period, admin_code FROM observation "
             "WHERE indicator_code IN :indicators AND period IN :periods")
        .bindparams(bindparam("indicators", expanding=True), bindparam("periods", expanding=True)),
        {"indicators": indicators, "periods": periods},
    )
    for indicator, period, admin in rows:
        if (indicator, period) in indicator_periods:
            result.setdefault((indicator, period), set()).add(admin)
    return result


def _same(old: dict, new: dict) -> bool:
    return all(old[name] == new.get(name) for name in VALUE_FIELDS)


def write_observations(conn: Connection, batch_id: int, records: list[dict]) -> tuple[int, int, int]:
    """Insert new keys, replace changed ones (recording the old values), leave identical ones alone.

    Returns (inserted, replaced, unchanged). Runs inside the caller's transaction.
    """
    keys = {(r["indicator_code"], r["admin_code"], r["period"]) for r in records}
    existing = existing_observations(conn, keys)
    inserts, updates, history = [], [], []
    unchanged = 0
    for record in records:
        key = (record["indicator_code"], record["admin_code"], record["period"])
        values = {name: record.get(name) for name in VALUE_FIELDS}
        old = existing.get(key)
        if old is None:
            inserts.append({"indicator_code": key[0], "admin_code": key[1], "period": key[2],
                            "period_start": record["period_start"], "batch_id": batch_id, **values})
            history.append({"batch_id": batch_id, "action": "insert", "indicator_code": key[0], "admin_code": key[1],
                            "period": key[2], "old_value": None, "old_numerator": None, "old_denominator": None,
                            "old_std_error": None, "old_source": None, "old_batch_id": None})
        elif _same(old, values):
            unchanged += 1
        else:
            updates.append({"_id": old["id"], "_batch": batch_id, **{f"_{name}": values[name] for name in VALUE_FIELDS}})
            history.append({"batch_id": batch_id, "action": "replace", "indicator_code": key[0], "admin_code": key[1],
                            "period": key[2], "old_value": old["value"], "old_numerator": old["numerator"],
                            "old_denominator": old["denominator"], "old_std_error": old["std_error"],
                            "old_source": old["source"], "old_batch_id": old["batch_id"]})
    if inserts:
        conn.execute(insert(Observation), inserts)
    if updates:
        conn.execute(_UPDATE_OBSERVATION, updates)
    if history:
        conn.execute(insert(ObservationHistory), history)
    return len(inserts), len(updates), unchanged


_UPDATE_OBSERVATION = (
    update(Observation.__table__)
    .where(Observation.__table__.c.id == bindparam("_id"))
    .values(batch_id=bindparam("_batch"), **{name: bindparam(f"_{name}") for name in VALUE_FIELDS})
)


def _rollback_observations(conn: Connection, batch_id: int) -> set[str]:
    history = conn.execute(
        select(ObservationHistory).where(ObservationHistory.batch_id == batch_id)
    ).mappings().all()
    keys = {(h["indicator_code"], h["admin_code"], h["period"]) for h in history}
    current = existing_observations(conn, keys)
    later = sorted({row["batch_id"] for row in current.values() if row["batch_id"] != batch_id})
    if later:
        raise RollbackRefused("later_batches", batches=", ".join(str(b) for b in later))
    deletes, restores = [], []
    for entry in history:
        row = current.get((entry["indicator_code"], entry["admin_code"], entry["period"]))
        if row is None:
            continue
        if entry["action"] == "insert":
            deletes.append({"_id": row["id"]})
        else:
            restores.append({"_id": row["id"], "_batch": entry["old_batch_id"],
                             **{f"_{name}": entry[f"old_{name}"] for name in VALUE_FIELDS}})
    if deletes:
        conn.execute(Observation.__table__.delete().where(Observation.__table__.c.id == bindparam("_id")), deletes)
    if restores:
        conn.execute(_UPDATE_OBSERVATION, restores)
    return {key[0] for key in keys}


# ---------------------------------------------------------------- batches

def list_batches(conn: Connection, limit: int = 200) -> pd.DataFrame:
    """Newest first. Columns: BATCH_COLUMNS (imported_at in UTC)."""
    result = conn.execute(
        text(f"SELECT {', '.join(BATCH_COLUMNS)} FROM import_batch ORDER BY id DESC LIMIT :limit"), {"limit": limit}
    )
    frame = rows_frame(result.fetchall(), BATCH_COLUMNS)
    # SQLite hands back the text it stored; PostgreSQL a datetime: make both datetimes.
    frame["imported_at"] = pd.to_datetime(frame["imported_at"])
    return frame


def batch_record(conn: Connection, batch_id: int) -> dict | None:
    """One batch with its stored report: BATCH_COLUMNS plus "report" (dict) and "undo" (dict)."""
    row = conn.execute(
        text(f"SELECT {', '.join(BATCH_COLUMNS)}, report_json FROM import_batch WHERE id = :id"), {"id": batch_id}
    ).mappings().first()
    if row is None:
        return None
    record = dict(row)
    stored = json.loads(record.pop("report_json") or "{}")
    # Batches the demo generator writes keep a plain summary, not an import report.
    record["report"] = stored.get("report") if "report" in stored else None
    record["undo"] = stored.get("undo") or {}
    return record


def rollback_batch(conn: Connection, batch_id: int) -> dict:
    """Undo one applied import inside the caller's transaction; the dashboard sees it at once.

    Refused (RollbackRefused) for unknown or demo batches, batches already rolled back,
    and batches whose rows a later import changed again: roll that one back first, so
    that no later data is silently lost.
    """
    from data_access.importers import survey_rounds, targets, villages
    from data_access.importers.locking import ImportBusy, take_import_lock

    try:
        take_import_lock(conn)
    except ImportBusy:
        raise RollbackRefused("import_busy") from None
    record = batch_record(conn, batch_id)
    if record is None:
        raise RollbackRefused("unknown_batch", batch=batch_id)
    if record["status"] != "applied":
        raise RollbackRefused("not_applied", batch=batch_id)
    if record["kind"] not in ROLLBACK_KINDS:
        raise RollbackRefused("not_undoable", batch=batch_id)
    indicators: set[str] = set()
    if record["kind"] in OBSERVATION_KINDS:
        indicators = _rollback_observations(conn, batch_id)
        survey_rounds.rollback(conn, record["undo"].get("survey_rounds", []))
    elif record["kind"] == "targets":
        targets.rollback(conn, batch_id, record["undo"])
    else:
        villages.rollback(conn, batch_id, record["undo"])
    conn.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(status="rolled_back"))
    if indicators:
        rebuild_rollups(conn, sorted(indicators))
    bump_data_version(conn)
    return {"batch": batch_id, "kind": record["kind"], "file_name": record["file_name"]}
