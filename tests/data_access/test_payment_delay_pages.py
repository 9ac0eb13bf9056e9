"""Every page's payment delay for a district and a province, against plain SQL over payment_cycle rows."""
import datetime as dt
import statistics

import pandas as pd
import pytest
from sqlalchemy import text

from data_access.queries.districts import comparison_districts, district_comparison
from data_access.queries.maps import map_data
from data_access.queries.overview import headline_figures
from data_access.queries.targets import progress_table
from data_access.queries.trends import payment_pipeline

AS_OF = "2022-11"
FIRST, LAST = dt.date(2022, 11, 1), dt.date(2022, 11, 30)
PROVINCE = "07"


def _days(conn, later: str, earlier: str) -> str:
    if conn.dialect.name == "postgresql":
        return f"(CAST({later} AS DATE) - CAST({earlier} AS DATE))"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def recomputed(conn, prefix: str) -> dict:
    """The rule written on the pages, straight from the cycle rows: no code of the application."""
    paid_by_then = "(paid_on IS NOT NULL AND paid_on <= :last)"
    sql = f"""
        SELECT CASE WHEN {paid_by_then} THEN {_days(conn, 'paid_on', 'verified_on')}
                    ELSE {_days(conn, ':last', 'verified_on')} END AS waited,
               CASE WHEN {paid_by_then} THEN 0 ELSE 1 END AS is_open, beneficiaries
        FROM payment_cycle
        WHERE district_code LIKE :prefix AND verified_on IS NOT NULL AND verified_on <= :last
          AND (paid_on IS NULL OR paid_on >= :first)
    """
    rows = [row for row in conn.execute(text(sql), {"prefix": prefix + "%", "first": FIRST, "last": LAST})
            if row.waited >= 0]
    waits = [row.waited for row in rows]
    open_waits = [row.waited for row in rows if row.is_open]
    paid_waits = [row.waited for row in rows if not row.is_open]
    return {
        "delay_days": float(statistics.median(waits)) if waits else None,
        "n_open": len(open_waits),
        "beneficiaries_waiting": sum(row.beneficiaries for row in rows if row.is_open) if open_waits else None,
        "longest_open_days": float(max(open_waits)) if open_waits else None,
        "median_open_days": float(statistics.median(open_waits)) if open_waits else None,
        "n_paid": len(paid_waits),
        "median_paid_days": float(statistics.median(paid_waits)) if paid_waits else None,
    }


def _district_with_open_cycle(conn) -> str:
    """A district of the province with a cycle still waiting at the end of the month (the case that matters)."""
    return conn.execute(text("""
        SELECT MIN(district_code) FROM payment_cycle
        WHERE district_code LIKE :prefix AND verified_on <= :last AND (paid_on IS NULL OR paid_on > :last)
    """), {"prefix": PROVINCE + "%", "last": LAST}).scalar()


def _map_row(conn, scope: str | None, code: str) -> dict:
    values = map_data(conn, "CCT_PAY_DELAY", scope, AS_OF)["values"].set_index("admin_code")
    return {key: (None if pd.isna(value) else value) for key, value in values.loc[code].items()}


def _targets_actual(conn, scope: str) -> float:
    table = progress_table(conn, scope, AS_OF)
    row = table[table["indicator_code"] == "CCT_PAY_DELAY"].iloc[0]
    assert row["actual_period"] == AS_OF
    return float(row["actual"])


@pytest.mark.parametrize("level", ["district", "province"])
def test_every_page_shows_the_payment_delay_recomputed_from_the_cycles(demo_engine, level):
    with demo_engine.connect() as conn:
        district = _district_with_open_cycle(conn)
        assert district, "the demo must have a cycle waiting in the province at the end of the month"
        code = district if level == "district" else PROVINCE
        expected = recomputed(conn, code)
        assert expected["n_open"] >= 1
        overview = headline_figures(conn, code, AS_OF)["payment_delay"]
        trends = payment_pipeline(conn, code, AS_OF)["delay"]
        shown = {
            "overview": overview["delay_days"],
            "trends": trends["delay_days"],
            "targets": _targets_actual(conn, code),
        }
        map_row = _map_row(conn, PROVINCE if level == "district" else None, code)
        shown["map"] = float(map_row["value"])
        if level == "district":
            codes = list(comparison_districts(conn, province=PROVINCE)["code"])
            cells = district_comparison(conn, codes, AS_OF)["cells"]
            cell = cells[(cells["indicator_code"] == "CCT_PAY_DELAY") & (cells["district_code"] == code)].iloc[0]
            assert cell["period"] == AS_OF and cell["status"] == "current"
            shown["district ranking"] = float(cell["value"])
            ranking_parts = cell["payment_delay"]
    assert shown == {page: expected["delay_days"] for page in shown}
    for part in expected:
        assert overview[part] == expected[part], part
        assert trends[part] == expected[part], part
        if part != "delay_days":  # the map's hover and the ranking's cell tip tell the same parts
            assert map_row[part] == expected[part], part
            if level == "district":
                assert ranking_parts[part] == expected[part], part


def test_open_cycles_decide_who_ranks_worst(demo_engine):
    """The district ranking orders districts by the same figure, open cycles included."""
    with demo_engine.connect() as conn:
        codes = list(comparison_districts(conn, province=PROVINCE)["code"])
        cells = district_comparison(conn, codes, AS_OF)["cells"]
        delay = cells[(cells["indicator_code"] == "CCT_PAY_DELAY") & cells["value"].notna()]
        expected = {code: recomputed(conn, code)["delay_days"] for code in delay["district_code"]}
    assert dict(zip(delay["district_code"], delay["value"])) == expected
    worst = set(delay.loc[delay["is_worst"], "district_code"])
    assert worst == {code for code, value in expected.items() if value == max(expected.values())}
