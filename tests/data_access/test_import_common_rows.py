"""The short way for common CSV rows (data_access.importers.common_rows) gives what the full validation gives."""
import random

import pytest

from data_access.importers.common_rows import CommonRows
from data_access.importers.indicators import COLUMNS, Candidate, _validate_one
from data_access.importers.lookup import Lookup
from data_access.importers.readers import match_columns
from data_access.importers.report import ImportReport


def _indicator(code, aggregation, level="village", period_type="month", multiplier=1.0, low=None, high=None):
    return {"code": code, "project_code": "P", "name_en": code, "name_lo": code, "unit": "", "period_type": period_type,
            "level": level, "aggregation": aggregation, "multiplier": multiplier, "min_value": low, "max_value": high}


LOOKUP = Lookup(
    indicators={meta["code"]: meta for meta in (
        _indicator("ANC4", "ratio", multiplier=100.0, low=0.0, high=100.0),   # a proportion
        _indicator("DAYS", "ratio", multiplier=1.0, low=0.0),                 # a ratio that may exceed 1
        _indicator("SESSIONS", "sum", low=0.0),
        _indicator("REGISTERED", "latest", low=0.0, high=5000.0),
        _indicator("DISTRICT_SUM", "sum", level="district"),
        _indicator("QUARTERLY", "sum", period_type="quarter"),
        _indicator("STUNTING", "survey", level="province", period_type="year", multiplier=100.0, low=0.0, high=100.0),
    )},
    levels={"00": "national", "01": "province", "0101": "district", "0101001": "village", "0101002": "village",
            "0102": "district", "0102005": "village"},
)

INDICATORS = ["ANC4", "DAYS", "SESSIONS", "REGISTERED", "DISTRICT_SUM", "QUARTERLY", "STUNTING", "anc4", " Sessions ",
              "registered", "NOPE", "", "  ", "ANC 4"]
PLACES = ["0101001", "0101002", "0102005", "0101", "01", "00", "LA0101001", "101001", "9999999", "", " 0101001 ",
          "໐໑໐໑໐໐໑", "Vientiane", "0101001\u200b"]
PERIODS = ["2024-05", "2024/05", "202405", "May 2024", "5/2024", "2024-Q2", "Q2 2024", "2024", "2024-05-31",
           "31/05/2024", "2040-01", "1999-01", "2024-13", "", "xx", " 2024-05 "]
NUMBERS = ["", "", "", " ", "0", "1", "5", "7", "10", "20", "40", "12.5", "50", "50.0", "50.04", "51", "100", "250",
           "6000", "-1", "-0.5", "1,000", "85 %", "abc", "1e12", "1e9", "nan", "inf", "໕", "1_0", " 7 ", "0.0"]
SOURCES = ["", "DHIS2", "  HANSA  ", "x" * 120, " ພາສາລາວ\u200b ", "=cmd"]
RELEASED = ["", "", "", "2024-06-30", "not a date", "2023-01-01"]

LAYOUTS = {
    "everything": ["indicator_code", "admin_code", "period", "value", "numerator", "denominator", "std_error",
                   "source", "released_on", "comment"],
    "parts only, Lao headers": ["ລະຫັດຕົວຊີ້ວັດ", "ລະຫັດບ້ານ", "ງວດ", "num", "den"],
    "value only": ["indicator", "pcode", "month", "value", "data_source"],
}


PLAIN = [  # rows that break no rule: the mutations below then break one now and then
    {"indicator_code": "ANC4", "admin_code": "0101001", "period": "2024-05", "numerator": "6", "denominator": "13",
     "value": "46.15"},
    {"indicator_code": "ANC4", "admin_code": "0102005", "period": "2024-06", "numerator": "0", "denominator": "0"},
    {"indicator_code": "DAYS", "admin_code": "0101002", "period": "2024-05", "numerator": "30", "denominator": "4"},
    {"indicator_code": "SESSIONS", "admin_code": "0101", "period": "2024-05", "value": "12"},
    {"indicator_code": "REGISTERED", "admin_code": "0101001", "period": "2024-05", "value": "250"},
    {"indicator_code": "QUARTERLY", "admin_code": "0101001", "period": "2024-Q2", "value": "7"},
    {"indicator_code": "DISTRICT_SUM", "admin_code": "0102", "period": "2024-05", "value": "7"},
    {"indicator_code": "STUNTING", "admin_code": "01", "period": "2024", "value": "31.5", "std_error": "1.2",
     "released_on": "2025-02-01"},
]
POOLS = {"indicator_code": INDICATORS, "admin_code": PLACES, "period": PERIODS, "value": NUMBERS,
         "numerator": NUMBERS, "denominator": NUMBERS, "std_error": NUMBERS, "source": SOURCES,
         "released_on": RELEASED, "comment": ["", "note"]}


def _cells(rng: random.Random, headers: list[str], canonical: dict[str, int]) -> list:
    base = rng.choice(PLAIN)
    by_position = {position: column for column, position in canonical.items()}
    cells = [base.get(by_position.get(position, "comment"), "") for position in range(len(headers))]
    for _ in range(rng.choice((0, 0, 1, 1, 2))):
        position = rng.randrange(len(headers))
        cells[position] = rng.choice(POOLS[by_position.get(position, "comment")])
    if rng.random() < 0.05:
        cells[-1] = None  # a short row, padded by the reader
    return cells


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_short_way_gives_the_full_validations_record_or_steps_aside(layout):
    headers = LAYOUTS[layout]
    positions = match_columns(headers, COLUMNS).positions
    named = {column: headers[position] for column, position in positions.items()}
    common = CommonRows(LOOKUP, "file.csv", positions, named)
    rng = random.Random(layout)
    memo: dict = {}
    short = clean = 0
    for number in range(2, 20_002):
        cells = _cells(rng, headers, positions)
        report = ImportReport("file.csv", "indicators")
        candidate = Candidate(number, "file.csv", {column: cells[position] for column, position in positions.items()},
                              named)
        expected = _validate_one(candidate, LOOKUP, report, memo)
        record = common.record(number, cells)
        clean += expected is not None and not report.problems
        if record is not None:
            short += 1
            assert not report.problems, (cells, report.problems)
            assert record == expected, cells
    # Most rows with nothing to report take the short way (one with a survey's release date takes the full one).
    assert short > 0.7 * clean > 3000


def test_a_plain_row_takes_the_short_way_and_anything_to_report_the_full_one():
    headers = ["indicator_code", "admin_code", "period", "numerator", "denominator", "value", "source"]
    positions = match_columns(headers, COLUMNS).positions
    common = CommonRows(LOOKUP, "f.csv", positions, {column: headers[p] for column, p in positions.items()})
    record = common.record(2, ["ANC4", "0101001", "2024-05", "6", "13", "46.15", "HANSA DHIS2"])
    assert record is not None and record["value"] == 46.15 and record["numerator"] == 6.0
    assert str(record["period_start"]) == "2024-05-01" and record["value_column"] == "value"
    for cells in (["ANC4", "0101001", "2024-05", "14", "13", "", ""],      # numerator above the denominator
                  ["ANC4", "0101001", "2024-05", "", "", "46", ""],        # a ratio without its parts: a warning
                  ["SESSIONS", "0101001", "2024-05", "3", "4", "9", ""],   # parts of a sum: a warning
                  ["ANC4", "0101", "2024-05", "6", "13", "", ""],          # a district row is fine, a level check
                  ["ANC4", "0101001", "2024-Q2", "6", "13", "", ""]):      # another period type
        if cells[1] == "0101":
            assert common.record(3, cells) is not None
        else:
            assert common.record(3, cells) is None
