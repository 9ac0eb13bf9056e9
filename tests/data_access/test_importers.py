"""Importers: every bad file reports exactly its problems and writes nothing; good files import, on both backends."""
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from data.importer_db import DATA_DIR, demo_copy, row_counts
from data_access.importers import ImportOptions, fields, import_bytes, import_path
from data_access.importers.report import ImportReport, Problem, neutralise_csv
from data_access.importers.templates import build_template, template_projects
from data_access.queries.observations import scope_value
from data_access.store import DataStore

MAPPING = DATA_DIR / "dhis2_mapping.csv"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    with demo_copy(request.param, tmp_path) as engine:
        yield engine


@pytest.fixture(autouse=True)
def no_history_check(monkeypatch):
    """The corpus pays 38 beneficiaries in villages where the test-scale demo pays a handful a month:
    the plausibility warning would join every problem list here. It has its own tests
    (test_plausibility.py); these tests are about the other rules."""
    from data_access.importers import plausibility

    monkeypatch.setattr(plausibility, "MIN_REPORTS", 10 ** 9)


def run(engine, name: str, **options) -> ImportReport:
    return import_path(engine, DATA_DIR / name, ImportOptions(**options))


def observation(engine, indicator: str, admin: str, period: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT value, numerator, denominator, std_error, source, batch_id FROM observation "
                 "WHERE indicator_code = :i AND admin_code = :a AND period = :p"),
            {"i": indicator, "a": admin, "p": period}).mappings().first()
    return dict(row) if row else None


# (row, column, rule) of every problem, and how many rows stay valid.
BAD_FILES = {
    "bad_unknown_indicator.csv": ([(3, "indicator_code", "unknown_indicator"),
                                   (4, "indicator_code", "unknown_indicator")], 1),
    "bad_unknown_admin_code.csv": ([(3, "admin_code", "unknown_admin_code"), (4, "admin_code", "unknown_admin_code"),
                                    (6, "admin_code", "unknown_admin_code")], 2),
    "bad_period_type.csv": ([(3, "period", "period_type_mismatch"), (4, "period", "period_type_mismatch"),
                             (5, "period", "period_type_mismatch"), (6, "period", "invalid_period")], 1),
    "bad_numerator_gt_denominator.csv": ([(3, "numerator", "numerator_exceeds_denominator")], 2),
    "bad_negative_counts.csv": ([(3, "value", "negative_count"), (4, "numerator", "negative_count")], 1),
    "bad_out_of_range.csv": ([(3, "value", "out_of_range"), (4, "numerator", "out_of_range"),
                              (5, "value", "out_of_range"), (6, "std_error", "out_of_range")], 1),
    "bad_duplicate_key.csv": ([(4, "indicator_code", "duplicate_key")], 1),
    "bad_formula.xlsx": ([(5, "value", "formula_not_allowed")], 3),
    "bad_targets.csv": ([(3, "kind", "invalid_kind"), (4, "admin_code", "wrong_level"), (5, "year", "invalid_year"),
                         (6, "value", "out_of_range")], 1),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_reports_every_problem_and_writes_nothing(engine, name):
    expected, valid = BAD_FILES[name]
    before = row_counts(engine)

    checked = run(engine, name, dry_run=True)
    assert [(p.row, p.column, p.rule) for p in checked.problems] == expected
    assert all(p.file == name and p.is_error for p in checked.problems)
    assert checked.rows_valid == valid
    assert checked.status == "dry_run" and not checked.can_import

    refused = run(engine, name)
    assert refused.status == "rejected"
    assert [(p.row, p.column, p.rule) for p in refused.problems] == expected
    assert row_counts(engine) == before


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_choosing_to_import_the_valid_rows_writes_exactly_those(engine, name):
    expected, valid = BAD_FILES[name]
    report = run(engine, name, accept_valid_rows=True)
    assert report.status in ("applied", "unchanged")
    assert report.rows_inserted + report.rows_replaced + report.rows_unchanged == valid
    assert report.rows_rejected == report.rows_total - valid
    # The rejected rows are still listed, and stored with the batch.
    assert [(p.row, p.column, p.rule) for p in report.problems] == expected


def test_each_problem_names_the_value_and_says_what_is_wrong_in_both_languages(engine):
    report = run(engine, "bad_unknown_admin_code.csv", dry_run=True)
    by_row = {p.row: p for p in report.problems}
    assert by_row[3].value == "0799001"
    # A name is never joined on; the known spelling is offered as a suggestion only.
    assert by_row[4].value == "Xamneua" and by_row[4].params["suggestion"] == "0701"
    assert "0701" in by_row[4].message("en") and "Xamneua" in by_row[4].message("en")
    assert "ລະຫັດ" in by_row[4].message("lo")
    mismatch = run(engine, "bad_period_type.csv", dry_run=True).problems[0]
    assert mismatch.message("en") == "“2023-Q2” is a quarter, but this indicator is reported by month."
    assert "ໄຕມາດ" in mismatch.message("lo") and "ເດືອນ" in mismatch.message("lo")


def test_the_la_prefix_is_accepted_and_numbers_that_lost_their_zero_are_padded(engine):
    report = run(engine, "bad_unknown_admin_code.csv", accept_valid_rows=True)
    assert report.status == "applied"
    assert observation(engine, "CCT_PAID", "0703002", "2023-05")["value"] == 29  # written as LA0703002
    excel = run(engine, "indicators_excel_dates.xlsx")
    assert excel.status == "applied" and not excel.problems
    assert observation(engine, "CCT_PAID", "0703004", "2023-05")["value"] == 21  # typed as the number 703004
    assert observation(engine, "GRIEVANCE_RESOLVED", "0703", "2023-Q2")["numerator"] == 9  # the number 703


def test_excel_dates_stand_for_the_period_that_contains_them(engine):
    run(engine, "indicators_excel_dates.xlsx")
    # 2023-05-31 for a monthly indicator, 2023-04-01 for a quarterly one.
    assert observation(engine, "CCT_COMPLY_ALL", "0703004", "2023-05")["numerator"] == 18
    assert observation(engine, "GRIEVANCE_RESOLVED", "0703", "2023-Q2")["denominator"] == 10


def test_a_formula_is_reported_and_never_evaluated(engine):
    before = observation(engine, "CCT_PAID", "0703005", "2023-06")
    report = run(engine, "bad_formula.xlsx", accept_valid_rows=True)
    assert report.problems[0].value == "=40+1"
    assert report.status == "applied"
    # The formula row was left out: neither 41 (its result) nor its text reached the database.
    assert observation(engine, "CCT_PAID", "0703005", "2023-06") == before


def test_lao_headers_lao_digits_and_lao_month_names(engine):
    report = run(engine, "indicators_lao.csv")
    assert report.status == "applied" and not report.problems and report.rows_valid == 4
    compliance = observation(engine, "CCT_COMPLY_ALL", "0706001", "2023-05")
    assert (compliance["numerator"], compliance["denominator"]) == (41, 45)
    assert compliance["source"] == "ລະບົບ MIS ຂອງ ລພຊ"
    assert observation(engine, "CCT_PAID", "0706001", "2023-06")["value"] == 38
    assert observation(engine, "GRIEVANCE_RESOLVED", "0706", "2023-Q2")["numerator"] == 7
    assert observation(engine, "STUNTING", "09", "2023")["value"] == 42.5


def test_utf8_with_bom_and_semicolons(engine):
    report = run(engine, "indicators_bom.csv")
    assert report.status == "applied" and not report.problems and report.rows_valid == 3
    assert observation(engine, "CCT_PAID", "0703003", "2023-05")["source"] == "Ban Nakham (ບ້ານນາຄຳ) list"
    assert observation(engine, "FM_DISBURSEMENT", "07", "2023-Q2")["numerator"] == 410000


def test_the_good_file_imports_month_quarter_and_year_periods(engine):
    report = run(engine, "indicators_good.csv")
    assert report.status == "applied" and not report.problems
    assert report.rows_valid == report.rows_total == 8
    assert report.rows_inserted + report.rows_replaced == 8
    assert observation(engine, "GRIEVANCE_RESOLVED", "0703", "2023-Q2")["numerator"] == 12
    stunting = observation(engine, "STUNTING", "07", "2023")
    assert (stunting["value"], stunting["std_error"]) == (44.1, 2.6)
    delay = observation(engine, "CCT_PAY_DELAY", "0703", "2023-05")
    assert delay["value"] == pytest.approx(70.0) and delay["batch_id"] == report.batch_id


def test_reimporting_the_same_file_changes_nothing(engine):
    first = run(engine, "indicators_good.csv")
    after_first = row_counts(engine)
    again = run(engine, "indicators_good.csv")
    assert again.status == "unchanged" and again.previous_batch_id == first.batch_id
    assert again.batch_id is None and "already imported" in again.headline("en")
    assert row_counts(engine) == after_first


def test_the_same_data_in_another_file_adds_no_batch(engine):
    run(engine, "indicators_excel_dates.xlsx")
    after = row_counts(engine)
    # bad_formula.xlsx holds the same rows but for the formula one.
    report = run(engine, "bad_formula.xlsx", accept_valid_rows=True)
    assert report.status == "unchanged" and report.rows_unchanged == 3
    assert row_counts(engine) == after


class _DictCache:
    def __init__(self):
        self.entries = {}

    def get(self, key):
        return self.entries.get(key)

    def set(self, key, value, timeout=None):
        self.entries[key] = value


def test_the_dashboard_sees_an_import_at_once(engine):
    store = DataStore(engine, _DictCache())
    before = store.read(scope_value, "CCT_PAID", "0703", "2023-05", "2023-05")
    with engine.connect() as conn:
        demo_villages = conn.execute(text(
            "SELECT SUM(value) FROM observation WHERE indicator_code = 'CCT_PAID' AND period = '2023-05' "
            "AND admin_code IN ('0703001', '0703002')")).scalar_one()
    run(engine, "indicators_good.csv")
    after = store.read(scope_value, "CCT_PAID", "0703", "2023-05", "2023-05")
    # Same cache, no restart: the new data version and the rebuilt rollup show the new values.
    assert after["value"] == pytest.approx(before["value"] - demo_villages + 38 + 29)


def test_the_import_and_its_rollups_are_one_transaction(engine, monkeypatch):
    import data_access.importers as importers

    before = row_counts(engine)

    def fail(conn):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importers, "bump_data_version", fail)
    report = run(engine, "indicators_good.csv")
    # The person gets a sentence with a reference for the log, never the exception.
    assert report.status == "rejected" and [p.rule for p in report.problems] == ["internal_error"]
    assert "disk full" not in report.problems[0].message("en")
    assert row_counts(engine) == before


def test_a_file_over_the_limit_is_refused_before_it_is_read(engine):
    before = row_counts(engine)
    report = run(engine, "indicators_good.csv", max_mb=0.0001)
    assert report.status == "rejected"
    assert [(p.row, p.rule) for p in report.problems] == [(None, "file_too_large")]
    assert "0.0001 MB" in report.problems[0].message("en")
    assert row_counts(engine) == before


def test_unreadable_files_are_refused_with_a_reason(engine):
    before = row_counts(engine)
    latin1 = "indicator_code,admin_code,period,value,source\nCCT_PAID,0703001,2023-05,3,Bokèo\n".encode("latin-1")
    assert [p.rule for p in import_bytes(engine, latin1, "old.csv").problems] == ["not_utf8"]
    assert [p.rule for p in import_bytes(engine, b"\xd0\xcf\x11\xe0", "old.xls").problems] == ["unsupported_format"]
    assert [p.rule for p in import_bytes(engine, b"not a zip", "broken.xlsx").problems] == ["unreadable_file"]
    missing = import_bytes(engine, b"indicator_code,period,value\nCCT_PAID,2023-05,3\n", "no_place.csv",
                           ImportOptions(accept_valid_rows=True))
    assert missing.status == "rejected"
    assert [(p.rule, p.column) for p in missing.problems] == [("missing_column", "admin_code")]
    assert row_counts(engine) == before


def test_rows_counted_twice_across_levels_are_refused(engine):
    # The demo has village values of CCT_PAID in 0703: a district total beside them would double it.
    content = b"indicator_code,admin_code,period,value\nCCT_PAID,0703,2023-05,120\nSTUNTING,0703,2023,40\n"
    report = import_bytes(engine, content, "district_total.csv", ImportOptions(dry_run=True))
    assert [(p.row, p.rule) for p in report.problems] == [(2, "mixed_levels")]
    assert report.problems[0].params["other"].startswith("0703")


def test_a_place_and_a_place_inside_it_in_the_same_file_are_both_refused():
    from data_access.importers.indicators import check_mixed_levels
    from data_access.importers.lookup import Lookup

    lookup = Lookup({"SUWASH_LATRINES_BUILT": {"aggregation": "sum"}, "STUNTING": {"aggregation": "survey"}}, {})
    records = [{"indicator_code": "SUWASH_LATRINES_BUILT", "admin_code": code, "period": "2026-01", "row": row}
               for row, code in ((2, "0705001"), (3, "0705"), (4, "0706"))]
    records.append({"indicator_code": "STUNTING", "admin_code": "07", "period": "2026", "row": 5})
    report = ImportReport(file_name="mixed.csv", kind="indicators")
    kept = check_mixed_levels(records, {("STUNTING", "2026"): {"0705"}}, lookup, report)
    assert [r["row"] for r in kept] == [4, 5]
    assert [(p.row, p.rule, p.params["other"]) for p in report.problems] == [
        (2, "mixed_levels", "0705"), (3, "mixed_levels", "0705001")]


def test_wrong_level_is_reported(engine):
    content = b"indicator_code,admin_code,period,numerator,denominator\nCCT_PAY_DELAY,0703001,2023-05,30,1\n"
    report = import_bytes(engine, content, "village_delay.csv", ImportOptions(dry_run=True))
    assert [(p.row, p.column, p.rule) for p in report.problems] == [(2, "admin_code", "wrong_level")]
    assert report.problems[0].message("en") == "0703001 is a village; this indicator is reported for: district, province, the whole country."


# ---------------------------------------------------------------- DHIS2

@pytest.mark.parametrize("export", ["dhis2_export.json", "dhis2_export.csv"])
def test_dhis2_export_through_the_mapping(engine, export):
    report = run(engine, export, mapping_name=MAPPING.name, mapping_data=MAPPING.read_bytes())
    assert report.status == "applied" and report.kind == "dhis2"
    rules = [(p.rule, p.value, p.params.get("count")) for p in report.problems]
    assert rules == [("dhis2_unmapped_data_element", "MalariaCase / HllvX50cXC0", 1),
                     ("dhis2_unmapped_org_unit", "HcElsewhere", 1), ("dhis2_deleted_value", "true", 1)]
    assert (report.rows_total, report.rows_valid, report.rows_skipped) == (10, 7, 3)
    anc4 = observation(engine, "HANSA_ANC4", "0703001", "2023-05")
    # The two age combos of the numerator add up; the denominator comes from another data element.
    assert (anc4["numerator"], anc4["denominator"]) == (30, 36)
    assert observation(engine, "HANSA_GM_SESSIONS", "0703002", "2023-05")["value"] == 1


def test_dhis2_needs_a_mapping_and_reports_bad_mapping_rows(engine):
    before = row_counts(engine)
    assert [p.rule for p in run(engine, "dhis2_export.json").problems] == ["mapping_required"]
    broken = MAPPING.read_bytes() + b"data_element,Xx1234567ab,,NO_SUCH_INDICATOR,value,\norg_unit,Yy1234567ab,,0799,,\n"
    report = run(engine, "dhis2_export.json", mapping_name="mapping.csv", mapping_data=broken)
    mapping_problems = [(p.file, p.row, p.column, p.rule) for p in report.problems if p.file == "mapping.csv"]
    assert mapping_problems == [("mapping.csv", 7, "maps_to", "unknown_indicator"),
                                ("mapping.csv", 8, "maps_to", "unknown_admin_code")]
    assert report.status == "rejected" and row_counts(engine) == before


def test_dhis2_period_formats_are_read():
    assert fields.period("202305", "month") == "2023-05"
    assert fields.period("2023Q2", "quarter") == "2023-Q2"
    with pytest.raises(fields.PeriodProblem) as weekly:
        fields.period("2023W05", "month")
    assert weekly.value.rule == "invalid_period"


# ---------------------------------------------------------------- targets

def test_targets_file_imports_with_lao_kinds(engine):
    report = run(engine, "targets_good.csv")
    assert report.kind == "targets" and report.status == "applied" and not report.problems
    with engine.connect() as conn:
        rows = dict(conn.execute(text(
            "SELECT indicator_code || '/' || admin_code || '/' || kind || '/' || year, value FROM target "
            "WHERE batch_id = :b"), {"b": report.batch_id}).all())
    assert rows["STUNTING/02/baseline/2019"] == 47.5
    assert rows["HANSA_ANC4/0703/annual/2024"] == 70
    assert rows["CCT_REGISTERED/00/end_of_project/2024"] == 42000


# ---------------------------------------------------------------- cells, reports, templates

@pytest.mark.parametrize("raw, period_type, expected", [
    ("2023-05", "month", "2023-05"), ("2023-5", "month", "2023-05"), ("05/2023", "month", "2023-05"),
    ("May 2023", "month", "2023-05"), ("ພຶດສະພາ 2023", "month", "2023-05"), ("໒໐໒໓-໐໕", "month", "2023-05"),
    (dt.datetime(2023, 5, 17), "month", "2023-05"), (dt.datetime(2023, 5, 17), "quarter", "2023-Q2"),
    ("2023-05-17", "year", "2023"), ("2023-Q2", "quarter", "2023-Q2"), ("Q2 2023", "quarter", "2023-Q2"),
    ("ໄຕມາດ 2 2023", "quarter", "2023-Q2"), (2023, "year", "2023"), (2023.0, "year", "2023"),
])
def test_period_cells(raw, period_type, expected):
    assert fields.period(raw, period_type) == expected


@pytest.mark.parametrize("raw, rule", [("2023-Q2", "period_type_mismatch"), ("2023", "period_type_mismatch"),
                                       ("2023-13", "invalid_period"), ("last month", "invalid_period"),
                                       ("2023-Q5", "invalid_period")])
def test_periods_that_do_not_fit_a_monthly_indicator(raw, rule):
    with pytest.raises(fields.PeriodProblem) as problem:
        fields.period(raw, "month")
    assert problem.value.rule == rule


@pytest.mark.parametrize("raw, expected", [("LA0703", "0703"), ("la07", "07"), (703, "0703"), (7.0, "07"),
                                           ("703001", "0703001"), (" 0703001 ", "0703001"), ("໐໗໐໓", "0703"),
                                           ("Xamneua", "Xamneua"), ("0703", "0703")])
def test_admin_code_cells(raw, expected):
    assert fields.admin_code(raw) == expected


@pytest.mark.parametrize("raw, expected", [("1,234", 1234.0), ("85 %", 85.0), ("໔໒.໕", 42.5), (12, 12.0), ("", None),
                                           (None, None), ("-3", -3.0)])
def test_number_cells(raw, expected):
    assert fields.number(raw) == expected


@pytest.mark.parametrize("raw", ["twelve", "1.2.3", True, "1,23"])
def test_cells_that_are_not_numbers(raw):
    with pytest.raises(fields.NotANumber):
        fields.number(raw)


@pytest.mark.parametrize("raw, expected", [("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
                                           ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
                                           ("-5", "-5"), ("+1.5", "+1.5"), ("CCT_PAID", "CCT_PAID"), (7, 7)])
def test_exported_csv_cells_cannot_run_as_formulas(raw, expected):
    assert neutralise_csv(raw) == expected


def test_the_report_csv_is_neutralised():
    report = ImportReport(file_name="=evil.csv", kind="indicators")
    report.problems.append(Problem("unknown_indicator", "=evil.csv", 2, "indicator_code", "=1+2"))
    lines = report.to_csv("en").splitlines()
    assert lines[0] == "file,row,column,value,rule,severity,message"
    assert lines[1].startswith("'=evil.csv,2,indicator_code,'=1+2,unknown_indicator,error,")


def test_the_template_lists_the_projects_indicators_with_help_in_both_languages(engine):
    with engine.connect() as conn:
        projects = [p["code"] for p in template_projects(conn)]
        content = build_template(conn, "RRPM")
    assert projects == ["RRPM", "HANSA", "SUWASH", "AFN", "ECE", "SURVEYS"]
    book = openpyxl.load_workbook(io.BytesIO(content))
    data = book["data"]
    assert [cell.value for cell in data[1]][:4] == ["indicator_code", "admin_code", "period", "value"]
    comment = data["A1"].comment.text
    assert "ລະຫັດຕົວຊີ້ວັດ" in comment and "Indicator code" in comment
    indicators = book["indicators - ຕົວຊີ້ວັດ"]
    codes = [row[0].value for row in indicators.iter_rows(min_row=2)]
    assert "CCT_COMPLY_ALL" in codes and "HANSA_ANC4" not in codes
    help_text = " ".join(str(cell.value) for row in book["help - ຄຳແນະນຳ"].iter_rows() for cell in row if cell.value)
    assert "2023-Q2" in help_text and "ໄຕມາດ" in help_text
    places = {row[0].value for row in book["places - ສະຖານທີ່"].iter_rows(min_row=2)}
    assert {"07", "0703", "0703001"} <= places


def test_the_survey_template_holds_the_indicators_without_a_project(engine):
    with engine.connect() as conn:
        book = openpyxl.load_workbook(io.BytesIO(build_template(conn, "SURVEYS")))
        with pytest.raises(KeyError):
            build_template(conn, "NO_SUCH_PROJECT")
    codes = [row[0].value for row in book["indicators - ຕົວຊີ້ວັດ"].iter_rows(min_row=2)]
    assert codes == ["STUNTING", "WASTING", "UNDERWEIGHT", "POVERTY_HEADCOUNT", "POP_PREG_U2"]


def test_a_filled_template_imports(engine, tmp_path):
    with engine.connect() as conn:
        book = openpyxl.load_workbook(io.BytesIO(build_template(conn, "RRPM")))
    data = book["data"]
    data.append(["CCT_COMPLY_ALL", "0703001", "2023-05", None, 40, 45, None, "RRPM MIS", "Ban Nakham", "filled in"])
    path = tmp_path / "filled.xlsx"
    book.save(path)
    report = import_path(engine, path, ImportOptions())
    assert report.status == "applied" and not report.problems and report.rows_valid == 1
    assert observation(engine, "CCT_COMPLY_ALL", "0703001", "2023-05")["numerator"] == 40


def test_template_text_from_the_database_is_never_written_as_a_formula(engine):
    with engine.begin() as conn:
        conn.execute(text("UPDATE admin_unit SET name_en = '=HYPERLINK(\"http://evil\")' WHERE code = '0703001'"))
    with engine.connect() as conn:
        book = openpyxl.load_workbook(io.BytesIO(build_template(conn, "RRPM")))
    cell = next(row[3] for row in book["places - ສະຖານທີ່"].iter_rows(min_row=2) if row[0].value == "0703001")
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"


def test_the_corpus_is_what_make_corpus_writes():
    # Guard against hand edits drifting from the generator: the good file matches its source table.
    from data.make_corpus import GOOD

    lines = (DATA_DIR / "indicators_good.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(GOOD) + 1 and lines[1].split(",")[:3] == GOOD[0][:3]
    assert Path(DATA_DIR / "indicators_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")
