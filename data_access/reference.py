"""Loads the reference tables: projects, indicator catalogue, admin geography, target areas."""
import csv
import datetime as dt
from pathlib import Path

import shapely
from sqlalchemy import Connection, delete, insert

from data_access.schema import (
    NATIONAL_CODE,
    AdminUnit,
    Indicator,
    Project,
    TargetArea,
)
from geo.boundaries import load_boundaries

REFERENCE_DIR = Path(__file__).parent / "reference"
DEFAULT_TARGET_DISTRICTS = REFERENCE_DIR / "target_districts.csv"


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _none_if_blank(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def project_rows() -> list[dict]:
    rows = []
    for row in _read_csv(REFERENCE_DIR / "projects.csv"):
        row = {key: _none_if_blank(value) for key, value in row.items()}
        row["closing_date"] = dt.date.fromisoformat(row["closing_date"]) if row["closing_date"] else None
        row["sort_order"] = int(row["sort_order"])
        rows.append(row)
    return rows


def indicator_rows() -> list[dict]:
    rows = []
    for row in _read_csv(REFERENCE_DIR / "indicators.csv"):
        row = {key: _none_if_blank(value) for key, value in row.items()}
        row["multiplier"] = float(row["multiplier"])
        row["cumulative"] = row["cumulative"] == "1"
        row["min_value"] = float(row["min_value"]) if row["min_value"] is not None else None
        row["max_value"] = float(row["max_value"]) if row["max_value"] is not None else None
        row["sort_order"] = int(row["sort_order"])
        rows.append(row)
    return rows


def target_district_rows(path: Path | None = None) -> list[dict]:
    return [
        {"project_code": row["project_code"], "admin_code": row["district_code"], "phase": row["phase"] or "I"}
        for row in _read_csv(Path(path) if path else DEFAULT_TARGET_DISTRICTS)
    ]


def admin_unit_rows() -> list[dict]:
    """National, province and district rows from the bundled boundaries."""
    rows = [
        {
            "code": NATIONAL_CODE, "level": "national", "parent_code": None, "province_code": None,
            "district_code": None, "name_en": "Lao PDR", "name_lo": "ສປປ ລາວ",
            "lon": 103.0, "lat": 18.2, "geometry": None, "is_demo": False,
        }
    ]
    for level in ("province", "district"):
        units = load_boundaries(level)
        points = shapely.point_on_surface(units.geometry.values)
        for unit, point in zip(units.itertuples(index=False), points):
            rows.append(
                {
                    "code": unit.code,
                    "level": level,
                    "parent_code": unit.parent_code,
                    "province_code": unit.code[:2],
                    "district_code": unit.code if level == "district" else None,
                    "name_en": unit.name_en,
                    "name_lo": unit.name_lo,
                    "lon": round(point.x, 5),
                    "lat": round(point.y, 5),
                    "geometry": unit.geometry,
                    "is_demo": False,
                }
            )
    return rows


def load_reference_data(conn: Connection, target_districts_csv: Path | None = None) -> None:
    """Replace projects, indicators, provinces/districts and target areas in one transaction.

    Villages and observations are left alone: they come from imports or the demo.
    """
    conn.execute(delete(TargetArea))
    existing_units = {code for (code,) in conn.execute(AdminUnit.__table__.select().with_only_columns(AdminUnit.code))}
    for row in admin_unit_rows():
        if row["code"] in existing_units:
            conn.execute(AdminUnit.__table__.update().where(AdminUnit.code == row["code"]).values(**row))
        else:
            conn.execute(insert(AdminUnit), [row])
    existing_projects = {code for (code,) in conn.execute(Project.__table__.select().with_only_columns(Project.code))}
    for row in project_rows():
        if row["code"] in existing_projects:
            conn.execute(Project.__table__.update().where(Project.code == row["code"]).values(**row))
        else:
            conn.execute(insert(Project), [row])
    existing_indicators = {code for (code,) in conn.execute(Indicator.__table__.select().with_only_columns(Indicator.code))}
    for row in indicator_rows():
        if row["code"] in existing_indicators:
            conn.execute(Indicator.__table__.update().where(Indicator.code == row["code"]).values(**row))
        else:
            conn.execute(insert(Indicator), [row])
    conn.execute(insert(TargetArea), target_district_rows(target_districts_csv))
