"""The optional released_on column: a survey round counts from that day; bad dates are
reported by row and column and change nothing; rollback puts the earlier date back. Both backends."""
import datetime as dt

import pytest
from sqlalchemy import text

from data.importer_db import demo_copy, row_counts
from data_access.importers import import_bytes
from data_access.importers.history import rollback_batch
from data_access.queries.overview import survey_latest_and_baseline

PROVINCE = "07"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    with demo_copy(request.param, tmp_path) as engine:
        yield engine


def _date(engine, period: str):
    with engine.connect() as conn:
        value = conn.execute(text("SELECT available_on FROM survey_round WHERE indicator_code = 'STUNTING' "
                                  "AND period = :p"), {"p": period}).scalar()
    return value if value is None or isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _latest(engine, as_of: str) -> str:
    with engine.connect() as conn:
        return survey_latest_and_baseline(conn, "STUNTING", PROVINCE, as_of)["latest"]["period"]


def _round_value(engine, period: str):
    with engine.connect() as conn:
        return conn.execute(text("SELECT value, std_error FROM observation WHERE indicator_code = 'STUNTING' "
                                 "AND admin_code = :a AND period = :p"), {"a": PROVINCE, "p": period}).one()


def test_a_release_date_decides_from_when_the_round_is_the_latest(engine):
    before = _date(engine, "2022")
    value, std_error = _round_value(engine, "2022")
    csv = ("indicator_code,admin_code,period,value,std_error,released_on\n"
           f"STUNTING,{PROVINCE},2022,{value},{std_error},2023-03-31\n").encode()
    report = import_bytes(engine, csv, "midline_dates.csv")
    assert report.status == "applied", [p.rule for p in report.problems]
    assert _date(engine, "2022") == dt.date(2023, 3, 31)
    assert _latest(engine, "2023-02") < "2022"
    assert _latest(engine, "2023-03") == "2022"
    with engine.begin() as conn:
        rollback_batch(conn, report.batch_id)
    assert _date(engine, "2022") == before


def test_a_round_without_a_date_counts_from_the_end_of_its_year(engine):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM survey_round WHERE indicator_code = 'STUNTING' AND period = '2022'"))
    assert _latest(engine, "2022-11") < "2022"
    assert _latest(engine, "2022-12") == "2022"


@pytest.mark.parametrize("rows, problems", [
    ("CCT_PAID,0703001,2023-05,3,,2023-06-30\n", [(2, "released_on", "release_date_not_survey")]),
    ("STUNTING,07,2022,40.0,2.0,2021-12-31\n", [(2, "released_on", "release_date_before_period")]),
    ("STUNTING,07,2022,40.0,2.0,soon\n", [(2, "released_on", "invalid_date")]),
    ("STUNTING,07,2022,40.0,2.0,2022-10-31\nSTUNTING,08,2022,30.0,2.0,2022-11-30\n",
     [(3, "released_on", "release_date_conflict")]),
])
def test_bad_release_dates_name_row_and_column_and_change_nothing(engine, rows, problems):
    counts = row_counts(engine)
    dates = _date(engine, "2022")
    report = import_bytes(engine, ("indicator_code,admin_code,period,value,std_error,released_on\n" + rows).encode(),
                          "dates.csv")
    assert [(p.row, p.column, p.rule) for p in report.problems if p.severity == "error"] == problems
    assert report.status == "rejected"
    assert row_counts(engine) == counts and _date(engine, "2022") == dates
    for problem in report.problems:
        assert problem.message("en") and problem.message("lo")
