"""What every part of the demo generator shares: the seeded streams, the calendar, the villages and the bulk writer.

The names keep their leading underscore: they are the demo modules' own tools
(data_access.demo, data_access.demo_cct), not an interface for the rest of the code.
"""
import datetime as dt
import itertools
import zlib
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
from sqlalchemy import Connection

from data_access.periods import month_range, period_end, period_start

CLOSING_MONTH = "2024-08"
MISSING_REPORT_SHARE = 0.03
STALE_MONTHS = 4
# Lockdowns in Lao PDR (Apr-May 2020, late Apr-Jun 2021) stopped village gatherings.
LOCKDOWN_MONTHS = frozenset({"2020-04", "2020-05", "2021-05", "2021-06"})

_SQLITE_CHUNK = 50_000
_OBS_COLUMNS = (
    "indicator_code", "admin_code", "period", "period_start", "value", "numerator",
    "denominator", "std_error", "source", "batch_id",
)


def _rng(seed: int, part: str) -> np.random.Generator:
    # One stream per part, so that changing how one part draws leaves the others intact.
    return np.random.default_rng([seed, zlib.crc32(part.encode())])



def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)



def _month_index(months: list[str], month: str) -> int:
    """Index of month in the model calendar; may be negative or past the end."""
    first = period_start(months[0])
    day = period_start(month)
    return (day.year - first.year) * 12 + day.month - first.month


def _quarters(first_month: str, last_month: str, not_before: str | None = None) -> list[str]:
    """Quarters lying wholly inside [first_month, last_month] (a quarter is reported once complete)."""
    quarters = []
    for month in month_range(first_month, last_month):
        start = period_start(month)
        if start.month % 3 != 1:
            continue
        if period_end(f"{start.year}-Q{(start.month - 1) // 3 + 1}") > period_end(last_month):
            continue
        if not_before is not None and month < not_before:
            continue
        quarters.append(f"{start.year}-Q{(start.month - 1) // 3 + 1}")
    return quarters



class _ObservationSink:
    """Bulk writer: executemany in chunks on SQLite, COPY on PostgreSQL."""

    def __init__(self, conn: Connection, batch_id: int, stop_reporting: dict[str, str] | None = None) -> None:
        self.conn = conn
        self.batch_id = batch_id
        self.counts: dict[str, int] = {}
        # {district code: first silent month}: every report of the district's units from
        # that period on is dropped, as if its reports had stopped arriving.
        self.stops = [(code, f"{month}-01") for code, month in sorted((stop_reporting or {}).items())]
        self.postgres = conn.dialect.name == "postgresql"
        placeholders = ", ".join(["?"] * len(_OBS_COLUMNS))
        self._sqlite_sql = f"INSERT INTO observation ({', '.join(_OBS_COLUMNS)}) VALUES ({placeholders})"
        self._copy_sql = f"COPY observation ({', '.join(_OBS_COLUMNS)}) FROM STDIN"

    @staticmethod
    def _column(values: np.ndarray | None, n: int):
        if values is None:
            return itertools.repeat(None, n)
        values = np.asarray(values)
        if values.dtype.kind in "iub":
            return values.astype(np.int64).tolist()
        out = values.astype(np.float64).tolist()
        # NaN marks "not applicable" (a ratio with nothing to divide by): store NULL.
        return [None if v != v else v for v in out]

    def add(self, indicator: str, admin: np.ndarray, period: np.ndarray, start: np.ndarray, *,
            value=None, numerator=None, denominator=None, std_error=None, source: str) -> None:
        if self.stops and len(admin):
            codes = np.asarray(admin).astype(str)
            starts = np.asarray(start).astype(str)
            keep = np.ones(len(codes), dtype=bool)
            for district, first_silent in self.stops:
                keep &= ~(np.char.startswith(codes, district) & (starts >= first_silent))
            if not keep.all():
                admin, period, start = np.asarray(admin)[keep], np.asarray(period)[keep], np.asarray(start)[keep]
                value, numerator, denominator, std_error = (
                    None if column is None else np.asarray(column)[keep]
                    for column in (value, numerator, denominator, std_error))
        n = len(admin)
        if n == 0:
            return
        rows = list(zip(
            itertools.repeat(indicator, n), admin.tolist(), period.tolist(), start.tolist(),
            self._column(value, n), self._column(numerator, n), self._column(denominator, n),
            self._column(std_error, n), itertools.repeat(source, n), itertools.repeat(self.batch_id, n),
        ))
        self.counts[indicator] = self.counts.get(indicator, 0) + n
        if self.postgres:
            with self.conn.connection.driver_connection.cursor() as cursor:
                with cursor.copy(self._copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            for offset in range(0, n, _SQLITE_CHUNK):
                self.conn.exec_driver_sql(self._sqlite_sql, rows[offset:offset + _SQLITE_CHUNK])

    @property
    def total(self) -> int:
        return sum(self.counts.values())




@dataclass
class _World:
    """Calendar and villages shared by every part of the generator."""

    seed: int
    months: list[str]           # model calendar (from MODEL_FIRST_MONTH or earlier)
    emit_from: int              # index of first_month in months
    month_codes: np.ndarray
    month_starts: np.ndarray
    data_end: dt.date
    villages: gpd.GeoDataFrame  # code, parent_code, province, is_target, households, geometry
    target_districts: list[str]
    provinces_in_scope: list[str]
    # The target district whose village CCT reports stop STALE_MONTHS before the end.
    stale_district: str | None
    codes: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.codes = self.villages["code"].to_numpy(dtype=object)

    @property
    def n_villages(self) -> int:
        return len(self.villages)

    @property
    def n_months(self) -> int:
        return len(self.months)

    def t(self, month: str) -> int:
        return _month_index(self.months, month)

    def emit(self, sink: _ObservationSink, indicator: str, mask: np.ndarray, *, source: str,
             value=None, numerator=None, denominator=None, multiplier: float = 1.0) -> None:
        """Write village x month cells where mask is true (and the month is in the window)."""
        mask = mask.copy()
        mask[:, : self.emit_from] = False
        vi, ti = np.nonzero(mask)
        ratio_value = None
        if numerator is not None:
            num = numerator[vi, ti]
            den = denominator[vi, ti]
            with np.errstate(invalid="ignore", divide="ignore"):
                ratio_value = np.where(den > 0, num / np.where(den > 0, den, 1) * multiplier, np.nan)
            numerator, denominator = num, den
        sink.add(
            indicator, self.codes[vi], self.month_codes[ti], self.month_starts[ti],
            value=value[vi, ti] if value is not None else ratio_value,
            numerator=numerator, denominator=denominator, source=source,
        )


# --------------------------------------------------------------------------- villages
