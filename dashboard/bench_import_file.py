"""Realistic large indicator files for the import benchmark (`python -m dashboard bench-import`).

A backlog import of one village-level ratio indicator for every village of the database,
newest month first: at national scale the recent months overlap what the database holds
(stored values replaced or left unchanged), the older months are new rows. Values are
numerator / denominator with the value the file computes, as a DHIS2 export gives them.
"""
import csv
import random
from pathlib import Path

from sqlalchemy import Connection, text

from data_access.periods import add_months

HEADER = ("indicator_code", "admin_code", "period", "numerator", "denominator", "value", "source")
SOURCE = "HANSA DHIS2 (benchmark file)"


def villages(conn: Connection) -> list[str]:
    return [row[0] for row in conn.execute(text("SELECT code FROM admin_unit WHERE level = 'village' ORDER BY code"))]


def latest_month(conn: Connection, indicator: str) -> str:
    found = conn.execute(text("SELECT MAX(period) FROM observation WHERE indicator_code = :i"), {"i": indicator}).scalar()
    return found or "2025-12"


def _row(rng: random.Random, indicator: str, village: str, period: str) -> tuple:
    denominator = rng.randint(0, 40)
    numerator = rng.randint(denominator // 2, denominator) if denominator else 0
    value = round(numerator / denominator * 100, 2) if denominator else ""
    return indicator, village, period, numerator, denominator, value, SOURCE


def import_rows(conn: Connection, rows: int, indicator: str, last_month: str | None = None, seed: int = 15):
    """(row tuples, months covered): `rows` village-month rows, from last_month backwards."""
    codes = villages(conn)
    if not codes:
        raise ValueError("the database has no villages: build it with `python -m dashboard demo` first")
    month = last_month or latest_month(conn, indicator)
    rng = random.Random(seed)
    produced, months = 0, 0
    while produced < rows:
        months += 1
        for village in codes:
            if produced == rows:
                break
            yield _row(rng, indicator, village, month)
            produced += 1
        month = add_months(month, -1)


def write_csv(conn: Connection, path: Path, rows: int, indicator: str = "HANSA_ANC4",
              last_month: str | None = None, seed: int = 15) -> dict:
    """Write the CSV; returns {"file", "rows", "bytes"}."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(import_rows(conn, rows, indicator, last_month, seed))
    return {"file": str(path), "rows": rows, "bytes": path.stat().st_size}


def write_xlsx(conn: Connection, path: Path, rows: int, indicator: str = "HANSA_ANC4",
               last_month: str | None = None, seed: int = 15) -> dict:
    """The same rows as an .xlsx (openpyxl write_only: streamed, not held in memory)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(list(HEADER))
    for row in import_rows(conn, rows, indicator, last_month, seed):
        sheet.append(list(row))
    workbook.save(path)
    return {"file": str(path), "rows": rows, "bytes": path.stat().st_size}


def write_month_csv(conn: Connection, path: Path, month: str, indicators: list[str], seed: int = 16) -> dict:
    """One month for every village and each of `indicators` (ratios as above, counts and stocks as counts)."""
    kinds = dict(conn.execute(text("SELECT code, aggregation FROM indicator")).all())
    codes = villages(conn)
    rng = random.Random(seed)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for indicator in indicators:
            for village in codes:
                if kinds.get(indicator) == "ratio":
                    writer.writerow(_row(rng, indicator, village, month))
                else:
                    writer.writerow((indicator, village, month, "", "", rng.randint(0, 60), SOURCE))
                count += 1
    return {"file": str(path), "rows": count, "bytes": path.stat().st_size}
