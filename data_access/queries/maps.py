"""What the Map page draws: indicator values per level and period, village reach, the joined layer."""
import csv
import io

import pandas as pd
from sqlalchemy import Connection, select

from data_access.periods import add_months, period_containing, period_start
from data_access.queries.catalogue import admin_unit, admin_units, indicator, projects
from data_access.queries.convergence import DEFAULT_WINDOW_MONTHS, convergence_by_district, village_reach
from data_access.payment_delay import INDICATOR as PAY_DELAY_INDICATOR
from data_access.queries.observations import child_level, indicator_values
from data_access.queries.payments import payment_delay_by_unit
from data_access.queries.quality import reporting_completeness
from data_access.schema import AdminUnit

AREA_TYPES = ("Polygon", "MultiPolygon")

# Survey rounds are years; the latest round up to the chosen month may be several years old.
SURVEY_FIRST_MONTH = "2000-01"


def map_window(meta: dict, as_of: str) -> dict:
    """The periods a map of this indicator "as of" a month covers.

    Monthly indicators: that month. Quarterly / yearly: the quarter / year containing it.
    Surveys: every round up to that month, of which each place shows its latest.
    Returns {"start", "end", "period", "kind"} (kind: month / quarter / year / survey).
    """
    if meta["aggregation"] == "survey":
        return {"start": SURVEY_FIRST_MONTH, "end": as_of, "period": as_of, "kind": "survey"}
    period = period_containing(period_start(as_of), meta["period_type"])
    return {"start": period, "end": period, "period": period, "kind": meta["period_type"]}


def trail(conn: Connection, scope_code: str | None) -> list[dict]:
    """The places from the country down to the scope: [{code, level, name_en, name_lo}, ...]."""
    codes = ["00"]
    if scope_code and scope_code != "00":
        codes += [scope_code[:length] for length in (2, 4, 7) if len(scope_code) >= length]
    places = []
    for code in codes:
        unit = admin_unit(conn, code)
        if unit is None:
            break
        places.append({"code": code, "level": unit["level"], "name_en": unit["name_en"], "name_lo": unit["name_lo"]})
    return places


def map_data(conn: Connection, indicator_code: str, scope_code: str | None, as_of: str) -> dict:
    """Everything an indicator map of the scope's children needs, as of a month.

    The map level is one below the scope: provinces for the country, districts for a
    province, villages for a district. Returns {
      "indicator": catalogue row, "level": map level, "window": map_window(...),
      "units": DataFrame(code, name_en, name_lo, parent_code, lon, lat) of every unit to draw,
      "values": DataFrame(admin_code, name_en, name_lo, value, numerator, denominator,
                std_error, n_units, period, n_reporting, n_expected) for units with data or
                with reporters expected (provinces/districts: completeness; value then NaN),
      "reference": the values of every unit of that level in the whole country (for classes),
      "completeness": {"reporting", "expected"} reporters over the whole map (None for surveys),
      "village_polygons": village_polygons(scope) on a village map, else [],
      "trail": trail(scope)}.
    Units without data are absent from "values" (drawn as "no data", never as zero).
    """
    meta = indicator(conn, indicator_code)
    if meta is None:
        raise KeyError(f"unknown indicator {indicator_code!r}")
    scope = scope_code if scope_code and scope_code != "00" else None
    level = child_level(scope)
    window = map_window(meta, as_of)
    national = indicator_values(conn, indicator_code, level, window["start"], window["end"])
    values = national[national["admin_code"].str.startswith(scope)] if scope else national
    values = values.reset_index(drop=True)
    if level in ("province", "district") and meta["aggregation"] != "survey":
        completeness = reporting_completeness(conn, indicator_code, level, window["start"], window["end"], scope)
        # Outer join: a unit whose expected reporters all stayed silent has no value but
        # must still say "0 of 6 reporting" rather than look like a place with nothing to report.
        values = values.merge(completeness.rename(columns={"code": "admin_code"}), on="admin_code", how="outer")
        values[["n_reporting", "n_expected"]] = values[["n_reporting", "n_expected"]].astype("Int64")
        values = values.sort_values("admin_code").reset_index(drop=True)
        summary = {"reporting": int(values["n_reporting"].fillna(0).sum()),
                   "expected": int(values["n_expected"].fillna(0).sum())}
    else:
        values = values.assign(n_reporting=pd.array([pd.NA] * len(values), dtype="Int64"),
                               n_expected=pd.array([pd.NA] * len(values), dtype="Int64"))
        summary = None
        if level == "village" and meta["aggregation"] != "survey":
            district = reporting_completeness(conn, indicator_code, "district", window["start"], window["end"], scope)
            summary = {"reporting": int(district["n_reporting"].sum()), "expected": int(district["n_expected"].sum())}
    if indicator_code == PAY_DELAY_INDICATOR and level in ("province", "district"):
        # The coloured figure includes the cycles still waiting: say how many, beside it.
        parts = payment_delay_by_unit(conn, level, window["period"], scope)
        values = values.merge(parts.drop(columns="delay_days"), on="admin_code", how="left")
    return {
        "indicator": meta,
        "level": level,
        "window": window,
        "village_polygons": village_polygons(conn, scope) if level == "village" else [],
        "units": admin_units(conn, level, scope)[["code", "name_en", "name_lo", "parent_code", "lon", "lat"]],
        "values": values,
        "reference": national["value"],
        "completeness": summary,
        "trail": trail(conn, scope),
    }


def village_polygons(conn: Connection, district_code: str) -> list[tuple[str, object]]:
    """[(code, shapely geometry)] of the district's villages whose layer gave an area, not a point."""
    rows = conn.execute(
        select(AdminUnit.code, AdminUnit.geometry)
        .where(AdminUnit.level == "village", AdminUnit.code.like(district_code + "%"), AdminUnit.geometry.is_not(None))
        .order_by(AdminUnit.code)
    ).all()
    return [(code, geometry) for code, geometry in rows if geometry is not None and geometry.geom_type in AREA_TYPES]


def convergence_data(conn: Connection, scope_code: str | None, as_of: str,
                     months: int = DEFAULT_WINDOW_MONTHS) -> dict:
    """Village reach by the five projects inside the scope, and the per-district summary.

    Returns {"villages": village_reach(...), "districts": convergence_by_district(...) for the
    scope's RRPM target districts only, "projects": projects(conn), "n_projects": count,
    "units": the scope's child units (code, name_en, name_lo) for drilling, "level": their
    level, "window": {"start", "end"} (months), "trail": trail(scope)}.
    """
    scope = scope_code if scope_code and scope_code != "00" else None
    level = child_level(scope)
    project_list = projects(conn)
    districts = convergence_by_district(conn, as_of, scope, months)
    return {
        "villages": village_reach(conn, as_of, scope, months),
        "districts": districts[districts["is_target"] == 1].reset_index(drop=True),
        "projects": project_list,
        "n_projects": len(project_list),
        "units": admin_units(conn, level, scope)[["code", "name_en", "name_lo", "parent_code", "lon", "lat"]],
        "level": level,
        "window": {"start": add_months(as_of, -(months - 1)), "end": as_of},
        "trail": trail(conn, scope),
    }


JOINED_COLUMNS = ["code", "level", "name_en", "name_lo", "parent_code", "lon", "lat", "indicator_code",
                  "period", "data_period", "value", "numerator", "denominator", "std_error",
                  "n_reporting", "n_expected"]


def joined_layer(conn: Connection, indicator_code: str, scope_code: str | None, as_of: str) -> pd.DataFrame:
    """The current indicator map as one table: every unit drawn, with its value or empty.

    Columns: JOINED_COLUMNS (period = the map's period, data_period = the unit's latest
    period with data in it; value empty where nothing was reported, never zero).
    """
    data = map_data(conn, indicator_code, scope_code, as_of)
    values = data["values"].drop(columns=["name_en", "name_lo"]).rename(
        columns={"admin_code": "code", "period": "data_period"})
    frame = data["units"].merge(values, on="code", how="left")
    frame["level"] = data["level"]
    frame["indicator_code"] = indicator_code
    frame["period"] = data["window"]["period"]
    return frame[JOINED_COLUMNS]


CONVERGENCE_COLUMNS = ["code", "name_en", "name_lo", "district_code", "province_code", "lon", "lat",
                       "is_target", "n_projects"]


def convergence_layer(conn: Connection, scope_code: str | None, as_of: str,
                      months: int = DEFAULT_WINDOW_MONTHS) -> pd.DataFrame:
    """Villages of the scope with the number of projects reaching them and one 0/1 column per project."""
    villages = village_reach(conn, as_of, scope_code if scope_code != "00" else None, months)
    project_columns = [column for column in villages.columns if column not in CONVERGENCE_COLUMNS]
    frame = villages[CONVERGENCE_COLUMNS + project_columns].copy()
    frame.insert(1, "level", "village")
    frame["window_start"] = add_months(as_of, -(months - 1))
    frame["window_end"] = as_of
    return frame


def to_safe_csv(frame: pd.DataFrame, headers: list[str] | None = None) -> str:
    """CSV text (with a BOM so that spreadsheet programs read Lao as UTF-8), formula-safe.

    Text cells starting with = + - @ are neutralised (CSV injection); numbers are written as
    numbers and missing values as empty cells, never as 0.
    """
    # Imported here: the importers package loads every importer, which a map query does not need.
    from data_access.importers.report import neutralise_csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise_csv(str(header)) for header in (headers or list(frame.columns))])
    for record in frame.itertuples(index=False):
        writer.writerow(["" if _is_missing(cell) else neutralise_csv(cell) for cell in record])
    return "\ufeff" + buffer.getvalue()


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
