"""Tables as files: Excel (with a notes sheet) and CSV (UTF-8 with BOM), codes as text, formula-safe."""
import csv
import datetime as dt
import io
import math
import re
import unicodedata
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from i18n import format_period, t

LAO_TIME = ZoneInfo("Asia/Vientiane")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a spreadsheet runs as a formula when a cell starts with it (CSV/Excel injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

# kind -> Excel number format; "code" and "text" cells are strings in a text-formatted cell.
_NUMBER_FORMATS = {"integer": "#,##0", "number": "#,##0.0", "percent": "0.0", "money": "#,##0",
                   "days": "0", "date": "yyyy-mm-dd", "code": "@", "text": "@"}


@dataclass(frozen=True)
class Column:
    """One exported column: the frame's field, its header (already in the reader's language), its kind.

    kind: "code" (admin or indicator codes: always text, so 0706 stays 0706), "text",
    "integer", "number", "percent" (a value in percent, 0-100), "money", "days", "date".
    """

    field: str
    header: str
    kind: str = "text"
    width: int | None = None


@dataclass
class ExportContext:
    """What the notes sheet says about a table: where, when, what was chosen, from what, how complete."""

    title: str
    place: str
    period: str | None
    lang: str
    topic: str
    place_file_name: str = ""
    filters: list[tuple[str, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    completeness: str | None = None
    notes: list[str] = field(default_factory=list)
    is_demo: bool = False
    exported_at: dt.datetime | None = None

    def export_time(self) -> dt.datetime:
        moment = self.exported_at or dt.datetime.now(dt.timezone.utc)
        return moment.astimezone(LAO_TIME)


def is_missing(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, list, dict, tuple)) else False
    except (TypeError, ValueError):
        return False


def formula_safe(value):
    """Text a spreadsheet will not run as a formula: a leading = + - @ tab CR gets an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def slug(text: str) -> str:
    """An ASCII file-name part: accents dropped, anything else becomes '-' ("Xiengkhouang" stays)."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")


def file_name(place: str, period: str | None, topic: str, extension: str, fallback_place: str = "place") -> str:
    """"Houaphan_2022-11_payment-pipeline.xlsx": place name (English, ASCII), period, topic.

    The place is named, not coded (readers find files by name); a Lao-only name leaves no
    ASCII letters, so `fallback_place` (the code) is used then.
    """
    parts = [slug(place) or slug(fallback_place) or "place", slug(period or "") or "all", slug(topic) or "table"]
    return "_".join(parts) + "." + extension.lstrip(".")


def _cell_value(value, kind: str):
    if is_missing(value):
        return None
    if kind in ("code", "text"):
        if isinstance(value, float) and value.is_integer() and kind == "code":
            value = int(value)
        return formula_safe(str(value))
    if kind == "date":
        if isinstance(value, pd.Timestamp):
            return value.date()
        if isinstance(value, (dt.date, dt.datetime)):
            return value if not isinstance(value, dt.datetime) else value.date()
        return formula_safe(str(value))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value) if kind in ("integer", "days") and float(value).is_integer() else float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return formula_safe(str(value))


def notes_lines(context: ExportContext) -> list[tuple[str, str]]:
    """(label, text) rows of the notes sheet, in the context's language."""
    lang = context.lang
    rows = [(t("export.note_title", lang), context.title)]
    if context.is_demo:
        rows.append((t("export.note_demo", lang), t("export.demo_text", lang)))
    rows += [
        (t("export.note_place", lang), context.place),
        (t("export.note_period", lang), format_period(context.period, lang) if context.period else "–"),
    ]
    rows += [(label, value) for label, value in context.filters]
    for source in context.sources:
        rows.append((t("export.note_source", lang), source))
    if context.completeness:
        rows.append((t("export.note_completeness", lang), context.completeness))
    for note in context.notes:
        rows.append((t("export.note_note", lang), note))
    rows.append((t("export.note_exported", lang), context.export_time().strftime("%Y-%m-%d %H:%M")
                 + " " + t("export.lao_time", lang)))
    rows.append((t("export.note_codes", lang), t("export.codes_text", lang)))
    return rows


def add_table_sheet(workbook: Workbook, title: str, frame: pd.DataFrame, columns: list[Column]) -> None:
    """A sheet of the table: bold headers, codes as text cells, numbers as numbers, missing as empty."""
    sheet = workbook.create_sheet(_sheet_title(title, workbook))
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=formula_safe(column.header))
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = column.width or _width(column)
    records = frame.to_dict("records") if not frame.empty else []
    for row_number, record in enumerate(records, start=2):
        for index, column in enumerate(columns, start=1):
            value = _cell_value(record.get(column.field), column.kind)
            cell = sheet.cell(row=row_number, column=index, value=value)
            if value is not None or column.kind in ("code", "text"):
                cell.number_format = _NUMBER_FORMATS.get(column.kind, "General")
    sheet.freeze_panes = "A2"
    if records:
        sheet.auto_filter.ref = sheet.dimensions


def add_notes_sheet(workbook: Workbook, context: ExportContext, index: int | None = None) -> None:
    sheet = workbook.create_sheet(_sheet_title(t("export.notes_sheet", context.lang), workbook), index)
    bold = Font(bold=True)
    for row_number, (label, text) in enumerate(notes_lines(context), start=1):
        sheet.cell(row=row_number, column=1, value=formula_safe(label)).font = bold
        cell = sheet.cell(row=row_number, column=2, value=formula_safe(text))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.number_format = "@"
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 90


def excel_bytes(frame: pd.DataFrame, columns: list[Column], context: ExportContext,
                sheet_title: str | None = None) -> bytes:
    """The table as .xlsx: the data sheet first, then the notes sheet."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_table_sheet(workbook, sheet_title or context.title, frame, columns)
    add_notes_sheet(workbook, context)
    return workbook_bytes(workbook)


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(frame: pd.DataFrame, columns: list[Column]) -> str:
    """CSV with a BOM (spreadsheets then read Lao as UTF-8), formula-safe, missing as empty cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([formula_safe(column.header) for column in columns])
    for record in (frame.to_dict("records") if not frame.empty else []):
        row = []
        for column in columns:
            value = _cell_value(record.get(column.field), column.kind)
            row.append("" if value is None else value)
        writer.writerow(row)
    return "\ufeff" + buffer.getvalue()


def _sheet_title(title: str, workbook: Workbook) -> str:
    # Excel forbids []:*?/\ in sheet names and caps them at 31 characters.
    clean = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, number = clean, 2
    while name in workbook.sheetnames:
        suffix = f" ({number})"
        name, number = clean[:31 - len(suffix)] + suffix, number + 1
    return name


def _width(column: Column) -> int:
    if column.kind == "code":
        return 10
    if column.kind == "text":
        return max(14, min(50, len(column.header) + 4))
    return max(11, min(24, len(column.header) + 2))
