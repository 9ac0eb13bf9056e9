"""The optional released_on column of indicator files: when a survey round became known.

A survey round (indicator x period) counts as "the latest survey" only from that day
(data_access.queries.surveys). The file gives it on any row of the round; every row of a
round that gives one must give the same day, which may not lie before the period starts.
Writing upserts survey_round and keeps what it replaced, so the batch can be rolled back.
"""
import datetime as dt

from sqlalchemy import Connection, text

from data_access.importers.report import ImportReport


def check(records: list[dict], report: ImportReport) -> list[dict]:
    """Drop rows whose released_on disagrees with an earlier row of the same round (reported
    as release_date_conflict); the rest pass unchanged."""
    first: dict[tuple[str, str], tuple[dt.date, int | None]] = {}
    kept = []
    for record in records:
        day = record.get("released_on")
        if day is None:
            kept.append(record)
            continue
        key = (record["indicator_code"], record["period"])
        if key in first and first[key][0] != day:
            report.add("release_date_conflict", file=record.get("file") or report.file_name, row=record["row"],
                       column=record.get("released_on_column") or "released_on", value=day.isoformat(),
                       other=first[key][0].isoformat(), other_row=first[key][1] or "")
            continue
        first.setdefault(key, (day, record["row"]))
        kept.append(record)
    return kept


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def write(conn: Connection, batch_id: int, records: list[dict]) -> list[dict]:
    """Upsert the rounds' dates; returns the undo list ([{"key": [indicator, period], "old":
    iso date or None, "new": iso date}]) for the rounds whose date changed."""
    dates = {(r["indicator_code"], r["period"]): r["released_on"] for r in records if r.get("released_on")}
    undo = []
    for (indicator, period), day in sorted(dates.items()):
        params = {"indicator": indicator, "period": period, "day": day, "batch": batch_id}
        old = _as_date(conn.execute(text(
            "SELECT available_on FROM survey_round WHERE indicator_code = :indicator AND period = :period"),
            params).scalar())
        if old == day:
            continue
        if old is None:
            conn.execute(text("INSERT INTO survey_round (indicator_code, period, available_on, batch_id) "
                              "VALUES (:indicator, :period, :day, :batch)"), params)
        else:
            conn.execute(text("UPDATE survey_round SET available_on = :day, batch_id = :batch "
                              "WHERE indicator_code = :indicator AND period = :period"), params)
        undo.append({"key": [indicator, period], "old": old.isoformat() if old else None, "new": day.isoformat()})
    return undo


def rollback(conn: Connection, undo: list[dict]) -> None:
    """Put back the dates a batch replaced (only where the date is still the one it wrote)."""
    for entry in undo:
        indicator, period = entry["key"]
        params = {"indicator": indicator, "period": period, "new": dt.date.fromisoformat(entry["new"])}
        current = _as_date(conn.execute(text(
            "SELECT available_on FROM survey_round WHERE indicator_code = :indicator AND period = :period"),
            params).scalar())
        if current != params["new"]:
            continue
        if entry["old"] is None:
            conn.execute(text("DELETE FROM survey_round WHERE indicator_code = :indicator AND period = :period"), params)
        else:
            conn.execute(text("UPDATE survey_round SET available_on = :old, batch_id = NULL "
                              "WHERE indicator_code = :indicator AND period = :period"),
                         params | {"old": dt.date.fromisoformat(entry["old"])})
