"""Indicator files read one row at a time: the candidates and valid rows of data_access.importers.indicators as streams.

What the staging table (data_access.importers.staging) is filled from: a million-row CSV
never exists as a list of rows, candidates or records.
"""
from data_access.importers.common_rows import CommonRows
from data_access.importers.indicators import COLUMNS, REQUIRED, Candidate, _checked_headers, _validate_one
from data_access.importers.lookup import Lookup
from data_access.importers.readers import CSV_EXTENSIONS, Table, extension, match_columns, open_table
from data_access.importers.report import ImportReport


def stream_candidates(table: Table, report: ImportReport, columns=COLUMNS, required=REQUIRED):
    """candidates_from_table for open_table's stream: one Candidate at a time.

    A problem with the file found on the way (a quote never closed at row 900,000) ends
    the stream; as when the whole file was read first, the report then holds the file's
    problems only, not those of the rows before it.
    """
    for number, cells, positions, headers in _stream_cells(table, report, columns, required):
        yield Candidate(number, table.file_name, {column: cells[position] for column, position in positions}, headers)


def _stream_cells(table: Table, report: ImportReport, columns=COLUMNS, required=REQUIRED):
    """(row number, cells, [(column, position)], headers) of each data row; the file's problems as stream_candidates says."""
    problems_before = len(report.problems)
    headers = _checked_headers(table, report, columns, required)
    if headers is None:
        return
    positions = list(match_columns(table.headers, columns).positions.items())
    count = 0
    for number, cells in table.stream:
        count += 1
        yield number, cells, positions, headers
    if table.problems:
        del report.problems[problems_before:]
        report.extend(table.problems)
    elif not count:
        report.add("empty_file")


def stream_valid_observations(candidates, lookup: Lookup, report: ImportReport):
    """validate_observations one row at a time, without the duplicate-key rule (the staging
    table checks it, data_access.importers.staging). report.rows_total counts the rows read."""
    memo: dict = {}
    for candidate in candidates:
        report.rows_total += 1
        record = _validate_one(candidate, lookup, report, memo)
        if record is not None:
            yield record


def stream_indicator_file(data: bytes, file_name: str, lookup: Lookup, report: ImportReport):
    """The valid observation rows of a long-format file, one at a time (duplicate keys and
    release dates are checked afterwards, on the staging table).

    A CSV's rows take the short way of data_access.importers.common_rows when they have nothing
    to report, and stream_valid_observations' way otherwise. (An .xlsx row can hold formulas and
    typed cells, which only the full way reads.)
    """
    table = open_table(data, file_name)
    if extension(file_name) not in CSV_EXTENSIONS:
        yield from stream_valid_observations(stream_candidates(table, report), lookup, report)
        return
    memo: dict = {}
    common = None
    for number, cells, positions, headers in _stream_cells(table, report):
        if common is None:
            common = CommonRows(lookup, file_name, dict(positions), headers)
        report.rows_total += 1
        record = common.record(number, cells)
        if record is None:
            candidate = Candidate(number, file_name, {column: cells[position] for column, position in positions}, headers)
            record = _validate_one(candidate, lookup, report, memo)
        if record is not None:
            yield record
