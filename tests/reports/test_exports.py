"""Table exports: codes stay text, formulas never run, missing stays empty, files are named and explained."""
import csv
import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from data_access.queries.trends import management_trends, payment_pipeline
from reports.context import export_context
from reports.exports import Column, ExportContext, csv_text, excel_bytes, file_name
from reports.tables import backlog_table, cycles_table, disbursement_table

COLUMNS = [Column("code", "Code", "code"), Column("name", "Name"), Column("value", "Value", "number"),
           Column("count", "Count", "integer")]


def _context(**overrides) -> ExportContext:
    values = dict(title="Payment pipeline", place="Houaphan", place_file_name="Houaphan", period="2022-11",
                  lang="en", topic="payment-pipeline", sources=["Demo: demo:test, imported 1 Jan 2026"],
                  completeness="48 of 72 villages", is_demo=True,
                  exported_at=dt.datetime(2022, 11, 30, 20, 30, tzinfo=dt.timezone.utc))
    return ExportContext(**(values | overrides))


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"code": ["0706", "07", "0000123"], "name": ["=HYPERLINK(\"x\")", "ຫົວພັນ", "@SUM(A1)"],
                         "value": [12.5, None, -3.0], "count": [3, 0, None]})


def test_codes_keep_their_leading_zeros_as_text_cells():
    sheet = load_workbook(io.BytesIO(excel_bytes(_frame(), COLUMNS, _context())))["Payment pipeline"]
    codes = [sheet.cell(row=row, column=1) for row in (2, 3, 4)]
    assert [cell.value for cell in codes] == ["0706", "07", "0000123"]
    assert all(cell.data_type == "s" and cell.number_format == "@" for cell in codes)


@pytest.mark.parametrize("dangerous", ["=1+1", "+cmd", "@SUM(A1)", "-2+3", "\t=x"])
def test_text_that_looks_like_a_formula_is_neutralised(dangerous):
    frame = pd.DataFrame({"code": ["01"], "name": [dangerous], "value": [1.0], "count": [1]})
    sheet = load_workbook(io.BytesIO(excel_bytes(frame, COLUMNS, _context())))["Payment pipeline"]
    assert sheet.cell(row=2, column=2).value == "'" + dangerous
    row = list(csv.reader(io.StringIO(csv_text(frame, COLUMNS).lstrip("\ufeff"))))[1]
    assert row[1] == "'" + dangerous


def test_missing_is_an_empty_cell_never_zero_and_zero_stays_zero():
    sheet = load_workbook(io.BytesIO(excel_bytes(_frame(), COLUMNS, _context())))["Payment pipeline"]
    assert sheet.cell(row=3, column=3).value is None
    assert sheet.cell(row=3, column=4).value == 0
    assert sheet.cell(row=4, column=3).value == -3.0
    rows = list(csv.reader(io.StringIO(csv_text(_frame(), COLUMNS).lstrip("\ufeff"))))
    assert rows[2][2] == "" and rows[2][3] == "0"


def test_csv_starts_with_a_bom_and_keeps_lao():
    text = csv_text(_frame(), COLUMNS)
    assert text.startswith("\ufeff")
    assert "ຫົວພັນ" in text
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_the_notes_sheet_says_place_period_sources_completeness_demo_and_lao_time():
    workbook = load_workbook(io.BytesIO(excel_bytes(_frame(), COLUMNS, _context())))
    assert workbook.sheetnames == ["Payment pipeline", "About this file"]
    notes = {row[0]: row[1] for row in workbook["About this file"].iter_rows(values_only=True)}
    assert notes["Place"] == "Houaphan"
    assert notes["Period (as of)"] == "November 2022"
    assert notes["Data source"].startswith("Demo")
    assert notes["Reporting completeness"] == "48 of 72 villages"
    assert "DEMO DATA" in notes["Demo data"]
    # 20:30 UTC is 03:30 the next day in Vientiane (UTC+7).
    assert notes["Exported"].startswith("2022-12-01 03:30")


def test_real_data_has_no_demo_line():
    workbook = load_workbook(io.BytesIO(excel_bytes(_frame(), COLUMNS, _context(is_demo=False))))
    labels = [row[0] for row in workbook["About this file"].iter_rows(values_only=True)]
    assert "Demo data" not in labels


@pytest.mark.parametrize(("place", "fallback", "expected"), [
    ("Houaphan", "07", "Houaphan_2022-11_payment-pipeline.xlsx"),
    ("Luang Prabang", "06", "Luang-Prabang_2022-11_payment-pipeline.xlsx"),
    ("ຫົວພັນ", "07", "07_2022-11_payment-pipeline.xlsx"),
    ("Xiengkhouang/../../etc", "09", "Xiengkhouang-etc_2022-11_payment-pipeline.xlsx"),
    ("", "", "place_2022-11_payment-pipeline.xlsx"),
])
def test_file_names_carry_the_place_name_and_period_and_are_safe(place, fallback, expected):
    assert file_name(place, "2022-11", "payment-pipeline", "xlsx", fallback) == expected


def test_an_empty_table_still_gives_headers_and_notes():
    empty = pd.DataFrame(columns=["code", "name", "value", "count"])
    workbook = load_workbook(io.BytesIO(excel_bytes(empty, COLUMNS, _context())))
    assert [cell.value for cell in workbook["Payment pipeline"][1]] == ["Code", "Name", "Value", "Count"]
    assert csv_text(empty, COLUMNS) == "\ufeffCode,Name,Value,Count\r\n"


def _read(engine):
    def read(query, *args):
        with engine.connect() as conn:
            return query(conn, *args)
    return read


@pytest.mark.parametrize("lang", ["en", "lo"])
def test_payment_tables_export_the_pages_query_result(demo_engine, lang):
    read = _read(demo_engine)
    pipeline = read(payment_pipeline, "07", "2022-11")
    frame, columns = backlog_table(pipeline, lang)
    assert len(frame) == len(pipeline["backlog"])
    context = export_context(read, "07", "2022-11", lang, "t", "payment-backlog")
    assert context.place == ("Houaphan" if lang == "en" else "ຫົວພັນ") and context.place_file_name == "Houaphan"
    assert context.is_demo and context.sources
    workbook = load_workbook(io.BytesIO(excel_bytes(*cycles_table(pipeline, lang), context)))
    sheet = workbook.worksheets[0]
    codes = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(codes) == len(pipeline["pipeline"]) > 0
    assert all(isinstance(code, str) and code.startswith("07") and len(code) == 4 for code in codes)
    days = {(row[0], row[2]): row[8] for row in sheet.iter_rows(min_row=2, values_only=True)}
    for cycle in pipeline["pipeline"].itertuples():
        expected = None if pd.isna(cycle.days_verified_to_paid) else cycle.days_verified_to_paid
        assert days[(cycle.district_code, cycle.period)] == expected


def test_budget_table_running_totals_are_sums_of_the_pages_quarters(demo_engine):
    management = _read(demo_engine)(management_trends, "07", "2022-11")
    frame, _columns = disbursement_table(management, "en")
    quarters = management["disbursement"]
    assert list(frame["disbursed_usd"]) == list(quarters["disbursed_usd"])
    if quarters["disbursed_usd"].notna().all():
        assert frame["cum_disbursed_usd"].iloc[-1] == pytest.approx(quarters["disbursed_usd"].sum())


def test_import_problems_csv_is_translated_bom_and_formula_safe():
    from reports.tables import problems_table

    rows = [{"file": "villages.csv", "row": 12, "column": "code", "value": "=cmd|' /C calc'!A0", "rule": "unknown_code",
             "severity": "error", "message": "ລະຫັດບ້ານບໍ່ຖືກຕ້ອງ"},
            {"file": "villages.csv", "row": 13, "column": "", "value": "0706", "rule": "x", "severity": "warning",
             "message": "ok"}]
    text = csv_text(*problems_table(rows, "lo"))
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0][0] == "ໄຟລ໌" and lines[0][-1] == "ບັນຫາ"
    assert lines[1][3].startswith("'=") and lines[1][6] == "ລະຫັດບ້ານບໍ່ຖືກຕ້ອງ"
    assert lines[2][3] == "0706" and lines[2][2] == ""
