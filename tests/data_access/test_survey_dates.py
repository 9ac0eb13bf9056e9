"""A survey round counts as the latest only from its own date (fieldwork end or release), on
every page's query, on SQLite and PostgreSQL."""
import datetime as dt

import pytest
from sqlalchemy import text

from data_access.periods import add_months, month_code
from data_access.queries import surveys
from data_access.queries.districts import survey_with_fallback
from data_access.queries.maps import map_data
from data_access.queries.overview import survey_latest_and_baseline
from data_access.queries.targets import progress_table
from data_access.queries.trends import survey_trends

PROVINCE = "07"


@pytest.mark.parametrize("day, period_type, expected", [
    (dt.date(2022, 11, 30), "year", dt.date(2021, 1, 1)),  # 2022 has not ended
    (dt.date(2022, 12, 31), "year", dt.date(2022, 1, 1)),
    (dt.date(2022, 11, 30), "quarter", dt.date(2022, 7, 1)),
    (dt.date(2022, 12, 31), "quarter", dt.date(2022, 10, 1)),
    (dt.date(2022, 11, 30), "month", dt.date(2022, 11, 1)),
    (dt.date(2022, 1, 15), "month", dt.date(2021, 12, 1)),
])
def test_last_period_ended_by(day, period_type, expected):
    assert surveys.last_period_ended_by(day, period_type) == expected


@pytest.mark.parametrize("period, available_on, as_of_end, known", [
    ("2022", dt.date(2022, 10, 31), dt.date(2022, 9, 30), False),  # before its fieldwork ended
    ("2022", dt.date(2022, 10, 31), dt.date(2022, 10, 31), True),  # from that very day
    ("2022", dt.date(2022, 10, 31), dt.date(2022, 11, 30), True),
    ("2023", dt.date(2024, 1, 31), dt.date(2023, 12, 31), False),  # released the next year
    ("2023", dt.date(2024, 1, 31), dt.date(2024, 1, 31), True),
    ("2022", None, dt.date(2022, 11, 30), False),  # no date: from the end of its period
    ("2022", None, dt.date(2022, 12, 31), True),
    ("2022", None, dt.date(2022, 1, 31), False),  # never from 1 January
])
def test_a_round_is_known_from_its_own_date(period, available_on, as_of_end, known):
    assert surveys.is_known(period, available_on, as_of_end) is known


def _round_dates(conn) -> dict[str, dt.date]:
    rows = conn.execute(text("SELECT period, available_on FROM survey_round WHERE indicator_code = 'STUNTING'"))
    return {period: day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10]) for period, day in rows}


def _province_round(conn) -> tuple[str, str, str]:
    """A province round of the demo with an earlier round before it, and the months just before
    and at its date: (period, month before, month of)."""
    dates = _round_dates(conn)
    periods = sorted(period for (period,) in conn.execute(text(
        "SELECT period FROM observation WHERE indicator_code = 'STUNTING' AND admin_code = :code"), {"code": PROVINCE}))
    period = next(p for p in periods[1:] if p in dates and dates[p] > dt.date(int(p), 1, 31))
    known = month_code(dates[period])
    return period, add_months(known, -1), known


def test_the_demo_records_when_its_rounds_became_known(demo_engine):
    with demo_engine.connect() as conn:
        dates = _round_dates(conn)
        periods = {period for (period,) in conn.execute(text(
            "SELECT DISTINCT period FROM observation WHERE indicator_code = 'STUNTING'"))}
    assert set(dates) == periods
    # None of them is known on 1 January of its year.
    assert all(day > dt.date(int(period), 1, 1) for period, day in dates.items())


def test_every_latest_survey_query_waits_for_the_rounds_date(demo_engine):
    with demo_engine.connect() as conn:
        period, before, known = _province_round(conn)
        district = conn.execute(text(
            "SELECT MIN(admin_code) FROM observation WHERE indicator_code = 'STUNTING' AND period = :p "
            "AND admin_code LIKE :prefix"), {"p": period, "prefix": PROVINCE + "__"}).scalar()
        results = {}
        for month in (before, known):
            overview = survey_latest_and_baseline(conn, "STUNTING", PROVINCE, month)
            trend = survey_trends(conn, "STUNTING", PROVINCE, month)["series"]
            shown = map_data(conn, "STUNTING", None, month)["values"].set_index("admin_code")
            compared = survey_with_fallback(conn, "STUNTING", [district], month).set_index("district_code")
            targets = progress_table(conn, PROVINCE, month).set_index("indicator_code")
            results[month] = {
                "overview": overview["latest"]["period"],
                "trends": trend.loc[trend["role"] == "scope", "period"].max(),
                "map": shown.loc[PROVINCE, "period"],
                "districts": compared.loc[district, "period"],
                "targets": targets.loc["STUNTING", "actual_period"],
            }
    assert all(value < period for value in results[before].values()), results[before]
    assert all(value == period for value in results[known].values()), results[known]


def test_district_small_multiples_wait_for_the_rounds_date_too(demo_engine):
    from data_access.queries.districts import district_trends

    with demo_engine.connect() as conn:
        period, before, known = _province_round(conn)
        codes = [code for (code,) in conn.execute(text(
            "SELECT DISTINCT admin_code FROM observation WHERE indicator_code = 'STUNTING' AND period = :p "
            "AND LENGTH(admin_code) = 4 AND admin_code LIKE :prefix"), {"p": period, "prefix": PROVINCE + "__"})]
        earlier = district_trends(conn, "STUNTING", codes, before)
        later = district_trends(conn, "STUNTING", codes, known)
    assert codes
    assert period not in set(earlier["series"]["period"]) and period not in set(earlier["provinces"]["period"])
    assert period in set(later["series"]["period"]) and period in set(later["provinces"]["period"])
