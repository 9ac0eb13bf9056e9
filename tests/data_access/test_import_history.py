"""Import batches: corrected files replace values and keep the old ones; every batch can be listed and rolled back."""
import pytest
from sqlalchemy import text

from data.importer_db import DATA_DIR, demo_copy, row_counts
from data_access.importers import ImportOptions, import_path
from data_access.importers.history import RollbackRefused, batch_record, list_batches, rollback_batch
from data_access.queries.observations import scope_value


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    with demo_copy(request.param, tmp_path) as engine:
        yield engine


def run(engine, name: str, **options):
    return import_path(engine, DATA_DIR / name, ImportOptions(**options))


def rollback(engine, batch_id: int) -> dict:
    with engine.begin() as conn:
        return rollback_batch(conn, batch_id)


def values(engine, indicator: str, admin: str, period: str) -> tuple:
    with engine.connect() as conn:
        return tuple(conn.execute(
            text("SELECT value, numerator, denominator, std_error, source, batch_id FROM observation "
                 "WHERE indicator_code = :i AND admin_code = :a AND period = :p"),
            {"i": indicator, "a": admin, "p": period}).first() or ())


def dashboard_value(engine, indicator: str, scope: str, period: str):
    with engine.connect() as conn:
        return scope_value(conn, indicator, scope, period, period)["value"]


def test_a_corrected_file_replaces_values_and_records_the_previous_ones(engine):
    demo_paid = values(engine, "CCT_PAID", "0703001", "2023-05")
    first = run(engine, "indicators_good.csv")
    corrected = run(engine, "indicators_good_corrected.csv")
    assert corrected.status == "applied"
    # CCT_PAID, CCT_COMPLY_ALL for 0703001 and STUNTING 07 changed; the other four keys are the same.
    assert (corrected.rows_inserted, corrected.rows_replaced, corrected.rows_unchanged) == (0, 3, 4)
    assert values(engine, "CCT_PAID", "0703001", "2023-05")[0] == 40
    with engine.connect() as conn:
        history = conn.execute(text(
            "SELECT batch_id, action, indicator_code, admin_code, old_value, old_batch_id FROM observation_history "
            "WHERE indicator_code = 'CCT_PAID' AND admin_code = '0703001' ORDER BY id")).all()
    assert [tuple(row) for row in history] == [
        (first.batch_id, "replace", "CCT_PAID", "0703001", demo_paid[0], demo_paid[5]),
        (corrected.batch_id, "replace", "CCT_PAID", "0703001", 38, first.batch_id),
    ]


def test_replace_then_rollback_restores_the_old_values_and_the_dashboard(engine):
    before_values = values(engine, "STUNTING", "07", "2023")
    before_dashboard = dashboard_value(engine, "CCT_COMPLY_ALL", "0703", "2023-05")
    counts = row_counts(engine)
    first = run(engine, "indicators_good.csv")
    corrected = run(engine, "indicators_good_corrected.csv")
    assert values(engine, "STUNTING", "07", "2023")[0] == 43.8
    assert dashboard_value(engine, "CCT_COMPLY_ALL", "0703", "2023-05") != pytest.approx(before_dashboard)

    rollback(engine, corrected.batch_id)
    assert values(engine, "STUNTING", "07", "2023")[:5] == (44.1, None, None, 2.6, "LSIS III")
    assert values(engine, "STUNTING", "07", "2023")[5] == first.batch_id

    rollback(engine, first.batch_id)
    assert values(engine, "STUNTING", "07", "2023") == before_values
    # Rows the first batch added are gone, the demo's are back, and so are the rollups.
    assert values(engine, "SUWASH_LATRINES_BUILT", "0707003", "2023-05") == ()
    assert dashboard_value(engine, "CCT_COMPLY_ALL", "0703", "2023-05") == pytest.approx(before_dashboard)
    after = row_counts(engine)
    assert {key: after[key] for key in ("observation", "observation_rollup", "admin_unit", "target")} == {
        key: counts[key] for key in ("observation", "observation_rollup", "admin_unit", "target")}


def test_every_batch_is_listed_newest_first(engine):
    good = run(engine, "indicators_good.csv")
    lao = run(engine, "indicators_lao.csv")
    with engine.connect() as conn:
        batches = list_batches(conn)
    assert list(batches["id"][:3]) == [lao.batch_id, good.batch_id, 1]
    assert list(batches["kind"][:3]) == ["indicators", "indicators", "demo"]
    newest = batches.iloc[0]
    assert (newest["file_name"], newest["rows_total"], newest["status"]) == ("indicators_lao.csv", 4, "applied")
    assert newest["rows_inserted"] + newest["rows_replaced"] == 4


def test_the_stored_report_lists_the_rows_left_out(engine):
    report = run(engine, "bad_out_of_range.csv", accept_valid_rows=True)
    with engine.connect() as conn:
        record = batch_record(conn, report.batch_id)
    assert record["rows_rejected"] == 4
    stored = record["report"]
    assert stored["status"] == "applied" and stored["batch_id"] == report.batch_id
    assert [(p["row"], p["column"], p["rule"]) for p in stored["problems"]] == [
        (3, "value", "out_of_range"), (4, "numerator", "out_of_range"), (5, "value", "out_of_range"),
        (6, "std_error", "out_of_range")]


def test_a_batch_changed_by_a_later_one_is_rolled_back_only_after_it(engine):
    first = run(engine, "indicators_good.csv")
    later = run(engine, "indicators_excel_dates.xlsx")  # also writes GRIEVANCE_RESOLVED 0703 2023-Q2
    counts = row_counts(engine)
    with pytest.raises(RollbackRefused) as refused:
        rollback(engine, first.batch_id)
    assert refused.value.key == "later_batches" and refused.value.params["batches"] == str(later.batch_id)
    assert row_counts(engine) == counts
    rollback(engine, later.batch_id)
    rollback(engine, first.batch_id)
    with engine.connect() as conn:
        statuses = dict(conn.execute(text("SELECT id, status FROM import_batch")).all())
    assert statuses[first.batch_id] == statuses[later.batch_id] == "rolled_back"


@pytest.mark.parametrize("batch, key", [(1, "not_undoable"), (999, "unknown_batch")])
def test_rollbacks_that_are_refused(engine, batch, key):
    with pytest.raises(RollbackRefused) as refused:
        rollback(engine, batch)
    assert refused.value.key == key


def test_a_rolled_back_batch_cannot_be_rolled_back_twice_but_its_file_imports_again(engine):
    first = run(engine, "indicators_good.csv")
    rollback(engine, first.batch_id)
    with pytest.raises(RollbackRefused) as refused:
        rollback(engine, first.batch_id)
    assert refused.value.key == "not_applied"
    again = run(engine, "indicators_good.csv")
    assert again.status == "applied" and again.batch_id != first.batch_id


def test_rollback_bumps_the_data_version(engine):
    report = run(engine, "indicators_lao.csv")
    version = row_counts(engine)["data_version"]
    rollback(engine, report.batch_id)
    assert int(row_counts(engine)["data_version"]) == int(version) + 1


def test_dhis2_batches_roll_back(engine):
    mapping = DATA_DIR / "dhis2_mapping.csv"
    counts = row_counts(engine)
    report = run(engine, "dhis2_export.json", mapping_name=mapping.name, mapping_data=mapping.read_bytes())
    assert report.rows_inserted == 4
    rollback(engine, report.batch_id)
    after = row_counts(engine)
    assert after["observation"] == counts["observation"]
    assert after["observation_rollup"] == counts["observation_rollup"]


def test_targets_replace_and_roll_back(engine):
    with engine.connect() as conn:
        before = sorted(conn.execute(text("SELECT indicator_code, admin_code, kind, year, value FROM target")).all())
    report = run(engine, "targets_good.csv")
    assert report.rows_inserted + report.rows_replaced == 4
    rollback(engine, report.batch_id)
    with engine.connect() as conn:
        after = sorted(conn.execute(text("SELECT indicator_code, admin_code, kind, year, value FROM target")).all())
    assert after == before
