"""The kept convergence counts give the live counts' numbers, month by month, and follow imports and rollbacks."""
import pytest
from sqlalchemy import text

from data.importer_db import demo_copy
from data_access import convergence_rollup
from data_access.importers import ImportOptions, import_bytes
from data_access.importers.history import rollback_batch
from data_access.periods import add_months
from data_access.queries.catalogue import months_with_data
from data_access.queries.convergence import convergence_by_district, target_village_share_all_projects
from data_access.queries.phase2 import village_project_mix
from data_access.rollup import rebuild_rollups


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    with demo_copy(request.param, tmp_path) as engine:
        yield engine


def _answers(conn, month: str) -> tuple:
    return (convergence_by_district(conn, month).round(9).to_dict("records"),
            convergence_by_district(conn, month, "07").round(9).to_dict("records"),
            target_village_share_all_projects(conn, month), target_village_share_all_projects(conn, month, "0703"),
            village_project_mix(conn, month).to_dict("records"))


def _kept_and_live(conn, months: list[str]) -> tuple[list, list]:
    """The pages' answers from the kept counts, then from the live query (the table emptied, rolled back)."""
    kept = [_answers(conn, month) for month in months]
    transaction = conn.begin_nested() if conn.in_transaction() else conn.begin()
    conn.execute(text("DELETE FROM convergence_rollup"))
    assert convergence_rollup.project_mix(conn, months[0]) is None
    live = [_answers(conn, month) for month in months]
    transaction.rollback()
    return kept, live


def test_every_month_is_built_and_reads_as_the_live_count(engine):
    with engine.connect() as conn:
        months = months_with_data(conn)
        built = {period for (period,) in conn.execute(text(
            "SELECT period FROM convergence_rollup WHERE district_code = '00'"))}
        assert built == set(months)
        sample = months[::7] + [months[-1]]
        kept, live = _kept_and_live(conn, sample)
    assert kept == live
    assert any(answer[2]["n_all"] > 0 for answer in kept), "the demo reaches villages with all five projects"


def test_an_import_of_coverage_rebuilds_the_months_whose_window_holds_it_and_a_rollback_undoes_it(engine):
    with engine.connect() as conn:
        months = months_with_data(conn)
        coverage = conn.execute(text("SELECT coverage_indicator FROM project WHERE code = 'HANSA'")).scalar_one()
        villages = [code for (code,) in conn.execute(text(
            "SELECT code FROM admin_unit WHERE level = 'village' ORDER BY code LIMIT 40"))]
        before = [_answers(conn, month) for month in months[:14]]
    month = months[12]  # the window of the 12 newest months holds it
    lines = ["indicator_code,admin_code,period,value\n"] + [f"{coverage},{code},{month},5\n" for code in villages]
    report = import_bytes(engine, "".join(lines).encode(), "coverage.csv", ImportOptions())
    assert report.status == "applied", report.problems[:3]
    with engine.connect() as conn:
        kept, live = _kept_and_live(conn, months[:14])
    assert kept == live
    assert kept != before, "the import reached villages the counts now include"
    with engine.begin() as conn:
        rollback_batch(conn, report.batch_id)
    with engine.connect() as conn:
        assert [_answers(conn, month) for month in months[:14]] == before


def test_a_new_month_of_other_data_is_built_too(engine):
    with engine.connect() as conn:
        newest = months_with_data(conn)[0]
        village = conn.execute(text("SELECT code FROM admin_unit WHERE level = 'village' ORDER BY code")).scalar()
    new_month = add_months(newest, 1)
    report = import_bytes(engine, f"indicator_code,admin_code,period,value\nSBCC_SESSIONS,{village},{new_month},3\n"
                          .encode(), "new-month.csv", ImportOptions())
    assert report.status == "applied", report.problems[:3]
    with engine.connect() as conn:
        assert convergence_rollup.project_mix(conn, new_month) is not None
        kept, live = _kept_and_live(conn, [new_month])
    assert kept == live


def test_a_database_from_before_the_table_is_answered_live_until_rebuilt(engine):
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM convergence_rollup"))
    with engine.connect() as conn:
        month = months_with_data(conn)[0]
        assert convergence_rollup.project_mix(conn, month) is None
        live = _answers(conn, month)
    with engine.begin() as conn:
        rebuild_rollups(conn)
    with engine.connect() as conn:
        assert convergence_rollup.project_mix(conn, month) is not None
        assert _answers(conn, month) == live


def test_months_reached_by_a_period_are_it_and_the_eleven_after():
    assert convergence_rollup.months_reached_by(["2024-12"]) == {add_months("2024-12", n) for n in range(12)}
    assert convergence_rollup.months_reached_by(["2024", "2024-Q4"]) == set()
