"""The naive approach the issue compares against: every row of the action's indicators into pandas, aggregated there.

What a callback would do without the rollup tables and SQL aggregation: read all the village rows
(every month) of each indicator the action shows, with their district and province, then keep
the month and sum numerators and denominators (or values) per district in pandas. An action
showing several indicators (the Overview's five cards and its map, the results framework, the
district comparison) reads each of them: the naive version of the same page.
"""
import time

import pandas as pd
from sqlalchemy import Engine, bindparam, text

SQL = text(
    "SELECT o.indicator_code, o.admin_code, o.period, o.value, o.numerator, o.denominator, a.district_code, "
    "a.province_code FROM observation o JOIN admin_unit a ON a.code = o.admin_code "
    "WHERE o.indicator_code IN :indicators"
).bindparams(bindparam("indicators", expanding=True))

COVERAGE = "coverage"     # the five projects' coverage indicators (convergence)
FRAMEWORK = "framework"   # every indicator with a results-framework target
COMPARABLE = "comparable"  # what Compare districts can show
LINKED = "linked"  # the indicators agreed actions are linked to


def resolve(engine: Engine, names: tuple[str, ...]) -> list[str]:
    """Indicator codes for an action's list, expanding the named groups from the database."""
    from data_access.queries.districts import comparison_indicators

    codes: list[str] = []
    with engine.connect() as conn:
        for name in names:
            if name == COVERAGE:
                codes += [code for (code,) in conn.execute(text(
                    "SELECT coverage_indicator FROM project WHERE coverage_indicator IS NOT NULL ORDER BY sort_order"))]
            elif name == FRAMEWORK:
                codes += [code for (code,) in conn.execute(text("SELECT DISTINCT indicator_code FROM target ORDER BY 1"))]
            elif name == COMPARABLE:
                codes += list(comparison_indicators(conn)["code"])
            elif name == LINKED:
                codes += [code for (code,) in conn.execute(text(
                    "SELECT DISTINCT indicator_code FROM agreed_action WHERE indicator_code IS NOT NULL ORDER BY 1"))]
            else:
                codes.append(name)
    return list(dict.fromkeys(codes))


def naive_district_map(engine: Engine, indicators: list[str], period: str) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = pd.read_sql(SQL, conn, params={"indicators": indicators})
    month = frame[frame["period"] == period]
    grouped = month.groupby(["indicator_code", "district_code"])[["value", "numerator", "denominator"]].sum(min_count=1)
    grouped["ratio"] = grouped["numerator"] / grouped["denominator"]
    return grouped


def naive_ms(engine: Engine, indicators: list[str], period: str, repeat: int = 2) -> float:
    """Median wall time of the naive computation in milliseconds (the database's page cache warm)."""
    naive_district_map(engine, indicators, period)  # the first read pays for the disk
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        naive_district_map(engine, indicators, period)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return round(timings[len(timings) // 2], 1)
