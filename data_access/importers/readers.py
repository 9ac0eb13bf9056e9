"""Reading CSV and Excel files into rows of cells, without evaluating anything in them."""
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from data_access.importers.fields import Formula, clean_text, is_blank
from data_access.importers.report import Problem

TABLE_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
# Names a person might give the data sheet of a workbook (the template calls it "data").
DATA_SHEET_NAMES = ("data", "ຂໍ້ມູນ", "observations", "targets", "ຄາດໝາຍ")
# An .xlsx is a zip; a small file that inflates to gigabytes is a zip bomb, not a spreadsheet.
MAX_INFLATION = 100


@dataclass
class Table:
    """Rows of a sheet. rows: (row number as the user sees it, cells in header order)."""

    file_name: str
    headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, list]] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1
    problems: list[Problem] = field(default_factory=list)


def extension(file_name: str) -> str:
    name = file_name.lower()
    return name[name.rfind("."):] if "." in name else ""


def read_table(data: bytes, file_name: str) -> Table:
    """CSV (UTF-8, with or without BOM; comma, semicolon or tab) or .xlsx, first row = headers."""
    ext = extension(file_name)
    if ext in (".xlsx", ".xlsm"):
        return _read_xlsx(data, file_name)
    if ext in (".csv", ".txt", ".tsv"):
        return _read_csv(data, file_name)
    table = Table(file_name)
    table.problems.append(Problem("unsupported_format", file_name, value=ext or file_name,
                                  params={"extension": ext or "?"}))
    return table


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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    _fill(table, ((number, row) for number, row in enumerate(reader, start=1)))
    return table


def _read_xlsx(data: bytes, file_name: str) -> Table:
    import openpyxl

    table = Table(file_name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        table.problems.append(Problem("unreadable_file", file_name, params={"detail": "not an .xlsx workbook"}))
        return table
    if inflated > MAX_INFLATION * max(len(data), 1) and inflated > 50 * 1024 * 1024:
        table.problems.append(Problem("archive_too_large", file_name,
                                      params={"size_mb": round(inflated / 1024 / 1024)}))
        return table
    try:
        # data_only=False: a formula cell comes back as its text ("=A1*2"), never as a value
        # Excel (or we) computed. read_only streams rows instead of building the whole sheet.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for damaged files
        table.problems.append(Problem("unreadable_file", file_name, params={"detail": str(error)[:200]}))
        return table
    try:
        sheet = _data_sheet(workbook)
        table.sheet = sheet.title

        def rows():
            for number, row in enumerate(sheet.iter_rows(), start=1):
                yield number, [_cell(cell) for cell in row]

        _fill(table, rows())
    finally:
        workbook.close()
    return table


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
    for number, cells in numbered_rows:
        if all(is_blank(cell) and not isinstance(cell, Formula) for cell in cells):
            continue
        if not table.headers:
            headers = [clean_text(cell) if not is_blank(cell) else "" for cell in cells]
            while headers and not headers[-1]:
                headers.pop()
            table.headers = headers
            table.header_row = number
            continue
        width = len(table.headers)
        cells = list(cells[:width]) + [None] * (width - len(cells))
        table.rows.append((number, cells))


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
