"""The streamed import path (staging table, COPY on PostgreSQL, rollups of the changed periods only) on both backends."""
import pytest
from sqlalchemy import text

from data.importer_db import demo_copy, row_counts
from data_access.importers import ImportOptions, import_bytes
from data_access.importers.history import rollback_batch
from data_access.periods import add_months
from data_access.rollup import rebuild_rollups

HEADER = "indicator_code,admin_code,period,numerator,denominator,value\n"
ROLLUP = ("SELECT indicator_code, level, admin_code, period, value_sum, numerator, denominator, std_error, n_units, "
          "carried_value, carried_units, oldest_carried_period FROM observation_rollup")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    with demo_copy(request.param, tmp_path) as engine:
        yield engine


def _villages(engine) -> list[str]:
    with engine.connect() as conn:
        return [code for (code,) in conn.execute(text(
            "SELECT code FROM admin_unit WHERE level = 'village' ORDER BY code"))]


def _rollup(engine) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.execute(text(ROLLUP)).all()
    return sorted((tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows),
                  key=lambda row: tuple("" if v is None else str(v) for v in row))


def _latest(engine, indicator: str) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT MAX(period) FROM observation WHERE indicator_code = :i"),
                            {"i": indicator}).scalar()


def _big_file(villages: list[str], rows: int, bad_row: int | None = None) -> bytes:
    """`rows` valid village-month rows of a ratio and a count, 2001 onwards; row `bad_row` (as a spreadsheet
    numbers it: header = 1) gets a numerator above its denominator."""
    lines, number = [HEADER], 1
    month = "2001-01"
    while number <= rows:
        for village in villages:
            for indicator in ("HANSA_ANC4", "SBCC_SESSIONS"):
                number += 1
                if number > rows + 1:
                    break
                if indicator == "HANSA_ANC4":
                    numerator = 9 if number == bad_row else number % 7
                    lines.append(f"HANSA_ANC4,{village},{month},{numerator},8,\n")
                else:
                    lines.append(f"SBCC_SESSIONS,{village},{month},,,{number % 5}\n")
        month = add_months(month, 1)
    return "".join(lines).encode()


def test_rollups_of_the_imported_periods_equal_a_full_rebuild(engine):
    villages = _villages(engine)
    ratio_month = _latest(engine, "HANSA_ANC4")
    stock_month = add_months(_latest(engine, "CCT_REGISTERED"), -3)  # a stock: carried into the months after it
    lines = [HEADER]
    lines += [f"HANSA_ANC4,{code},{ratio_month},{i % 5},5,\n" for i, code in enumerate(villages[:40])]
    lines += [f"CCT_REGISTERED,{code},{stock_month},,,{100 + i}\n" for i, code in enumerate(villages[::3])]
    lines += [f"SBCC_SESSIONS,{code},{add_months(ratio_month, 1)},,,{i % 4}\n" for i, code in enumerate(villages[:10])]
    report = import_bytes(engine, "".join(lines).encode(), "month.csv", ImportOptions())
    assert report.status == "applied", report.problems[:3]
    assert report.rows_inserted + report.rows_replaced > 0
    partial = _rollup(engine)
    with engine.begin() as conn:
        rebuild_rollups(conn)
    assert partial == _rollup(engine)
    # and the rollback's rebuild agrees too
    with engine.begin() as conn:
        rollback_batch(conn, report.batch_id)
    after_rollback = _rollup(engine)
    with engine.begin() as conn:
        rebuild_rollups(conn)
    assert after_rollback == _rollup(engine)


def test_a_partial_rebuild_of_a_stock_reaches_the_months_it_carries_into(engine):
    month = add_months(_latest(engine, "CCT_REGISTERED"), -2)
    code = _villages(engine)[0]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM observation WHERE indicator_code = 'CCT_REGISTERED' AND admin_code = :a "
                          "AND period > :p"), {"a": code, "p": month})
        rebuild_rollups(conn)
    report = import_bytes(engine, f"indicator_code,admin_code,period,value\nCCT_REGISTERED,{code},{month},777\n".encode(),
                          "stock.csv", ImportOptions())
    assert report.status == "applied"
    partial = _rollup(engine)
    carried = [row for row in partial if row[0] == "CCT_REGISTERED" and row[2] == code[:4] and row[3] > month]
    assert carried and all(row[9] is not None and row[9] >= 777 for row in carried)
    with engine.begin() as conn:
        rebuild_rollups(conn)
    assert partial == _rollup(engine)


def test_a_rollback_restores_the_values_the_import_replaced(engine):
    month = _latest(engine, "HANSA_ANC4")
    with engine.connect() as conn:
        stored = conn.execute(text(
            "SELECT admin_code, value, numerator, denominator, source, batch_id FROM observation "
            "WHERE indicator_code = 'HANSA_ANC4' AND period = :p ORDER BY admin_code"), {"p": month}).all()
    assert len(stored) >= 5
    before = row_counts(engine)
    rollup_before = _rollup(engine)
    lines = [HEADER] + [f"HANSA_ANC4,{code},{month},1,4,\n" for code, *_ in stored]
    lines.append(f"HANSA_ANC4,{stored[0][0]},{add_months(month, 1)},2,4,\n")
    report = import_bytes(engine, "".join(lines).encode(), "replace.csv", ImportOptions())
    assert report.status == "applied"
    assert report.rows_inserted == 1 and report.rows_replaced + report.rows_unchanged == len(stored)
    assert report.rows_replaced > 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM observation WHERE indicator_code = 'HANSA_ANC4' "
                                 "AND period = :p AND value = 25"), {"p": month}).scalar_one() == len(stored)
    with engine.begin() as conn:
        rollback_batch(conn, report.batch_id)
    with engine.connect() as conn:
        restored = conn.execute(text(
            "SELECT admin_code, value, numerator, denominator, source, batch_id FROM observation "
            "WHERE indicator_code = 'HANSA_ANC4' AND period = :p ORDER BY admin_code"), {"p": month}).all()
    assert restored == stored
    after = row_counts(engine)
    assert {k: v for k, v in after.items() if k not in ("import_batch", "observation_history", "data_version")} == \
        {k: v for k, v in before.items() if k not in ("import_batch", "observation_history", "data_version")}
    assert _rollup(engine) == rollup_before


def test_an_error_near_the_end_of_a_big_file_names_its_row_and_writes_nothing(engine):
    rows, bad = 50_000, 45_000  # an ANC4 row (the ratio: the even rows)
    data = _big_file(_villages(engine), rows, bad_row=bad)
    before = row_counts(engine)
    report = import_bytes(engine, data, "big.csv", ImportOptions(max_mb=100))
    assert report.status == "rejected"
    assert report.rows_total == rows
    assert [(p.rule, p.file, p.row, p.column) for p in report.errors] == [
        ("numerator_exceeds_denominator", "big.csv", bad, "numerator")]
    assert row_counts(engine) == before
    # With the bad row left out, the other 49,999 go in in one batch, and the batch rolls back whole.
    report = import_bytes(engine, data, "big.csv", ImportOptions(max_mb=100, accept_valid_rows=True))
    assert report.status == "applied"
    assert report.rows_inserted + report.rows_replaced + report.rows_unchanged == rows - 1
    with engine.begin() as conn:
        rollback_batch(conn, report.batch_id)
    after = row_counts(engine)
    assert after["observation"] == before["observation"]


def test_a_quote_never_closed_late_in_a_big_file_is_named_and_writes_nothing(engine):
    data = _big_file(_villages(engine), 20_000)
    lines = data.split(b"\n")
    lines[18_000] = lines[18_000].replace(b"HANSA_ANC4,", b'"HANSA_ANC4,', 1) if b"HANSA" in lines[18_000] else \
        lines[18_000].replace(b"SBCC_SESSIONS,", b'"SBCC_SESSIONS,', 1)
    before = row_counts(engine)
    report = import_bytes(engine, b"\n".join(lines), "quote.csv", ImportOptions(max_mb=100))
    assert report.status == "rejected"
    assert [(p.rule, p.row) for p in report.errors] == [("unclosed_quote", 18_001)]
    assert all(p.rule == "unclosed_quote" for p in report.problems)
    assert row_counts(engine) == before


def test_duplicate_keys_found_on_the_staging_table_name_both_rows(engine):
    code = _villages(engine)[0]
    data = (HEADER + f"HANSA_ANC4,{code},2003-01,1,2,\nSBCC_SESSIONS,{code},2003-01,,,3\n"
            f"HANSA_ANC4,{code},2003-01,2,2,\n").encode()
    before = row_counts(engine)
    report = import_bytes(engine, data, "dup.csv", ImportOptions(accept_valid_rows=True))
    assert [(p.rule, p.row, p.params.get("first_row")) for p in report.errors] == [("duplicate_key", 4, 2)]
    assert report.status == "applied" and report.rows_inserted == 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM observation WHERE admin_code = :a AND period = '2003-01'"),
                            {"a": code}).scalar_one() == 1
    assert row_counts(engine)["observation"] == before["observation"] + 1


def test_a_backlog_with_gaps_rebuilds_the_rollups_a_full_rebuild_gives(engine):
    from data_access import rollup_scope

    villages = _villages(engine)
    month = _latest(engine, "HANSA_ANC4")
    months = [add_months(month, -k) for k in (0, 1, 2, 5, 6)]  # two runs of consecutive months
    districts = sorted({code[:4] for code in villages})[:3]
    quarters = ["2022-Q1", "2022-Q2", "2022-Q4"]
    lines = [HEADER]
    lines += [f"HANSA_ANC4,{code},{m},{i % 5},5,\n" for m in months for i, code in enumerate(villages[:30])]
    lines += [f"GRIEVANCE_RESOLVED,{code},{q},{i + 1},10,\n" for q in quarters for i, code in enumerate(districts)]
    report = import_bytes(engine, "".join(lines).encode(), "backlog.csv", ImportOptions())
    assert report.status == "applied", report.errors[:3]
    pairs = {("HANSA_ANC4", m) for m in months} | {("GRIEVANCE_RESOLVED", q) for q in quarters}
    with engine.connect() as conn:
        scope = [(code, str(first)[:10], str(last)[:10]) for code, first, last in rollup_scope.scope_rows(conn, pairs)]
    # One row per run of consecutive periods, not one per period.
    assert scope == [("GRIEVANCE_RESOLVED", "2022-01-01", "2022-04-01"), ("GRIEVANCE_RESOLVED", "2022-10-01", "2022-10-01"),
                     ("HANSA_ANC4", months[4] + "-01", months[3] + "-01"), ("HANSA_ANC4", months[2] + "-01", month + "-01")]
    partial = _rollup(engine)
    with engine.begin() as conn:
        rebuild_rollups(conn)
    assert partial == _rollup(engine)


def test_the_plausibility_window_follows_the_rows_a_check_removed(engine):
    import datetime as dt

    from data_access.importers.report import ImportReport
    from data_access.importers.staging import TABLE, Staging

    code = _villages(engine)[0]

    def record(row: int, indicator: str, period: str, value) -> dict:
        return {"row": row, "file": "f.csv", "indicator_code": indicator, "admin_code": code, "period": period,
                "period_start": dt.date.fromisoformat(period + "-01"), "value": value, "source": None}

    records = [record(2, "SBCC_SESSIONS", "2003-01", 5.0), record(3, "SBCC_SESSIONS", "2003-04", 6.0),
               record(4, "SBCC_SESSIONS", "2003-01", 7.0), record(5, "SBCC_SESSIONS", "2003-02", None),
               record(6, "SBCC_SESSIONS", "2003-06", 8.0), record(7, "AFN_FNS_SESSIONS", "2003-03", 1.0)]
    shown = lambda ranges: [(indicator, str(first)[:10], str(last)[:10]) for indicator, first, last in ranges]  # noqa: E731
    with engine.connect() as conn, conn.begin():
        stage = Staging(conn)
        try:
            stage.add_all(records)
            # As staged: from what add() saw (rows without a value do not count).
            assert shown(stage.value_ranges()) == [("AFN_FNS_SESSIONS", "2003-03-01", "2003-03-01"),
                                                   ("SBCC_SESSIONS", "2003-01-01", "2003-06-01")]
            stage._duplicate_keys(ImportReport("f.csv", "indicators"))
            # The key given twice is gone, and with it January: the window starts in April.
            assert shown(stage.value_ranges()) == [("AFN_FNS_SESSIONS", "2003-03-01", "2003-03-01"),
                                                   ("SBCC_SESSIONS", "2003-04-01", "2003-06-01")]
            assert conn.execute(text(f"SELECT COUNT(*) FROM {TABLE}")).scalar_one() == 4
        finally:
            stage.close()
            conn.rollback()
