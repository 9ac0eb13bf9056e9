"""The naive approach the issue compares against: every row of the indicator into pandas, aggregated there.

What a callback would do without the rollup table and SQL aggregation: read all the indicator's
village rows (every month) with their district and province, then keep the month and sum
numerators and denominators (or values) per district in pandas.
"""
import time

import pandas as pd
from sqlalchemy import Engine, text

SQL = text(
    "SELECT o.admin_code, o.period, o.value, o.numerator, o.denominator, a.district_code, a.province_code "
    "FROM observation o JOIN admin_unit a ON a.code = o.admin_code WHERE o.indicator_code = :indicator"
)


def naive_district_map(engine: Engine, indicator: str, period: str) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = pd.read_sql(SQL, conn, params={"indicator": indicator})
    month = frame[frame["period"] == period]
    grouped = month.groupby("district_code")[["value", "numerator", "denominator"]].sum(min_count=1)
    grouped["ratio"] = grouped["numerator"] / grouped["denominator"]
    return grouped


def naive_ms(engine: Engine, indicator: str, period: str, repeat: int = 2) -> float:
    """Median wall time of the naive computation in milliseconds (the database's page cache warm)."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        naive_district_map(engine, indicator, period)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return round(timings[len(timings) // 2], 1)
