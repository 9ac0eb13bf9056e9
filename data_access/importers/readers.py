"""Reading CSV and Excel files into rows of cells, without evaluating anything in them."""
import codecs
import csv
import itertools
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from data_access.importers.fields import Formula, clean_text, is_blank
from data_access.importers.report import Problem, quantity, translatable

TABLE_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
# Names a person might give the data sheet of a workbook (the template calls it "data").
DATA_SHEET_NAMES = ("data", "ຂໍ້ມູນ", "observations", "targets", "ຄາດໝາຍ")
# An .xlsx is a zip; a small file that inflates to gigabytes is a zip bomb, not a spreadsheet.
MAX_INFLATION = 100
# Limits that hold before anything is parsed (docs/import-format.md, "Limits"). A sheet this
# large is far beyond one upload of program data; a declared dimension beyond them is refused
# at once, because openpyxl would pad every declared row and column with empty cells.
MAX_ROWS = 300_000
# A CSV is read one row at a time (open_table), so its rows are bounded by MAX_UPLOAD_MB and
# by this: Excel's own sheet limit, the most any spreadsheet program hands a person.
MAX_CSV_ROWS = 1_048_576
MAX_COLUMNS = 64
# What the parts of an .xlsx may inflate to: openpyxl holds the shared strings (and styles) in
# memory, and streams the sheets.
MAX_XLSX_INFLATED_MB = 200
MAX_XLSX_IN_MEMORY_PART_MB = 25
_IN_MEMORY_PARTS = ("xl/sharedstrings.xml", "xl/styles.xml", "xl/workbook.xml")
# csv's own limit: a longer cell is refused with its row, not a crash.
MAX_CELL_CHARACTERS = csv.field_size_limit()


@dataclass
class Table:
    """Rows of a sheet. rows: (row number as the user sees it, cells in header order)."""

    file_name: str
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, list]] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1
    problems: list[Problem] = field(default_factory=list)
    # CSV: the line of the file each row starts on (a quoted cell can span lines).
    lines: dict[int, int] = field(default_factory=dict)
    current_line: int = 0
    # open_table: the data rows, one at a time (problems found on the way go to .problems).
    stream: Iterator | None = field(default=None, repr=False)


def extension(file_name: str) -> str:
    name = file_name.lower()
    return name[name.rfind("."):] if "." in name else ""


def read_table(data: bytes, file_name: str) -> Table:
    """CSV (UTF-8, with or without BOM; comma, semicolon or tab) or .xlsx, first row = headers."""
    ext = extension(file_name)
    if ext in (".xlsx", ".xlsm"):
        return _read_xlsx(data, file_name)
    if ext in CSV_EXTENSIONS:
        return _read_csv(data, file_name)
    table = Table(file_name)
    table.problems.append(Problem("unsupported_format", file_name, value=ext or file_name,
                                  params={"extension": ext or "?"}))
    return table


def open_table(data: bytes, file_name: str) -> Table:
    """Like read_table, with the headers read and the data rows left in table.stream.

    A CSV is parsed as the stream is consumed (one row in memory at a time, never the
    whole decoded text); an .xlsx is read whole as before (MAX_ROWS bounds it). A problem
    found in the middle (a quote never closed, a NUL) ends the stream and is in
    table.problems when the stream is exhausted.
    """
    if extension(file_name) not in CSV_EXTENSIONS:
        table = read_table(data, file_name)
        table.stream, table.rows = iter(table.rows), []
        return table
    table = Table(file_name)
    position = _utf8_error(data)
    if position is not None:
        table.problems.append(Problem("not_utf8", file_name, params={"position": position}))
        table.stream = iter(())
        return table
    # The sniffer sees the first 8192 characters, as read_table's does (4 bytes a character at most).
    sample = data[:4 * 8192].decode("utf-8-sig", errors="ignore")[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    rows = _streamed_rows(table, _csv_rows(text, delimiter, table, keep_lines=False), delimiter)
    first = next(rows, None)
    table.stream = iter(()) if first is None else itertools.chain([first], rows)
    return table


def _utf8_error(data: bytes) -> int | None:
    """The offset of the first byte that is not UTF-8, checked in slices (no decoded copy of the file)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 22
    for offset in range(0, max(len(data), 1), step):
        try:
            decoder.decode(data[offset:offset + step], final=offset + step >= len(data))
        except UnicodeDecodeError as error:
            # The decoder keeps an incomplete character from the previous slice in its buffer; the
            # position is counted after a BOM, as read_table's decode("utf-8-sig") counts it.
            bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
            return max(offset + error.start - len(decoder.getstate()[0]) - bom, 0)
    return None


def _streamed_rows(table: Table, numbered_rows, delimiter: str):
    """_fill for a stream: headers set on the way, data rows yielded, the swallowed-row check per row."""
    width = 0
    for number, cells in numbered_rows:
        if width:
            joined = "".join(cells)
            if number <= MAX_CSV_ROWS and joined.isascii() and "\x00" not in joined and "\n" not in joined:
                # The common row, a million times in a large file, checked once on its joined text: plain
                # ASCII without NUL or line break is blank exactly when the joined text is, and swallows no row.
                if joined.strip():
                    yield number, cells if len(cells) == width else cells[:width] + [None] * (width - len(cells))
                continue
        cells = _row_cells(table, number, cells, max_rows=MAX_CSV_ROWS)
        if cells is _STOP:
            return
        if cells is _SKIP:
            continue
        width = len(table.headers)
        if width >= 2 and _swallowed(cells, delimiter, width):
            position = next(i for i, cell in enumerate(cells) if isinstance(cell, str) and "\n" in cell)
            table.problems.append(Problem("unclosed_quote", table.file_name, row=number,
                                          column=table.headers[position] if position < width else None,
                                          params={"line": table.current_line}))
            return
        yield number, cells


def _swallowed(cells: list, delimiter: str, width: int) -> bool:
    return any(isinstance(cell, str) and "\n" in cell and any(
        line.count(delimiter) >= width - 1 for line in cell.split("\n")[1:]) for cell in cells)


def _read_csv(data: bytes, file_name: str) -> Table:
    table = Table(file_name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        table.problems.append(Problem("not_utf8", file_name, params={"position": error.start}))
        return table
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    _fill(table, _csv_rows(text, delimiter, table))
    if not table.problems:
        _check_swallowed_rows(table, delimiter)
    return table


def _csv_rows(text, delimiter: str, table: Table, keep_lines: bool = True):
    """Records of the text, numbered as rows; a broken quote or an oversized cell ends the file with a problem.

    strict=True makes an unclosed quote an error at the end of the data instead of one
    huge last field that silently holds every following row.
    """
    source = io.StringIO(text, newline="") if isinstance(text, str) else text
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    number = 0
    while True:
        start_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger" in str(error):
                table.problems.append(Problem("cell_too_long", table.file_name, row=number + 1,
                                              params={"line": start_line, "limit": quantity(MAX_CELL_CHARACTERS)}))
            else:
                table.problems.append(Problem("unclosed_quote", table.file_name, row=number + 1,
                                              params={"line": start_line}))
            return
        number += 1
        if keep_lines:
            table.lines[number] = start_line
        table.current_line = start_line
        yield number, row


def _check_swallowed_rows(table: Table, delimiter: str) -> None:
    """A quoted cell holding whole lines of the file: a quote opened by mistake and closed rows later.

    A legitimate multi-line comment rarely has a line with as many delimiters as the file
    has columns; rows swallowed by a stray quote always do.
    """
    width = len(table.headers)
    if width < 2:
        return
    for number, cells in table.rows:
        for position, cell in enumerate(cells):
            if isinstance(cell, str) and "\n" in cell and any(
                    line.count(delimiter) >= width - 1 for line in cell.split("\n")[1:]):
                table.problems.append(Problem("unclosed_quote", table.file_name, row=number,
                                              column=table.headers[position] if position < width else None,
                                              params={"line": table.lines.get(number, number)}))
                return


def _read_xlsx(data: bytes, file_name: str) -> Table:
    import openpyxl

    table = Table(file_name)
    problem = check_xlsx_archive(data, file_name)
    if problem is not None:
        table.problems.append(problem)
        return table
    try:
        # data_only=False: a formula cell comes back as its text ("=A1*2"), never as a value
        # Excel (or we) computed. read_only streams rows instead of building the whole sheet.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for damaged files; their text is no use to a person
        table.problems.append(Problem("unreadable_file", file_name, params={"detail": translatable(
            "importer.detail.not_xlsx")}))
        return table
    try:
        sheet = _data_sheet(workbook)
        table.sheet = sheet.title
        rows, columns = sheet.max_row or 0, sheet.max_column or 0
        if rows > MAX_ROWS or columns > MAX_COLUMNS:
            table.problems.append(Problem("sheet_too_large", file_name, value=_dimension(sheet),
                                          params={"rows": quantity(rows), "columns": quantity(columns),
                                                  "max_rows": quantity(MAX_ROWS), "max_columns": quantity(MAX_COLUMNS)}))
            return table
        # Without a declared dimension openpyxl would widen each row to its last cell; the
        # column bound keeps one stray cell in column XFD from making 16,384 cells a row.
        sheet.reset_dimensions()

        def rows_of_sheet():
            for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
                if number > MAX_ROWS:
                    table.problems.append(Problem("too_many_rows", file_name, row=number,
                                                  params={"max_rows": quantity(MAX_ROWS)}))
                    return
                yield number, [_cell(cell) for cell in row]

        _fill(table, rows_of_sheet())
    except Exception:  # a sheet damaged past its first bytes
        table.problems.append(Problem("unreadable_file", file_name, params={"detail": translatable(
            "importer.detail.not_xlsx")}))
    finally:
        workbook.close()
    return table


def _dimension(sheet) -> str:
    try:
        return sheet.calculate_dimension()
    except Exception:  # no dimension declared
        return ""


def check_xlsx_archive(data: bytes, file_name: str) -> Problem | None:
    """A problem when the workbook's zip would inflate beyond the limits, checked before openpyxl parses it.

    The sizes are those the zip declares; zipfile never inflates a member past its
    declared size, so they bound what openpyxl can read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return Problem("unreadable_file", file_name, params={"detail": translatable("importer.detail.not_xlsx")})
    inflated = sum(member.file_size for member in members)
    limit = MAX_XLSX_INFLATED_MB * 1024 * 1024
    in_memory = max((member.file_size for member in members if member.filename.lower() in _IN_MEMORY_PARTS),
                    default=0)
    ratio_bomb = inflated > MAX_INFLATION * max(len(data), 1) and inflated > 50 * 1024 * 1024
    if inflated > limit or ratio_bomb or in_memory > MAX_XLSX_IN_MEMORY_PART_MB * 1024 * 1024:
        return Problem("workbook_too_large", file_name, params={
            "size_mb": quantity(round(inflated / 1024 / 1024)), "max_mb": quantity(MAX_XLSX_INFLATED_MB),
            "max_part_mb": quantity(MAX_XLSX_IN_MEMORY_PART_MB)})
    return None


def _data_sheet(workbook):
    for sheet in workbook.worksheets:
        if clean_text(sheet.title).casefold() in DATA_SHEET_NAMES:
            return sheet
    return workbook.worksheets[0]


def _cell(cell):
    if getattr(cell, "data_type", None) == "f":
        value = cell.value
        return Formula(getattr(value, "text", None) or str(value))
    return cell.value


def _fill(table: Table, numbered_rows) -> None:
    """First non-blank row = headers; blank rows are skipped; cells padded to the header width."""
    table.rows.extend(_filled(table, numbered_rows, MAX_ROWS))


def _filled(table: Table, numbered_rows, max_rows: int):
    """The data rows of _fill, one at a time (headers set on the way)."""
    for number, cells in numbered_rows:
        cells = _row_cells(table, number, cells, max_rows)
        if cells is _STOP:
            return
        if cells is not _SKIP:
            yield number, cells


# What _row_cells returns for a row that is not data (blank, or the header row) and for a problem that ends the table.
_SKIP, _STOP = object(), object()


def _row_cells(table: Table, number: int, cells: list, max_rows: int):
    """One row of _filled: its cells padded to the header width, _SKIP or _STOP."""
    if number > max_rows:
        table.problems.append(Problem("too_many_rows", table.file_name, row=number, params={"max_rows": quantity(max_rows)}))
        return _STOP
    if all(is_blank(cell) and not isinstance(cell, Formula) for cell in cells):
        return _SKIP
    for position, cell in enumerate(cells):
        # PostgreSQL refuses NUL in text; no spreadsheet or export writes one on purpose.
        if isinstance(cell, str) and "\x00" in cell:
            column = table.headers[position] if position < len(table.headers) else None
            table.problems.append(Problem("nul_character", table.file_name, row=number, column=column))
            return _STOP
    if not table.headers:
        headers = [clean_text(cell) if not is_blank(cell) else "" for cell in cells]
        while headers and not headers[-1]:
            headers.pop()
        table.headers = headers
        table.header_row = number
        return _SKIP
    width = len(table.headers)
    return list(cells[:width]) + [None] * (width - len(cells))


# ---------------------------------------------------------------- headers

_SEPARATORS = re.compile(r"[\s\-/.:]+")
_IN_PARENTHESES = re.compile(r"^(.*?)\s*[(\[]([^)\]]*)[)\]]\s*$")


def header_key(header: str) -> str:
    """"Indicator code" -> "indicator_code"; Lao headers keep their letters (only blanks change)."""
    text = clean_text(header).casefold()
    return _SEPARATORS.sub("_", text).strip("_")


@dataclass
class ColumnMatch:
    """Which position holds each canonical column; headers matching nothing or a column twice."""

    positions: dict[str, int]
    unmatched: list[int]
    duplicates: list[int]


def match_columns(headers: list[str], aliases: dict[str, tuple[str, ...]]) -> ColumnMatch:
    """Match headers to canonical columns through their aliases (English or Lao).

    A header may be bilingual ("ລະຫັດຕົວຊີ້ວັດ (indicator_code)"): either half matches.
    """
    lookup = {header_key(alias): canonical for canonical, names in aliases.items() for alias in (canonical, *names)}
    match_ = ColumnMatch({}, [], [])
    for position, header in enumerate(headers):
        candidates = [header_key(header)]
        bilingual = _IN_PARENTHESES.match(clean_text(header))
        if bilingual:
            candidates += [header_key(bilingual.group(2)), header_key(bilingual.group(1))]
        canonical = next((lookup[key] for key in candidates if key in lookup), None)
        if canonical is None:
            match_.unmatched.append(position)
        elif canonical in match_.positions:
            match_.duplicates.append(position)
        else:
            match_.positions[canonical] = position
    return match_
